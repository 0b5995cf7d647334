import { createHash } from 'node:crypto';
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
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

/**
 * Read and check a cache file. It is read part by part (the columns, then one string chunk at a
 * time), so no buffer of the whole file is held beside the roster being built.
 */
export async function readCacheFile<H>(dir: string, file: string, kind: string, key: string): Promise<CacheContents<H> | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(path.join(dir, file), 'r');
  } catch {
    return undefined;
  }
  try {
    const exact = async (buf: Uint8Array, at: number) => (await fh.read(buf, 0, buf.length, at)).bytesRead === buf.length;
    const size = (await fh.stat()).size;
    const head = Buffer.alloc(12);
    if (size < 12 || !(await exact(head, 0)) || !head.subarray(0, 8).equals(MAGIC)) return undefined;
    const len = head.readUInt32LE(8);
    const start = pad4(12 + len);
    if (start > size) return undefined;
    const json = Buffer.alloc(len);
    if (!(await exact(json, 12))) return undefined;
    const h = JSON.parse(json.toString('utf8')) as H & CacheHeader;
    if (h.v !== CACHE_VERSION || h.kind !== kind || h.key !== key || !Number.isInteger(h.ints) || h.ints < 0 || !Array.isArray(h.chunks)) return undefined;
    const stringBytes = h.chunks.reduce((n, c) => n + c.bytes, 0);
    if (start + 4 * h.ints + stringBytes !== size) return undefined;
    const ints = new Int32Array(h.ints);
    const intBytes = new Uint8Array(ints.buffer);
    if (!(await exact(intBytes, start))) return undefined;
    let crc = crc32(intBytes);
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const chunks: { ends: Int32Array; text: string }[] = [];
    let at = start + 4 * h.ints;
    for (const c of h.chunks) {
      if (!Number.isInteger(c.count) || c.count < 0 || 4 * c.count > c.bytes) return undefined;
      const buf = Buffer.allocUnsafe(c.bytes);
      if (!(await exact(buf, at))) return undefined;
      at += c.bytes;
      crc = crc32(buf, crc);
      const ends = new Int32Array(c.count);
      new Uint8Array(ends.buffer).set(buf.subarray(0, 4 * c.count));
      chunks.push({ ends, text: decoder.decode(buf.subarray(4 * c.count)) });
    }
    if (crc !== h.crc) return undefined;
    return { header: h, ints, strings: new StringReader(chunks) };
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
  constructor(private readonly chunks: readonly { ends: Int32Array; text: string }[]) {}

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

  /** True when every string was read. */
  done(): boolean {
    for (let c = this.c + 1; c < this.chunks.length; c++) if (this.chunks[c]!.ends.length > 0) return false;
    const chunk = this.chunks[this.c];
    return !chunk || (this.k >= chunk.ends.length && this.from === chunk.text.length);
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
