import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';

/**
 * The container of the parse cache (one file per cached CSV file): 8-byte magic, u32 header
 * length, a JSON header (padded to 4 bytes), Int32 columns, then strings in UTF-8 chunks.
 * Reading checks magic, version, kind, key, lengths and a CRC-32 of everything after the
 * header; the caller checks what the numbers mean. Anything wrong reads as "no cache".
 */

const MAGIC = Buffer.from('RCENRC\n\0', 'latin1');
export const CACHE_VERSION = 1;
/** Strings are decoded chunk by chunk, each far below V8's largest string. */
const CHUNK_CHARS = 1 << 26;

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
  try {
    const fh = await open(path.join(dir, file), 'r');
    try {
      const head = Buffer.alloc(12);
      await fh.read(head, 0, 12, 0);
      if (!head.subarray(0, 8).equals(MAGIC)) return undefined;
      const len = head.readUInt32LE(8);
      if (len > 1 << 26) return undefined;
      const json = Buffer.alloc(len);
      await fh.read(json, 0, len, 12);
      const h = JSON.parse(json.toString('utf8')) as Partial<CacheHeader>;
      return h.v === CACHE_VERSION && h.kind === kind && typeof h.size === 'number' ? h.size : undefined;
    } finally {
      await fh.close();
    }
  } catch {
    return undefined;
  }
}

export async function readCacheFile<H>(dir: string, file: string, kind: string, key: string): Promise<CacheContents<H> | undefined> {
  let buf: Buffer;
  try {
    buf = await readFile(path.join(dir, file));
  } catch {
    return undefined;
  }
  try {
    if (buf.length < 12 || !buf.subarray(0, 8).equals(MAGIC)) return undefined;
    const len = buf.readUInt32LE(8);
    const start = pad4(12 + len);
    if (start > buf.length) return undefined;
    const h = JSON.parse(buf.toString('utf8', 12, 12 + len)) as H & CacheHeader;
    if (h.v !== CACHE_VERSION || h.kind !== kind || h.key !== key || !Number.isInteger(h.ints) || h.ints < 0 || !Array.isArray(h.chunks)) return undefined;
    const stringBytes = h.chunks.reduce((n, c) => n + c.bytes, 0);
    if (start + 4 * h.ints + stringBytes !== buf.length) return undefined;
    if (crc32(buf.subarray(start)) !== h.crc) return undefined;
    // A view when aligned (large files are read into their own buffer), else a copy.
    let ints: Int32Array;
    if ((buf.byteOffset + start) % 4 === 0) ints = new Int32Array(buf.buffer, buf.byteOffset + start, h.ints);
    else {
      ints = new Int32Array(h.ints);
      new Uint8Array(ints.buffer).set(buf.subarray(start, start + 4 * h.ints));
    }
    return { header: h, ints, strings: new StringReader(buf, start + 4 * h.ints, h.chunks) };
  } catch {
    return undefined;
  }
}

/**
 * Strings in the order they were written. Each chunk is one decoded string cut at the recorded
 * ends; a read past the end, or a bad end, throws (the caller then ignores the cache).
 */
export class StringReader {
  private chunk = -1;
  private text = '';
  private ends = new Int32Array(0);
  private k = 0;
  private from = 0;
  private at: number;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  constructor(
    private readonly buf: Buffer,
    start: number,
    private readonly chunks: readonly { count: number; bytes: number }[],
  ) {
    this.at = start;
  }

  /** Ends of strings come first in each chunk: count Int32 values, then the UTF-8 bytes. */
  next(): string {
    while (this.k >= this.ends.length) this.load();
    const to = this.ends[this.k++]!;
    if (to < this.from || to > this.text.length) throw new Error('cache: bad string end');
    const s = this.text.substring(this.from, to);
    this.from = to;
    return s;
  }

  /** True when every string was read. */
  done(): boolean {
    return this.k >= this.ends.length && this.chunk === this.chunks.length - 1 && this.from === this.text.length;
  }

  private load(): void {
    if (this.chunk >= 0 && this.from !== this.text.length) throw new Error('cache: chunk not used up');
    const c = this.chunks[++this.chunk];
    if (!c || c.count < 0 || 4 * c.count > c.bytes) throw new Error('cache: no more strings');
    const ends = new Int32Array(c.count);
    new Uint8Array(ends.buffer).set(this.buf.subarray(this.at, this.at + 4 * c.count));
    this.text = this.decoder.decode(this.buf.subarray(this.at + 4 * c.count, this.at + c.bytes));
    this.at += c.bytes;
    this.ends = ends;
    this.k = 0;
    this.from = 0;
  }
}

/** Collects strings for a cache file, in chunks of bounded length. */
export class StringWriter {
  readonly chunks: Buffer[] = [];
  readonly meta: { count: number; bytes: number }[] = [];
  private list: string[] = [];
  private ends: number[] = [];
  private chars = 0;

  add(s: string): void {
    if (this.chars + s.length > CHUNK_CHARS && this.list.length > 0) this.flush();
    this.chars += s.length;
    this.list.push(s);
    this.ends.push(this.chars);
  }

  finish(): void {
    if (this.list.length > 0 || this.meta.length === 0) this.flush();
  }

  private flush(): void {
    const text = Buffer.from(this.list.join(''), 'utf8');
    const ends = Buffer.from(Int32Array.from(this.ends).buffer);
    this.chunks.push(ends, text);
    this.meta.push({ count: this.list.length, bytes: ends.length + text.length });
    this.list = [];
    this.ends = [];
    this.chars = 0;
  }
}

/** Write a cache file atomically (mode 0600); failures are ignored (the cache is optional). */
export async function writeCacheFile(dir: string, file: string, header: Omit<CacheHeader, 'v' | 'ints' | 'chunks' | 'crc'> & Record<string, unknown>, ints: Int32Array, strings: StringWriter): Promise<void> {
  try {
    strings.finish();
    const intBytes = Buffer.from(ints.buffer, ints.byteOffset, ints.byteLength);
    let crc = crc32(intBytes);
    for (const c of strings.chunks) crc = crc32(c, crc);
    const json = Buffer.from(JSON.stringify({ ...header, v: CACHE_VERSION, ints: ints.length, chunks: strings.meta, crc }), 'utf8');
    const head = Buffer.alloc(pad4(12 + json.length));
    MAGIC.copy(head, 0);
    head.writeUInt32LE(json.length, 8);
    json.copy(head, 12);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const target = path.join(dir, file);
    const tmp = `${target}.tmp-${process.pid}`;
    try {
      const fh = await open(tmp, 'w', 0o600);
      try {
        // One part at a time: no second copy of a payload that can be hundreds of megabytes.
        for (const part of [head, intBytes, ...strings.chunks]) await fh.write(part);
      } finally {
        await fh.close();
      }
      await rename(tmp, target);
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
