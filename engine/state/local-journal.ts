import { createReadStream, promises as fs } from 'node:fs';
import { createInterface } from 'node:readline';
import type { JournalEntry } from '../model/state.js';
import { stringifyLine } from './canonical-json.js';
import { appendDurably } from './fs-durable.js';
import { type JournalFilter, journalMatcher } from './journal-filter.js';
import { InputError } from '../model/errors.js';
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

/**
 * Streams the file (a journal outgrows a string), stopping before a torn last line.
 *
 * With only `afterSeq` (every plan and apply asks for what state has not folded in), just the
 * end of the file is read: seqs grow in file order, because appends are numbered from the
 * last line under the lock, so the wanted lines follow the last line whose seq is not above
 * `afterSeq`. The journal of a district keeps every change ever applied (a 100,000-person
 * first apply alone writes ~170 MB), and reading it all made each later plan slower.
 */
export async function readLocalJournal(path: string, filter?: JournalFilter): Promise<JournalEntry[]> {
  const match = journalMatcher(filter);
  const t = await tail(path);
  if (t.goodBytes === 0) return [];
  const onlyAfter = filter?.afterSeq !== undefined && filter.since === undefined && filter.anchor === undefined;
  if (onlyAfter) {
    const start = await startAfterSeq(path, t.goodBytes, filter.afterSeq!);
    if (start === t.goodBytes) return [];
    if (start !== null && start > 0) {
      try {
        return await readLines(path, start, t.goodBytes, match, null);
      } catch (err) {
        // Report a broken line by its real line number: read the whole file as before.
        if (!(err instanceof InputError)) throw err;
      }
    }
  }
  return readLines(path, 0, t.goodBytes, match, 0);
}

async function readLines(path: string, start: number, end: number, match: (e: JournalEntry) => boolean, firstLine: number | null): Promise<JournalEntry[]> {
  const lines = createInterface({ input: createReadStream(path, { start, end: end - 1, encoding: 'utf8' }), crlfDelay: Infinity });
  const out: JournalEntry[] = [];
  let lineNo = firstLine ?? 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    const at = firstLine === null ? undefined : lineNo;
    const entry = assertJournalEntry(parseJsonAt(line, path, at), path, at);
    if (match(entry)) out.push(entry);
  }
  return out;
}

/**
 * The byte offset where the lines with seq above `afterSeq` begin, found by reading the file
 * backwards a window at a time; `end` when there are none, null when a line on the way does
 * not parse (the caller then reads everything and reports it).
 */
async function startAfterSeq(path: string, end: number, afterSeq: number): Promise<number | null> {
  const fh = await fs.open(path, 'r');
  try {
    // Every line from `decided` to `end` has seq > afterSeq; `decided` is always a line start.
    let decided = end;
    for (let window = 256 * 1024; decided > 0; window *= 2) {
      const from = Math.max(0, decided - window);
      const text = Buffer.alloc(decided - from);
      await fh.read(text, 0, text.length, from);
      // `text` ends with the \n of the line just before `decided`. Walk its lines backwards.
      let lineEnd = text.length;
      for (;;) {
        const nl = lineEnd >= 2 ? text.lastIndexOf(NL, lineEnd - 2) : -1;
        if (nl === -1 && from > 0) break; // this line may start before the window: widen it
        const line = text.subarray(nl + 1, lineEnd).toString('utf8').trim();
        if (line !== '') {
          let seq: unknown;
          try {
            seq = (JSON.parse(line) as { seq?: unknown }).seq;
          } catch {
            return null;
          }
          if (typeof seq !== 'number') return null;
          if (seq <= afterSeq) return from + lineEnd;
        }
        lineEnd = nl + 1;
        decided = from + lineEnd;
        if (nl === -1) return 0;
      }
    }
    return 0;
  } finally {
    await fh.close();
  }
}
