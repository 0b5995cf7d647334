import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../engine/model/errors.js';
import type { JournalEntry } from '../../engine/model/state.js';
import { appendLocalJournal, readLocalJournal } from '../../engine/state/local-journal.js';

/**
 * Plans ask the journal only for what state has not folded in (`afterSeq`). The local journal
 * answers from the end of the file; it must give exactly what a read of every line would,
 * whatever the line sizes, window edges, blank lines and torn tail.
 */

function entry(n: number, members = 0): JournalEntry {
  return {
    seq: 0, at: '2026-10-01T08:00:00.000Z', plan_digest: 'd'.repeat(64), policy_commit: null, actor: 'test', change_id: `sandbox:account:p${n}:create`,
    target: 'sandbox', action: 'create', anchor: `p${n}`, cause: 'sis', outcome: n % 2 === 0 ? 'intent' : 'applied',
    after: { username: `user${n}`, displayName: 'x'.repeat(members) },
  };
}

async function journal(count: number, size: (n: number) => number): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), 'rollcall-jtail-')), 'state.journal.jsonl');
  for (let from = 1; from <= count; from += 500) {
    await appendLocalJournal(path, Array.from({ length: Math.min(500, count - from + 1) }, (_, i) => entry(from + i, size(from + i))));
  }
  return path;
}

describe('journal after a seq, read from the end', () => {
  it('equals the full read for every cut, with lines small and large (some larger than the first window)', async () => {
    const path = await journal(3000, (n) => (n % 997 === 0 ? 600_000 : n % 7) * 3);
    const all = await readLocalJournal(path);
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
    for (const after of [0, 1, 996, 997, 998, 1500, 2990, 2991, 2999, 3000, 5000]) {
      const got = await readLocalJournal(path, { afterSeq: after });
      expect(got.map((e) => e.seq)).toEqual(all.filter((e) => e.seq > after).map((e) => e.seq));
      expect(got).toEqual(all.filter((e) => e.seq > after));
    }
  });

  it('ignores blank lines and a torn last line, as the full read does', async () => {
    const path = await journal(50, () => 0);
    const text = readFileSync(path, 'utf8').split('\n');
    writeFileSync(path, [...text.slice(0, 45), '', '  ', ...text.slice(45)].join('\n'));
    appendFileSync(path, '{"seq":51,"at":"2026-10-01T0'); // a crash mid-append
    expect((await readLocalJournal(path, { afterSeq: 44 })).map((e) => e.seq)).toEqual([45, 46, 47, 48, 49, 50]);
    expect(await readLocalJournal(path, { afterSeq: 50 })).toEqual([]);
  });

  it('reports a broken line among the unfolded ones by its real line number', async () => {
    const path = await journal(40, () => 0);
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[37] = lines[37]!.replace('"outcome":', '"outcome":42,"x":');
    writeFileSync(path, lines.join('\n'));
    const err = await readLocalJournal(path, { afterSeq: 30 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(JSON.stringify((err as InputError).diagnostics)).toContain('"line":38');
  });

  it('does not read folded lines at all: a broken one there does not stop a plan', async () => {
    const path = await journal(40, () => 0);
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[3] = '{not json';
    writeFileSync(path, lines.join('\n'));
    expect((await readLocalJournal(path, { afterSeq: 35 })).map((e) => e.seq)).toEqual([36, 37, 38, 39, 40]);
    // The full read (rollcall journal, history) still reports it.
    await expect(readLocalJournal(path)).rejects.toBeInstanceOf(InputError);
  });
});
