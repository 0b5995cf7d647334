import { createReadStream, promises as fs } from 'node:fs';
import { createInterface } from 'node:readline';
import type { JournalEntry } from '../model/state.js';
import { stringifyLine } from './canonical-json.js';
import { appendDurably } from './fs-durable.js';
import { type JournalFilter, journalMatcher } from './journal-filter.js';
import { assertJournalEntry, parseJsonAt } from './schema.js';

/**
 * The local journal: JSON Lines beside the state file, only ever appended to. `seq` is the
 * backend's (1, 2, 3, ... in file order); the caller's value is ignored. A crash mid-append
 * can leave a torn last line; readers skip it and the next append (under the lock) cuts it off.
 */

const NL = 0x0a;

/** Byte length of the complete lines, and the last complete line's text. */
async function tail(path: string): Promise<{ goodBytes: number; size: number; lastLine: string | null }> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { goodBytes: 0, size: 0, lastLine: null };
    throw err;
  }
  try {
    const size = (await fh.stat()).size;
    for (let chunk = 64 * 1024; ; chunk *= 4) {
      const start = Math.max(0, size - chunk);
      const buf = Buffer.alloc(size - start);
      await fh.read(buf, 0, buf.length, start);
      const lastNl = buf.lastIndexOf(NL);
      if (lastNl === -1) {
        if (start === 0) return { goodBytes: 0, size, lastLine: null };
        continue;
      }
      const prevNl = buf.lastIndexOf(NL, lastNl - 1);
      if (prevNl === -1 && start > 0) continue;
      return { goodBytes: start + lastNl + 1, size, lastLine: buf.subarray(prevNl + 1, lastNl).toString('utf8') };
    }
  } finally {
    await fh.close();
  }
}

export async function appendLocalJournal(path: string, entries: readonly JournalEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const t = await tail(path);
  if (t.goodBytes < t.size) await fs.truncate(path, t.goodBytes); // a torn line from a crash
  let seq = 0;
  if (t.lastLine !== null) {
    const last = parseJsonAt(t.lastLine, path) as Partial<JournalEntry>;
    seq = typeof last.seq === 'number' ? last.seq : 0;
  }
  const lines = entries.map((e) => {
    const numbered = { ...e, seq: ++seq };
    assertJournalEntry(numbered, path);
    return stringifyLine(numbered) + '\n';
  });
  await appendDurably(path, lines.join(''));
}

/** Streams the file (a journal outgrows a string), stopping before a torn last line. */
export async function readLocalJournal(path: string, filter?: JournalFilter): Promise<JournalEntry[]> {
  const match = journalMatcher(filter);
  const t = await tail(path);
  if (t.goodBytes === 0) return [];
  const lines = createInterface({ input: createReadStream(path, { start: 0, end: t.goodBytes - 1, encoding: 'utf8' }), crlfDelay: Infinity });
  const out: JournalEntry[] = [];
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    const entry = assertJournalEntry(parseJsonAt(line, path, lineNo), path, lineNo);
    if (match(entry)) out.push(entry);
  }
  return out;
}
