import { createReadStream, createWriteStream, renameSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import type { ObservedAccount, ObservedGroup, TargetSnapshot } from '../model/accounts.js';
import { InputError } from '../model/errors.js';

/**
 * The local snapshot written by `rollcall refresh` and read by `plan --refresh=false`:
 * JSON Lines, one account or group per line, so a million accounts stream in and out
 * without one giant string. Line 1 is a header with the format and the time it was taken.
 *   {"format":"rollcall-snapshot","version":1,"taken_at":"..."}
 *   ["T", target, containers[], cursor|null]
 *   ["A", target, account]
 *   ["G", target, group]
 */

type Line = ['T', string, string[], string | null] | ['A', string, ObservedAccount] | ['G', string, ObservedGroup];

export interface SnapshotFile {
  takenAt: string;
  snapshots: TargetSnapshot[];
}

export async function writeSnapshotFile(path: string, snapshots: readonly TargetSnapshot[], takenAt: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  const out = createWriteStream(tmp, { mode: 0o600 });
  const write = async (s: string): Promise<void> => {
    if (!out.write(s + '\n')) await once(out, 'drain');
  };
  await write(JSON.stringify({ format: 'rollcall-snapshot', version: 1, taken_at: takenAt }));
  for (const s of snapshots) {
    await write(JSON.stringify(['T', s.target, s.containers, s.cursor ?? null]));
    for (const a of s.accounts) await write(JSON.stringify(['A', s.target, a]));
    for (const g of s.groups) await write(JSON.stringify(['G', s.target, g]));
  }
  out.end();
  await once(out, 'finish');
  renameSync(tmp, path);
}

export async function readSnapshotFile(path: string): Promise<SnapshotFile> {
  const bad = (line: number, summary: string): InputError => new InputError([{ severity: 'error', code: 'snapshot.parse', summary, source: { file: path, line } }]);
  let rl;
  try {
    rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  } catch {
    throw bad(0, 'cannot read the snapshot file; run `rollcall refresh` first');
  }
  const byTarget = new Map<string, TargetSnapshot>();
  let takenAt = '';
  let n = 0;
  try {
    for await (const text of rl) {
      n++;
      if (!text) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw bad(n, 'not valid JSON');
      }
      if (n === 1) {
        const h = parsed as { format?: string; taken_at?: string };
        if (h.format !== 'rollcall-snapshot') throw bad(1, 'not a rollcall snapshot file');
        takenAt = h.taken_at ?? '';
        continue;
      }
      const line = parsed as Line;
      const t = line[1];
      let snap = byTarget.get(t);
      if (!snap) {
        snap = { target: t, accounts: [], groups: [], containers: [] };
        byTarget.set(t, snap);
      }
      if (line[0] === 'T') {
        snap.containers = line[2];
        if (line[3]) snap.cursor = line[3];
      } else if (line[0] === 'A') snap.accounts.push(line[2]);
      else if (line[0] === 'G') snap.groups.push(line[2]);
      else throw bad(n, 'unknown record kind');
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw bad(n, `cannot read the snapshot file (${(e as NodeJS.ErrnoException).code ?? 'error'}); run \`rollcall refresh\` first`);
  }
  return { takenAt, snapshots: [...byTarget.values()] };
}
