import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import type { ClassSection, Enrollment } from '../../../engine/model/people.js';
import type { Interner } from '../csv-util/intern.js';
import { makeEnrollment } from './row-values.js';

/**
 * "Refresh once, plan many": the enrollments read from a clean bulk enrollments.csv (no
 * warning, no error), kept in a compact binary file so the next read of the same export skips
 * parsing the biggest file. The result of reading enrollments.csv depends only on its bytes and
 * on the files read before it (manifest, orgs, sessions, courses, classes, users, roles), so
 * the cache key is a digest over all their digests and this format's version. Bump VERSION
 * whenever reading enrollments changes meaning.
 *
 * A cache file is never trusted: magic, version, key, source size, a CRC-32 over the payload
 * and every index are checked, and anything wrong means "no cache" (the file is parsed).
 *
 * Layout: 8-byte magic, u32 header length, JSON header (padded to 4 bytes), then Int32 columns
 * (person index, class, value combination, end of id in its chunk) and the id chunks (UTF-8).
 */

const MAGIC = Buffer.from('RCENRC\n\0', 'latin1');
const VERSION = 1;
/** Ids are decoded chunk by chunk, each far below V8's largest string. */
const CHUNK_CHARS = 1 << 26;

interface Header {
  v: number;
  key: string;
  /** Size in bytes of the enrollments file it was read from: a different size skips hashing. */
  size: number;
  rows: number;
  classes: string[];
  /** role, primary, beginDate, endDate */
  combos: [string, boolean, string | null, string | null][];
  chunks: { rows: number; bytes: number }[];
  crc: number;
}

export interface CachedEnrollments {
  owners: Int32Array;
  list: Enrollment[];
}

export const CACHE_FILE = 'enrollments.bin';

/** The key: this reader's format, the enrollments file's digest and those of the files read before it. */
export function enrollmentCacheKey(enrollmentsSha256: string, before: ReadonlyMap<string, string>): string {
  const h = createHash('sha256');
  h.update(`rollcall-enrollments-cache ${VERSION}\n${enrollmentsSha256}\n`);
  for (const [name, sha] of [...before].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) h.update(`${name}\0${sha}\n`);
  return h.digest('hex');
}

/** The source size recorded in the cache, or undefined when there is no readable cache. */
export async function cachedSourceSize(dir: string): Promise<number | undefined> {
  try {
    const fh = await open(path.join(dir, CACHE_FILE), 'r');
    try {
      const head = Buffer.alloc(12);
      await fh.read(head, 0, 12, 0);
      if (!head.subarray(0, 8).equals(MAGIC)) return undefined;
      const len = head.readUInt32LE(8);
      if (len > 1 << 26) return undefined;
      const json = Buffer.alloc(len);
      await fh.read(json, 0, len, 12);
      const h = JSON.parse(json.toString('utf8')) as Partial<Header>;
      return h.v === VERSION && typeof h.size === 'number' ? h.size : undefined;
    } finally {
      await fh.close();
    }
  } catch {
    return undefined;
  }
}

/** The cached enrollments for `key`, or undefined (missing, stale, corrupt: then parse). */
export async function loadEnrollmentCache(
  dir: string,
  key: string,
  classes: ReadonlyMap<string, ClassSection>,
  people: number,
  intern: Interner,
): Promise<CachedEnrollments | undefined> {
  let buf: Buffer;
  try {
    buf = await readFile(path.join(dir, CACHE_FILE));
  } catch {
    return undefined;
  }
  try {
    return decode(buf, key, classes, people, intern);
  } catch {
    return undefined;
  }
}

function decode(buf: Buffer, key: string, classes: ReadonlyMap<string, ClassSection>, people: number, intern: Interner): CachedEnrollments | undefined {
  if (buf.length < 12 || !buf.subarray(0, 8).equals(MAGIC)) return undefined;
  const len = buf.readUInt32LE(8);
  const start = pad4(12 + len);
  if (start > buf.length) return undefined;
  const h = JSON.parse(buf.toString('utf8', 12, 12 + len)) as Header;
  if (h.v !== VERSION || h.key !== key || !Number.isInteger(h.rows) || h.rows < 0) return undefined;
  if (!Array.isArray(h.classes) || !Array.isArray(h.combos) || !Array.isArray(h.chunks)) return undefined;
  const rows = h.rows;
  const idBytes = h.chunks.reduce((n, c) => n + c.bytes, 0);
  if (h.chunks.reduce((n, c) => n + c.rows, 0) !== rows || start + 16 * rows + idBytes !== buf.length) return undefined;
  if (crc32(buf.subarray(start)) !== h.crc) return undefined;

  // A view when aligned (large files are read into their own buffer); a Buffer's offset in its
  // ArrayBuffer need not be a multiple of 4, and then the columns are copied.
  let ints: Int32Array;
  if ((buf.byteOffset + start) % 4 === 0) ints = new Int32Array(buf.buffer, buf.byteOffset + start, 4 * rows);
  else {
    ints = new Int32Array(4 * rows);
    new Uint8Array(ints.buffer).set(buf.subarray(start, start + 16 * rows));
  }
  const owners = ints.subarray(0, rows);
  const cls = ints.subarray(rows, 2 * rows);
  const combo = ints.subarray(2 * rows, 3 * rows);
  const ends = ints.subarray(3 * rows, 4 * rows);

  const classIds: string[] = [];
  for (const c of h.classes) {
    const found = typeof c === 'string' ? classes.get(c) : undefined;
    if (!found) return undefined;
    classIds.push(found.sourcedId);
  }
  const values = h.combos.map((c) => {
    const [role, primary, begin, end] = c;
    if (typeof role !== 'string' || typeof primary !== 'boolean' || !optString(begin) || !optString(end)) throw new Error('combo');
    return { role: intern.get(role), primary, begin: begin === null ? undefined : intern.get(begin), end: end === null ? undefined : intern.get(end) };
  });

  const list = new Array<Enrollment>(rows);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let row = 0;
  let at = start + 16 * rows;
  for (const chunk of h.chunks) {
    const text = decoder.decode(buf.subarray(at, at + chunk.bytes));
    at += chunk.bytes;
    let from = 0;
    for (let k = 0; k < chunk.rows; k++, row++) {
      const o = owners[row]!;
      const c = cls[row]!;
      const v = values[combo[row]!];
      const to = ends[row]!;
      if (o < 0 || o >= people || c < 0 || c >= classIds.length || v === undefined || to <= from || to > text.length) return undefined;
      list[row] = makeEnrollment(classIds[c]!, v.role, v.primary, text.substring(from, to), v.begin, v.end);
      from = to;
    }
    if (from !== text.length) return undefined;
  }
  return { owners: owners.slice(), list };
}

/** Write the cache for `key` (replacing any other); failures are ignored (the cache is optional). */
export async function saveEnrollmentCache(dir: string, key: string, size: number, owners: Int32Array, list: readonly Enrollment[]): Promise<void> {
  try {
    const rows = list.length;
    const classIndex = new Map<string, number>();
    const comboIndex = new Map<string, number>();
    const header: Header = { v: VERSION, key, size, rows, classes: [], combos: [], chunks: [], crc: 0 };
    const ints = new Int32Array(4 * rows);
    const chunks: Buffer[] = [];
    let ids: string[] = [];
    let chars = 0;
    const flush = (n: number) => {
      const bytes = Buffer.from(ids.join(''), 'utf8');
      chunks.push(bytes);
      header.chunks.push({ rows: n, bytes: bytes.length });
      ids = [];
      chars = 0;
    };
    let chunkRows = 0;
    let last: Pick<Enrollment, 'role' | 'primary' | 'beginDate' | 'endDate'> = { role: '\u0000', primary: false };
    let lastCombo = -1;
    for (let i = 0; i < rows; i++) {
      const e = list[i]!;
      const id = e.sourcedId ?? '';
      if (id === '') return; // only lane-shaped enrollments (every one has its id) are cached
      if (chars + id.length > CHUNK_CHARS) {
        flush(chunkRows);
        chunkRows = 0;
      }
      let c = classIndex.get(e.classSourcedId);
      if (c === undefined) {
        c = header.classes.length;
        classIndex.set(e.classSourcedId, c);
        header.classes.push(e.classSourcedId);
      }
      // Rows repeat the previous row's values far more often than not: build a key only on change.
      if (e.role !== last.role || e.primary !== last.primary || e.beginDate !== last.beginDate || e.endDate !== last.endDate) {
        const ck = `${e.role}\0${e.primary}\0${e.beginDate ?? '\u0001'}\0${e.endDate ?? '\u0001'}`;
        let v = comboIndex.get(ck);
        if (v === undefined) {
          v = header.combos.length;
          comboIndex.set(ck, v);
          header.combos.push([e.role, e.primary, e.beginDate ?? null, e.endDate ?? null]);
        }
        last = e;
        lastCombo = v;
      }
      const v = lastCombo;
      ints[i] = owners[i]!;
      ints[rows + i] = c;
      ints[2 * rows + i] = v;
      chars += id.length;
      ints[3 * rows + i] = chars;
      ids.push(id);
      chunkRows++;
    }
    if (chunkRows > 0 || rows === 0) flush(chunkRows);
    const intBytes = Buffer.from(ints.buffer, ints.byteOffset, ints.byteLength);
    let crc = crc32(intBytes);
    for (const c of chunks) crc = crc32(c, crc);
    header.crc = crc;
    const json = Buffer.from(JSON.stringify(header), 'utf8');
    const head = Buffer.alloc(pad4(12 + json.length));
    MAGIC.copy(head, 0);
    head.writeUInt32LE(json.length, 8);
    json.copy(head, 12);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, CACHE_FILE);
    const tmp = `${file}.tmp-${process.pid}`;
    try {
      const fh = await open(tmp, 'w', 0o600);
      try {
        // One part at a time: no second copy of a payload that can be hundreds of megabytes.
        for (const part of [head, intBytes, ...chunks]) await fh.write(part);
      } finally {
        await fh.close();
      }
      await rename(tmp, file);
    } catch {
      await rm(tmp, { force: true });
    }
  } catch {
    // A cache that cannot be written only means the next read parses again.
  }
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function optString(v: unknown): boolean {
  return v === null || typeof v === 'string';
}
