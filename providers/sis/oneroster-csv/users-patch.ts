import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Person } from '../../../engine/model/people.js';
import { readCsv } from '../csv-util/csv-stream.js';
import { DiagnosticSink } from '../csv-util/diagnostic-sink.js';
import type { ExportFile } from '../csv-util/file-set.js';
import { cachedHeader } from './cache-file.js';
import { changedLines, lineCount, lineHashes, lineSpans } from './line-hashes.js';
import { type ParseCtx, tableRows } from './parse.js';
import { type CachedPeople, loadUsersCache, USERS_KIND } from './people-cache.js';
import type { Rec, UserValue } from './records.js';
import { userValue } from './row-values.js';

/**
 * A new users.csv planned before a refresh has parsed it, whose rows changed in place (names,
 * emails, grades; nobody added or dropped). Refresh keeps a hash of each line of the export it
 * parsed, when each row sat on a line of its own (users-lines.ts). If the new file has as many lines and
 * only a few differ, those rows alone are read, through the same row reading a full parse uses
 * (parse.ts tableRows, row-values.ts userValue), and the people of the cached roster at those
 * lines take their new values in place. Anything a full parse could see differently makes
 * this decline, and the file is parsed whole:
 *  - the header line changed, lines were added or removed, or too many changed;
 *  - a changed line has an odd number of quotes (it could open a field across lines);
 *  - a changed row reports anything at all (an error, or a warning a clean cache never has),
 *    is not active, or has another sourcedId than the row it replaces (ids and file positions
 *    unchanged keep roles.bin and enrollments.bin valid, and the roster's order).
 */

/** Above this many changed lines a full parse is as quick, and simpler to trust. */
const MAX_CHANGED_FRACTION = 0.05;
const QUOTE = 0x22;

/** What a users.csv row decides of a person (row-values.ts userValue), all but the id. */
export const ROW_FIELDS = ['enabledUser', 'sisUsername', 'identifier', 'userIds', 'givenName', 'familyName', 'middleName', 'preferredGivenName', 'preferredFamilyName', 'preferredMiddleName', 'email', 'grades'] as const satisfies readonly (keyof Person)[];

function copyField<K extends keyof Person>(to: Person, from: Person, k: K): void {
  to[k] = from[k];
}

/** How many reads took a patch: for tests (the result is the same either way). */
export const patchStats = { patched: 0 };

export interface PatchedUsers {
  people: CachedPeople;
  /** sha256 of the new file, as a parse would have recorded it. */
  sha256: string;
}

/**
 * `checkRow`: the reference checks a parsed row goes through (BulkBuilder.userRowOk), with
 * their reports going to the sink given.
 */
export async function patchUsers(ctx: ParseCtx, file: ExportFile, cacheDir: string, base: string, checkRow: (r: Rec<UserValue>, sink: DiagnosticSink) => boolean): Promise<PatchedUsers | undefined> {
  if (!file.path) return undefined;
  // Cheap checks first: most exports a patch cannot serve add or drop people, and so lines.
  const h = await cachedHeader(cacheDir, `${USERS_KIND}.bin`, USERS_KIND);
  const rows = h?.rows;
  if (h?.base !== base || typeof h.lines !== 'number' || h.lines < 2 || typeof rows !== 'number') return undefined;
  const buf = await readFile(file.path);
  if (lineCount(buf) !== h.lines) return undefined;
  const now = lineHashes(buf, h.lines);
  let changed: number[] | undefined;
  const accept = (stored: Int32Array): boolean => {
    const found = changedRowLines(stored, now, rows);
    changed = typeof found === 'string' ? undefined : found;
    return changed !== undefined && changed.length > 0;
  };
  const cached = await loadUsersCache(cacheDir, base, ctx.intern, { byBase: true, accept });
  if (!cached || !changed) return undefined;
  const text = changedRowsText(buf, changed);
  if (typeof text === 'string') return undefined;
  const read = await readChangedRows(ctx, file.name, text, checkRow);
  if (!read || read.length !== changed.length) return undefined;
  for (let j = 0; j < changed.length; j++) {
    const p = cached.inFile[changed[j]! - 1];
    const v = read[j]!;
    if (!p || v.sourcedId !== p.sourcedId) return undefined;
  }
  // Only now, with every row accepted: the cached people take the new values, field for field
  // (their object shape, roles, enrollments and source line stay).
  for (let j = 0; j < changed.length; j++) {
    const p = cached.inFile[changed[j]! - 1]!;
    const v = read[j]!;
    for (const f of ROW_FIELDS) copyField(p, v, f);
  }
  patchStats.patched++;
  return { people: cached, sha256: createHash('sha256').update(buf).digest('hex') };
}

/**
 * The lines (0-based) whose hashes differ between the stored and the new file, when a patch can
 * serve them: as many lines, the header the same, and at most 5% of the rows changed. Otherwise
 * why not.
 */
export function changedRowLines(stored: Int32Array, now: Int32Array, rows: number): number[] | string {
  const changed = changedLines(stored, now);
  if (changed === undefined) return 'users.csv gained or lost lines';
  if (changed[0] === 0) return 'the users.csv header changed';
  if (changed.length > Math.max(1, Math.floor(rows * MAX_CHANGED_FRACTION))) return 'more than 5% of users.csv changed';
  return changed;
}

/**
 * The header and these lines of the file as a users.csv of their own, for readChangedRows; why
 * not when a line is past the end or has an odd number of quotes (it could open a field across lines).
 */
export function changedRowsText(buf: Buffer, changed: readonly number[]): Buffer | string {
  const spans = lineSpans(buf, [0, ...changed]);
  const parts: Buffer[] = [];
  for (const k of [0, ...changed]) {
    const [s, e] = spans.get(k) ?? [0, -1];
    if (e < s) return 'a changed line is past the end of users.csv';
    const line = buf.subarray(s, e);
    let quotes = 0;
    for (let i = line.indexOf(QUOTE); i !== -1; i = line.indexOf(QUOTE, i + 1)) quotes++;
    if (quotes % 2 !== 0) return 'a changed users.csv line opens a quoted field across lines';
    parts.push(line, Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

/** The header and the changed lines read as a users.csv of their own; undefined if anything is reported. */
export async function readChangedRows(ctx: ParseCtx, name: string, text: Buffer, checkRow: (r: Rec<UserValue>, sink: DiagnosticSink) => boolean): Promise<Person[] | undefined> {
  const sink = new DiagnosticSink();
  const scratch: ParseCtx = { ...ctx, sink, columns: new Map(), digests: new Map(), onProgress: () => undefined };
  const recs: Rec<UserValue>[] = [];
  let invalid = false;
  const rows = tableRows<UserValue>(scratch, name, 'users', 'bulk', userValue(scratch), (r) => recs.push(r), false, () => (invalid = true));
  const part: ExportFile = { name, size: text.length, open: () => Promise.resolve(Readable.from([text])) };
  const res = await readCsv(part, rows.handlers);
  const { headerOk } = rows.done(res);
  if (!headerOk || invalid || sink.reported > 0) return undefined;
  for (const r of recs) if (r.status !== 'active' || !r.value || !checkRow(r, sink)) return undefined;
  return sink.reported > 0 ? undefined : recs.map((r) => r.value!.person);
}
