import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ObservedAccount, TargetSnapshot } from '../../engine/model/accounts.js';
import { InputError } from '../../engine/model/errors.js';
import { snapshotDigest } from '../../engine/plan/snapshot-digest.js';
import { readSnapshotFile, writeSnapshotFile } from '../../engine/run/snapshot-file.js';

// The reader's fast paths: pieces of lines whose account and group wrappers are stripped,
// and repeated attribute values shared. Small windows put many piece boundaries in a file.
const dir = mkdtempSync(join(tmpdir(), 'rollcall-snapshot-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const WINDOWS = [64, 1000, 4 * 2 ** 20];

function account(id: string, over: Partial<ObservedAccount> = {}): ObservedAccount {
  return {
    id, anchor: `anchor-${id}`, username: `user-${id}`, givenName: 'Given', familyName: 'Family', displayName: 'Given Family',
    email: `${id}@example.org`, path: 'Students/School-0001/2031', enabled: true, aliases: [], ...over,
  };
}

async function roundTrip(name: string, snaps: TargetSnapshot[]): Promise<void> {
  const file = join(dir, `${name}.jsonl`);
  await writeSnapshotFile(file, snaps, '2026-10-01T12:00:00.000Z');
  for (const w of WINDOWS) {
    const back = await readSnapshotFile(file, w);
    expect(back.snapshots, `window ${w}`).toEqual(snaps);
    expect(back.snapshots.map(snapshotDigest)).toEqual(snaps.map(snapshotDigest));
  }
}

describe('reading the snapshot file', () => {
  it('keeps values that differ in the least from being merged when repeated ones are shared', async () => {
    const near = [
      'Students/School-0001/2031', 'Students/School-0001/2032', 'students/School-0001/2031', 'Students/School-0001/2031 ',
      'Students/Zoë-School/2031', 'Students/Zoe\u0308-School/2031', 'Students/School-0001/2031\n', 'Students/School-0001/203',
    ];
    const accounts = Array.from({ length: 400 }, (_, i) => {
      const v = near[i % near.length]!;
      return account(`a${i}`, { path: v, displayName: v, familyName: v.slice(9), givenName: v.slice(0, 12), ...(i % 3 === 0 ? { modifiedBy: v } : {}) });
    });
    await roundTrip('near', [{ target: 'sandbox', containers: near, accounts, groups: [] }]);
  });

  it('reads attributes that are mostly distinct (past the point where sharing gives up) unchanged', async () => {
    const accounts = Array.from({ length: 70_000 }, (_, i) => account(`u${i}`, { displayName: `Display Name ${i}`, path: `Students/S${i % 50}/Grade-2031` }));
    const file = join(dir, 'distinct.jsonl');
    await writeSnapshotFile(file, [{ target: 'sandbox', containers: [], accounts, groups: [] }], '2026-10-01T12:00:00.000Z');
    expect((await readSnapshotFile(file)).snapshots[0]!.accounts).toEqual(accounts);
  });

  it('reads several targets, with names that need escaping, across piece boundaries', async () => {
    const snaps: TargetSnapshot[] = ['sandbox', 'goo"gle', 'Zoë', 'e'].map((t, k) => {
      const accounts = Array.from({ length: 30 + k }, (_, i) => account(`${t}-${i}`, { aliases: i % 4 === 0 ? [`old-${i}@example.org`] : [] }));
      return {
        target: t, containers: [`C-${t}`], accounts, ...(k % 2 === 0 ? { cursor: `cur-${k}` } : {}),
        groups: [
          { id: `g1-${t}`, name: 'all', description: 'everyone', members: accounts.map((a) => a.id), managed: true },
          { id: `g2-${t}`, name: 'mixed', description: '', members: [accounts[3]!.id, 'outside-1', accounts[0]!.id], managed: false },
          { id: `g3-${t}`, name: 'none', description: '', members: [], managed: true },
        ],
      };
    });
    await roundTrip('targets', snaps);
  });

  it('reads lines of targets that interleave, or are spaced differently, as the wrapped lines they are', async () => {
    const a1 = account('s-1');
    const a2 = account('g-1');
    const a3 = account('s-2');
    const lines = [
      '{"format":"rollcall-snapshot","version":2,"taken_at":"t"}',
      '["T","sandbox",["Staff"],null]',
      '["T","google",[],"c"]',
      ...Array.from({ length: 20 }, () => ''),
      JSON.stringify(['A', 'sandbox', a1]),
      JSON.stringify(['A', 'google', a2]),
      ` [ "A" , "sandbox" , ${JSON.stringify(a3)} ] `,
      JSON.stringify(['G', 'google', { id: 'gg', name: 'n', description: '', members: [0], managed: true }]),
      JSON.stringify(['G', 'sandbox', { id: 'gs', name: 'n', description: '', members: [1, 0, 's-9'], managed: false }]),
    ];
    const want: TargetSnapshot[] = [
      { target: 'sandbox', containers: ['Staff'], accounts: [a1, a3], groups: [{ id: 'gs', name: 'n', description: '', members: ['s-2', 's-1', 's-9'], managed: false }] },
      { target: 'google', containers: [], cursor: 'c', accounts: [a2], groups: [{ id: 'gg', name: 'n', description: '', members: ['g-1'], managed: true }] },
    ];
    const file = join(dir, 'interleaved.jsonl');
    writeFileSync(file, lines.join('\n') + '\n');
    for (const w of WINDOWS) expect((await readSnapshotFile(file, w)).snapshots, `window ${w}`).toEqual(want);
  });

  it('reports bad lines in later pieces by their numbers', async () => {
    const file = join(dir, 'bad.jsonl');
    const accounts = Array.from({ length: 60 }, (_, i) => account(`s-${i}`));
    await writeSnapshotFile(file, [{ target: 'sandbox', containers: [], accounts, groups: [{ id: 'g', name: 'n', description: '', members: ['s-1'], managed: true }] }], 't');
    const lines = readFileSync(file, 'utf8').split('\n');
    const cases: [number, string, RegExp][] = [
      [62, lines[62]!.replace('"members":[1]', '"members":[60]'), /position 60/],
      [62, lines[62]!.replace('"members":[1]', '"members":[true]'), /neither/],
      [40, lines[40]!.replace('["A"', '["X"'), /unknown record kind/],
      [41, lines[41]!.slice(0, -2), /not valid JSON/],
    ];
    for (const [at, text, why] of cases) {
      const copy = [...lines];
      copy[at] = text;
      writeFileSync(file, copy.join('\n'));
      for (const w of WINDOWS) {
        const err = await readSnapshotFile(file, w).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(InputError);
        expect((err as InputError).diagnostics[0], `window ${w}`).toMatchObject({ summary: expect.stringMatching(why), source: { file, line: at + 1 } });
      }
    }
  });
});
