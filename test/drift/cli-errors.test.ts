import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import Drift from '../../cli/commands/drift.js';
import { scratchDistrict } from '../helpers/district.js';
import { runCommand } from '../helpers/run-command.js';

describe('rollcall drift on bad input', () => {
  it('exits 1 naming file, line and column when the allow-list is invalid, before reading any target', async () => {
    const dir = scratchDistrict('rollcall-drift-cli-');
    writeFileSync(join(dir, 'policy/drift-allow.yaml'), 'allow:\n  - category: orphan-account\n    path: "x/**"\n    reason: r\n    expires: soon\n');
    const cli = await runCommand(Drift, ['--dir', dir, '--now', '2026-10-01']);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/policy\/drift-allow\.yaml:5:14: error: .*expires/);
    expect(cli.stdout).toBe('');
  });

  it('exits 1 on an unusable --now', async () => {
    const dir = scratchDistrict('rollcall-drift-cli-');
    const cli = await runCommand(Drift, ['--dir', dir, '--now', 'yesterday-ish']);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/--now/);
  });
});
