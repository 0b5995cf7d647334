import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { type FileHandle, open, rename } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';

/**
 * The container of the parse cache (one file per cached CSV file): 8-byte magic, strings in
 * UTF-8 chunks (each: Int32 ends, then the text), padding to 4 bytes, Int32 columns, then a
 * JSON header, its u32 length and the magic again. The header comes last so a writer can
 * stream everything before it. Reading checks both magics, version, kind, key, lengths and a
 * CRC-32 of everything between the first magic and the header; the caller checks what the
 * numbers mean. Anything wrong reads as "no cache".
 */

const MAGIC = Buffer.from('RCENRC\n\0', 'latin1');
export const CACHE_VERSION = 5;
/** Strings are decoded chunk by chunk, each far below V8's largest string. */
const CHUNK_CHARS = 1 << 22;

export interface CacheHeader {
  v: number;
  kind: string;
  key: string;
  /** Size in bytes of the CSV file it was read from: a different size skips hashing. */
  size: number;
  ints: number;
  chunks: { count: number; bytes: number }[];
  crc: number;
}

export interface CacheContents<H> {
  header: H & CacheHeader;
  ints: Int32Array;
  strings: StringReader;
}

/** The cache key: the kind and version, the file's digest and those of the files read before it. */
export function cacheKey(kind: string, sha256: string, before: ReadonlyMap<string, string>): string {
  const h = createHash('sha256');
  h.update(`rollcall-${kind}-cache ${CACHE_VERSION}\n${sha256}\n`);
  for (const [name, sha] of [...before].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) h.update(`${name}\0${sha}\n`);
  return h.digest('hex');
}

/** The source size recorded in a cache file, or undefined when there is no readable one. */
export async function cachedSize(dir: string, file: string, kind: string): Promise<number | undefined> {
  const h = await cachedHeader(dir, file, kind);
  return typeof h?.size === 'number' ? h.size : undefined;
}

/** The header of a cache file of this version and kind, read alone (its contents unchecked); else undefined. */
export async function cachedHeader(dir: string, file: string, kind: string): Promise<(Partial<CacheHeader> & Record<string, unknown>) | undefined> {
  try {
    const fh = await open(path.join(dir, file), 'r');
    try {
      const h = await readHeader(fh);
      return h && h.v === CACHE_VERSION && h.kind === kind ? h : undefined;
    } finally {
      await fh.close();
    }
  } catch {
    return undefined;
  }
}

/** The header at the end of a cache file, with where it starts; undefined when the file is not one. */
async function readHeader(fh: FileHandle): Promise<(Partial<CacheHeader> & { at: number }) | undefined> {
  const size = (await fh.stat()).size;
  if (size < 20) return undefined;
  const tail = Buffer.alloc(12);
  if ((await fh.read(tail, 0, 12, size - 12)).bytesRead !== 12 || !tail.subarray(4).equals(MAGIC)) return undefined;
  const len = tail.readUInt32LE(0);
  if (len > 1 << 27 || len > size - 20) return undefined;
  const json = Buffer.alloc(len);
  if ((await fh.read(json, 0, len, size - 12 - len)).bytesRead !== len) return undefined;
  return { ...(JSON.parse(json.toString('utf8')) as Partial<CacheHeader>), at: size - 12 - len };
}

/**
 * Read and check a cache file. It is read part by part (the columns, then one string chunk at a
 * time, through one buffer), so no buffer of the whole file is held beside the roster being
 * built. `strings: false`: the caller reads only how many strings there are (a read that keeps
 * no record ids), so they are checked against the CRC but not decoded. `keyField: 'base'`:
 * `key` is matched against the header's `base` instead of its `key` (a users cache read to be
 * patched for a new export, users-patch.ts).
 */
export async function readCacheFile<H>(dir: string, file: string, kind: string, key: string, opts: { strings?: boolean; keyField?: 'key' | 'base' } = {}): Promise<CacheContents<H> | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(path.join(dir, file), 'r');
  } catch {
    return undefined;
  }
  try {
    const exact = async (buf: Uint8Array, at: number) => (await fh.read(buf, 0, buf.length, at)).bytesRead === buf.length;
    const found = await readHeader(fh);
    if (!found) return undefined;
    const h = found as unknown as H & CacheHeader & { at: number };
    const head = Buffer.alloc(8);
    if (!(await exact(head, 0)) || !head.equals(MAGIC)) return undefined;
    const stored = opts.keyField === 'base' ? (h as { base?: unknown }).base : h.key;
    if (h.v !== CACHE_VERSION || h.kind !== kind || stored !== key || !Number.isInteger(h.ints) || h.ints < 0 || !Array.isArray(h.chunks)) return undefined;
    const stringBytes = h.chunks.reduce((n, c) => n + c.bytes, 0);
    const intsAt = pad4(8 + stringBytes);
    if (intsAt + 4 * h.ints !== h.at) return undefined;
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const keep = opts.strings !== false;
    const chunks: { ends: Int32Array; text: string }[] = [];
    let skipped = 0;
    let crc = 0;
    let at = 8;
    let scratch = Buffer.allocUnsafe(0);
    for (const c of h.chunks) {
      if (!Number.isInteger(c.count) || c.count < 0 || !Number.isInteger(c.bytes) || 4 * c.count > c.bytes || at + c.bytes > intsAt) return undefined;
      if (scratch.length < c.bytes) scratch = Buffer.allocUnsafe(c.bytes);
      const buf = scratch.subarray(0, c.bytes);
      if (!(await exact(buf, at))) return undefined;
      at += c.bytes;
      crc = crc32(buf, crc);
      if (!keep) {
        skipped += c.count;
        continue;
      }
      const ends = new Int32Array(c.count);
      new Uint8Array(ends.buffer).set(buf.subarray(0, 4 * c.count));
      chunks.push({ ends, text: decoder.decode(buf.subarray(4 * c.count)) });
    }
    const pad = Buffer.alloc(intsAt - at);
    if (!(await exact(pad, at))) return undefined;
    crc = crc32(pad, crc);
    const ints = new Int32Array(h.ints);
    const intBytes = new Uint8Array(ints.buffer);
    if (!(await exact(intBytes, intsAt))) return undefined;
    crc = crc32(intBytes, crc);
    if (crc !== h.crc) return undefined;
    return { header: h, ints, strings: new StringReader(chunks, skipped) };
  } catch {
    return undefined;
  } finally {
    await fh.close();
  }
}

/**
 * Strings in the order they were written: each chunk is one decoded string cut at the recorded
 * ends. A read past the end, or a bad end, throws (the caller then ignores the cache).
 */
export class StringReader {
  private c = 0;
  private k = 0;
  private from = 0;
  constructor(
    private readonly chunks: readonly { ends: Int32Array; text: string }[],
    /** Strings checked but not decoded (readCacheFile with `strings: false`): counted only. */
    private readonly skipped = 0,
  ) {}

  next(): string {
    let chunk = this.chunks[this.c];
    while (chunk && this.k >= chunk.ends.length) {
      if (this.from !== chunk.text.length) throw new Error('cache: chunk not used up');
      chunk = this.chunks[++this.c];
      this.k = 0;
      this.from = 0;
    }
    if (!chunk) throw new Error('cache: no more strings');
    const to = chunk.ends[this.k++]!;
    if (to < this.from || to > chunk.text.length) throw new Error('cache: bad string end');
    const s = chunk.text.substring(this.from, to);
    this.from = to;
    return s;
  }

  /** How many strings the chunks hold, read or not. */
  count(): number {
    let n = this.skipped;
    for (const c of this.chunks) n += c.ends.length;
    return n;
  }

  /** True when every string was read. */
  done(): boolean {
    if (this.skipped > 0) return false;
    for (let c = this.c + 1; c < this.chunks.length; c++) if (this.chunks[c]!.ends.length > 0) return false;
    const chunk = this.chunks[this.c];
    return !chunk || (this.k >= chunk.ends.length && this.from === chunk.text.length);
  }
}

/**
 * Writes one cache file: strings as they come (in bounded chunks, straight to disk, so a
 * million people's strings are never held twice), then the columns and the header. Written
 * under a temporary name and renamed, mode 0600; any failure leaves no file (the cache is
 * optional: the next read parses again).
 */
export class CacheWriter {
  private list: string[] = [];
  private ends = new Int32Array(1 << 16);
  private chars = 0;
  private crc = 0;
  private written = 8;
  private readonly meta: { count: number; bytes: number }[] = [];
  private failed = false;

  private constructor(
    private readonly fd: number,
    private readonly tmp: string,
    private readonly target: string,
  ) {}

  /** undefined when the folder or file cannot be made. */
  static open(dir: string, file: string): CacheWriter | undefined {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const target = path.join(dir, file);
      const tmp = `${target}.tmp-${process.pid}`;
      const fd = openSync(tmp, 'w', 0o600);
      const w = new CacheWriter(fd, tmp, target);
      writeSync(fd, MAGIC);
      return w;
    } catch {
      return undefined;
    }
  }

  add(s: string): void {
    if (this.chars + s.length > CHUNK_CHARS && this.list.length > 0) this.flush();
    this.chars += s.length;
    const n = this.list.length;
    if (n === this.ends.length) {
      const grown = new Int32Array(n * 2);
      grown.set(this.ends);
      this.ends = grown;
    }
    this.ends[n] = this.chars;
    this.list.push(s);
  }

  /** Give up: no file is left behind. */
  abort(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    rmSync(this.tmp, { force: true });
  }

  async finish(header: Omit<CacheHeader, 'v' | 'ints' | 'chunks' | 'crc'> & Record<string, unknown>, ints: Int32Array): Promise<void> {
    try {
      if (this.list.length > 0 || this.meta.length === 0) this.flush();
      if (this.failed) throw new Error('cache write failed');
      this.put(Buffer.alloc(pad4(this.written) - this.written));
      this.put(Buffer.from(ints.buffer, ints.byteOffset, ints.byteLength));
      const json = Buffer.from(JSON.stringify({ ...header, v: CACHE_VERSION, ints: ints.length, chunks: this.meta, crc: this.crc }), 'utf8');
      const tail = Buffer.alloc(12);
      tail.writeUInt32LE(json.length, 0);
      MAGIC.copy(tail, 4);
      writeSync(this.fd, json);
      writeSync(this.fd, tail);
      closeSync(this.fd);
      await rename(this.tmp, this.target);
    } catch {
      this.abort();
    }
  }

  private flush(): void {
    try {
      const text = Buffer.from(this.list.join(''), 'utf8');
      const ends = Buffer.from(this.ends.buffer, 0, 4 * this.list.length);
      this.put(ends);
      this.put(text);
      this.meta.push({ count: this.list.length, bytes: ends.length + text.length });
    } catch {
      this.failed = true;
    }
    this.list = [];
    this.chars = 0;
  }

  private put(b: Buffer): void {
    this.crc = crc32(b, this.crc);
    for (let off = 0; off < b.length; ) off += writeSync(this.fd, b, off, b.length - off);
    this.written += b.length;
  }
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** The index of each distinct string in `values`, appended on first sight: a cache header's value table. */
export function valueIndexer(values: string[]): (v: string) => number {
  const index = new Map<string, number>();
  return (v) => {
    let k = index.get(v);
    if (k === undefined) {
      k = values.length;
      index.set(v, k);
      values.push(v);
    }
    return k;
  };
}
