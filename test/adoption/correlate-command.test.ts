import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import Correlate from '../../cli/commands/correlate.js';
import Plan from '../../cli/commands/plan.js';
import { loadPolicy } from '../../engine/policy/load.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { runCommand } from '../helpers/run-command.js';
import { NOW, buildOldDistrict, type OldDistrict } from './old-district.js';

describe('rollcall correlate', () => {
  let d: OldDistrict;
  beforeAll(async () => {
    d = await buildOldDistrict();
  }, 120_000);

  it('--dry-run prints the summary and writes nothing', async () => {
    const r = await runCommand(Correlate, ['--dir', d.dir, '--now', NOW, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^sandbox: \d+ linked, \d+ matched, 0 decided, \d+ ambiguous, \d+ without an account, 50 orphaned account\(s\), 10 excluded, 0 not a person\n/);
    expect(r.stdout).toMatch(/ambiguous case\(s\); run without --dry-run/);
    expect(() => readdirSync(join(d.dir, 'decisions'))).toThrow();
  }, 60_000);

  it('writes one decisions file per case, which loads cleanly and decides nothing until edited', async () => {
    const before = (await runPlan({ dir: d.dir, now: NOW })).plan;
    const r = await runCommand(Correlate, ['--dir', d.dir, '--now', NOW]);
    expect(r.code).toBe(0);
    const files = readdirSync(join(d.dir, 'decisions')).sort();
    expect(files.length).toBeGreaterThanOrEqual(20);
    expect(r.stdout).toContain(`Wrote ${files.length} case file(s)`);
    // Every ambiguous person is in exactly one file, with an undecided account and the candidates.
    const text = files.map((f) => readFileSync(join(d.dir, 'decisions', f), 'utf8')).join('\n');
    for (const x of before.decisions.filter((y) => y.kind === 'ambiguous-correlation')) {
      expect(text.split(`person: "${x.anchor}"`).length - 1, x.anchor).toBe(1);
    }
    expect(text).toContain('account: null');
    expect(text).toContain('contains usernames');
    const { diagnostics } = await loadPolicy(d.dir);
    expect(diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
    const after = (await runPlan({ dir: d.dir, now: NOW })).plan;
    expect(after.correlation?.targets.sandbox?.ambiguous).toBe(before.correlation?.targets.sandbox?.ambiguous);
    expect(after.changes.length).toBe(before.changes.length);
    // A second run keeps files a reviewer may be editing.
    const again = await runCommand(Correlate, ['--dir', d.dir, '--now', NOW]);
    expect(again.stdout).toContain('Wrote 0 case file(s)');
    expect(again.stdout).toContain(`Left ${files.length} existing case file(s)`);
  }, 60_000);

  it('plan --adopt turns adoption mode on for one run when rollcall.yaml does not', async () => {
    const root = join(d.dir, 'rollcall.yaml');
    writeFileSync(root, readFileSync(root, 'utf8').replace(/\nadoption: true\n/, '\n'));
    const off = await runCommand(Plan, ['--dir', d.dir, '--now', NOW, '--json']);
    const on = await runCommand(Plan, ['--dir', d.dir, '--now', NOW, '--json', '--adopt']);
    const offPlan = JSON.parse(off.stdout) as { correlation?: { adoption: boolean; targets: Record<string, { orphans: number }> } };
    const onPlan = JSON.parse(on.stdout) as typeof offPlan;
    expect(offPlan.correlation?.adoption).toBe(false);
    expect(onPlan.correlation?.adoption).toBe(true);
    // Only adoption mode treats the orphans' old anchors as unknown rather than departed people.
    expect(offPlan.correlation?.targets.sandbox?.orphans).toBe(40);
    expect(onPlan.correlation?.targets.sandbox?.orphans).toBe(50);
  }, 120_000);
});
