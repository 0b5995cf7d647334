import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { policyDigest } from '../../engine/policy/digest.js';
import { loadPolicy, parsePolicyFiles } from '../../engine/policy/load.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.resolve(here, '../fixtures/policy/cue');
const bytes = (s: string): Uint8Array => Buffer.from(s, 'utf8');

describe('policy digest', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'rollcall-digest-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('does not depend on the order files are listed in', () => {
    const a = policyDigest([{ path: 'rollcall.yaml', bytes: bytes('x: 1\n') }, { path: 'policy/naming.yaml', bytes: bytes('y: 2\n') }]);
    const b = policyDigest([{ path: 'policy/naming.yaml', bytes: bytes('y: 2\n') }, { path: 'rollcall.yaml', bytes: bytes('x: 1\n') }]);
    expect(a).toBe(b);
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('changes with any byte, and when content moves between files', () => {
    const base = policyDigest([{ path: 'rollcall.yaml', bytes: bytes('x: 1\n') }, { path: 'policy/naming.yaml', bytes: bytes('y: 2\n') }]);
    expect(policyDigest([{ path: 'rollcall.yaml', bytes: bytes('x: 1 \n') }, { path: 'policy/naming.yaml', bytes: bytes('y: 2\n') }])).not.toBe(base);
    expect(policyDigest([{ path: 'rollcall.yaml', bytes: bytes('x: 1\ny: 2\n') }, { path: 'policy/naming.yaml', bytes: bytes('') }])).not.toBe(base);
    expect(policyDigest([{ path: 'rollcall.yaml', bytes: bytes('x: 1\n') }, { path: 'policy/naming.cue', bytes: bytes('y: 2\n') }])).not.toBe(base);
  });

  it('is the same for a copy of the repo, ignores other files, and follows edits', async () => {
    const copy = path.join(tmp, 'repo');
    cpSync(fixture, copy, { recursive: true });
    const original = await loadPolicy(fixture);
    writeFileSync(path.join(copy, 'README.md'), 'not policy');
    const copied = await loadPolicy(copy);
    expect(copied.digest).toBe(original.digest);
    const fromText = await parsePolicyFiles(original.files.map((f) => ({ path: f, text: '' })));
    expect(fromText.digest).not.toBe(original.digest);
    writeFileSync(path.join(copy, 'policy', 'naming.cue'), '// edited\n', { flag: 'a' });
    expect((await loadPolicy(copy)).digest).not.toBe(original.digest);
  });

  it('warns about policy-looking files it will not read, without counting them', async () => {
    const copy = path.join(tmp, 'repo2');
    cpSync(fixture, copy, { recursive: true });
    writeFileSync(path.join(copy, 'policy', 'nameing.yaml'), 'renames: keep\n');
    const loaded = await loadPolicy(copy);
    expect(loaded.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', code: 'policy.unknown-file', source: { file: 'policy/nameing.yaml' } })]);
    expect(loaded.digest).toBe((await loadPolicy(fixture)).digest);
  });
});
