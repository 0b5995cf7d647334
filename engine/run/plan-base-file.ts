import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, promises as fs } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { BuiltBase, PersonCapsule, PlanBase } from '../incremental/base.js';
import { fsyncDir } from '../state/fs-durable.js';
import { processIsGone } from '../state/holder.js';
import { BrokenJsonLine, JsonLinePieces } from './json-line-pieces.js';

/**
 * The plan base on disk (engine/incremental/base.ts): written by `rollcall refresh`, read by
 * `plan --refresh=false`, which always reads the header, reads the base plan and the shared
 * inputs only when it decides to use the base, and reads only the capsules of the few people
 * whose users.csv rows changed. At a million people the capsules total one to two gigabytes
 * and a first plan hundreds of megabytes, past V8's largest string (~512 MB): everything is
 * written in batches and read in pieces or by byte range, never as one string.
 *
 * `.rollcall/cache/plan/` (0700; files 0600, they hold student data):
 *   header.json      one JSON line (format, version, byte order, validity, counts, the layout
 *                    of base.jsonl, each file's size and CRC-32), then the CRC-32 of that line
 *   base.jsonl       JSON Lines: the plan's fields, then the shared inputs' fields, in their
 *                    key order; a field that is an array takes one line per item (a plan's
 *                    changes and state updates), any other field one line. The header's
 *                    layout says which key takes how many lines. Read with JsonLinePieces.
 *   capsules.jsonl   one capsule per line, in roster order
 *   capsules.idx     per users.csv line k (1..lines): float64 byte offset of the capsule of
 *                    the person on that line (-1 for none), then per line its uint32 byte
 *                    length, then per line the uint32 CRC-32 of those bytes (three arrays)
 *   users-lines.bin  the users.csv line hashes as given (int32, two per line)
 * Binary files are in the writer's byte order, which the header names; a reader of the other
 * order sees no base.
 *
 * The whole folder is built beside the live one and renamed over it, so a reader sees the old
 * base, the new one, or (for the moment between two renames) none. Every byte read is checked:
 * a file's size and CRC-32 against the header, and each capsule against its own CRC-32 in the
 * index (a capsule is read alone, so a checksum of all 2 GB could never be checked). Those
 * checks also catch a base replaced between opening it and reading a part of it.
 */

/** What a plan checks before trusting a base: opaque JSON to this module (written and returned as is). */
export type BaseValidity = Record<string, unknown>;

export interface StoredBase {
  validity: BaseValidity;
  /** users.csv line hashes stored with the base (two int32 per line, see providers/sis/oneroster-csv/line-hashes.ts). */
  usersLineHashes(): Promise<Int32Array>;
  /** The base plan and the shared inputs. */
  base(): Promise<PlanBase>;
  /** The capsules of the people whose row is on these 1-based users.csv lines (person.source.line); undefined for a line with no person. */
  capsulesAtLines(lines: readonly number[]): Promise<(PersonCapsule | undefined)[]>;
}

/**
 * A part of an opened base turned out damaged, torn, or replaced since it was opened. Thrown
 * by StoredBase's methods (openPlanBase itself returns null instead): the caller plans in full.
 */
export class PlanBaseUnreadable extends Error {
  constructor(
    readonly file: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`plan base ${file}: ${detail}`, options);
    this.name = 'PlanBaseUnreadable';
  }
}

const FORMAT = 'rollcall-plan-base';
const VERSION = 1;

const HEADER = 'header.json';
const BASE = 'base.jsonl';
const CAPSULES = 'capsules.jsonl';
const INDEX = 'capsules.idx';
const USERS_LINES = 'users-lines.bin';
const DATA_FILES = [BASE, CAPSULES, INDEX, USERS_LINES] as const;
type DataFile = (typeof DATA_FILES)[number];

/** Bytes per users.csv line in capsules.idx: a float64 offset, a uint32 length, a uint32 CRC. */
const INDEX_ENTRY_BYTES = 16;
/** Lines are gathered into writes of about this many bytes. */
const WRITE_BYTES = 4 * 2 ** 20;
const NL = 0x0a;
const WINDOW_BYTES = 4 * 2 ** 20;
/** A header is counts and a small validity record; anything larger is not one. */
const HEADER_LIMIT = 16 * 2 ** 20;

const LIVE = 'plan';
const TEMP_PREFIX = '.plan.tmp-';
const OLD_PREFIX = '.plan.old-';

/** Per top-level key of an object, in key order: how many lines its items take, or null for one line holding the value. */
type Layout = [key: string, items: number | null][];

interface FileSum {
  bytes: number;
  /** 8 hex digits; for capsules.jsonl, null: each capsule's own CRC-32 is in the index. */
  crc32: string | null;
}

interface Header {
  format: typeof FORMAT;
  version: typeof VERSION;
  endian: 'LE' | 'BE';
  validity: BaseValidity;
  /** Capsules in capsules.jsonl: the roster's people. */
  people: number;
  /** users.csv lines the index covers (1..lines). */
  lines: number;
  /** Lines that hold a capsule (a line two capsules claim, or none, holds none). */
  indexed: number;
  layout: { plan: Layout; shared: Layout };
  files: Record<DataFile, FileSum>;
}

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');

function planBaseDir(policyDir: string): string {
  return join(cacheDir(policyDir), LIVE);
}

function cacheDir(policyDir: string): string {
  return join(policyDir, '.rollcall', 'cache');
}

const codeOf = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | undefined)?.code;

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/** Write the base atomically: into a temp dir beside it, fsync, then rename over `.rollcall/cache/plan` (remove the old one). Folder 0700, files 0600 (they hold student data). */
export async function writePlanBase(policyDir: string, built: BuiltBase, validity: BaseValidity, usersLineHashes: Int32Array): Promise<void> {
  const cache = cacheDir(policyDir);
  await fs.mkdir(cache, { recursive: true, mode: 0o700 });
  await removeLeftovers(cache);
  const tmp = join(cache, `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
  await fs.mkdir(tmp, { mode: 0o700 });
  try {
    const layout: Header['layout'] = { plan: [], shared: [] };
    const base = await writeTextFile(join(tmp, BASE), baseLines(built.base, layout));
    // The index covers every line of users.csv (a plan asks for no other), and at least one a
    // person when no hashes are given; a stray huge line number cannot blow it up.
    const lines = Math.max(usersLineHashes.length >>> 1, built.capsules.length + 1);
    const capsules = await writeCapsules(join(tmp, CAPSULES), built.capsules, lines);
    const index = await writeBytesFile(join(tmp, INDEX), capsules.index.bytes());
    const users = await writeBytesFile(join(tmp, USERS_LINES), Buffer.from(usersLineHashes.buffer, usersLineHashes.byteOffset, usersLineHashes.byteLength));
    const header: Header = {
      format: FORMAT,
      version: VERSION,
      endian: endianness(),
      validity,
      people: built.capsules.length,
      lines,
      indexed: capsules.index.indexed(),
      layout,
      files: { [BASE]: base, [CAPSULES]: { bytes: capsules.bytes, crc32: null }, [INDEX]: index, [USERS_LINES]: users },
    };
    const json = JSON.stringify(header);
    await writeBytesFile(join(tmp, HEADER), Buffer.from(`${json}\n${hex8(crc32(json))}\n`));
    await fsyncDir(tmp);
    await swapIn(cache, tmp);
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** One value's line; JSON has no text for undefined, an array item of which reads as null. */
const jsonLine = (v: unknown): string => JSON.stringify(v) ?? 'null';

/** The lines of base.jsonl: the plan's fields, then the shared inputs', recording the layout as it goes. */
function* baseLines(base: PlanBase, layout: Header['layout']): Generator<string> {
  yield* fieldLines(base.plan, layout.plan);
  yield* fieldLines(base.shared, layout.shared);
}

function* fieldLines(obj: object, layout: Layout): Generator<string> {
  for (const [key, value] of Object.entries(obj)) {
    if (value === undefined) continue; // as JSON.stringify leaves it out
    if (Array.isArray(value)) {
      layout.push([key, value.length]);
      for (const item of value as unknown[]) yield jsonLine(item);
    } else {
      layout.push([key, null]);
      yield jsonLine(value);
    }
  }
}

/** A new 0600 file written front to back, with its size and (when `summed`) the CRC-32 of what went in. */
class SummedFile {
  bytes = 0;
  private crc = 0;

  private constructor(
    private readonly fh: fs.FileHandle,
    private readonly summed: boolean,
  ) {}

  static async create(path: string, summed: boolean): Promise<SummedFile> {
    return new SummedFile(await fs.open(path, 'wx', 0o600), summed);
  }

  async write(buf: Buffer): Promise<void> {
    if (this.summed) this.crc = crc32(buf, this.crc);
    this.bytes += buf.length;
    // writeFile on a handle writes at the current position and retries short writes.
    await this.fh.writeFile(buf);
  }

  /** fsync and close; the file's size and checksum. */
  async finish(): Promise<FileSum> {
    await this.fh.sync();
    await this.fh.close();
    return { bytes: this.bytes, crc32: this.summed ? hex8(this.crc) : null };
  }

  async abandon(): Promise<void> {
    await this.fh.close();
  }
}

async function withNewFile(path: string, summed: boolean, fill: (out: SummedFile) => Promise<void>): Promise<FileSum> {
  const out = await SummedFile.create(path, summed);
  try {
    await fill(out);
  } catch (e) {
    await out.abandon();
    throw e;
  }
  return out.finish();
}

async function writeBytesFile(path: string, bytes: Buffer): Promise<FileSum> {
  return withNewFile(path, true, (out) => out.write(bytes));
}

/**
 * Lines encoded straight into one reusable buffer, handed to the file when the next would not
 * fit: no joined string and no buffer per line, which at two gigabytes of capsules are
 * seconds of copying and garbage.
 */
class LineBuffer {
  private buf = Buffer.allocUnsafe(WRITE_BYTES);
  private used = 0;

  /** Whether `text` surely fits: UTF-8 takes at most 3 bytes per UTF-16 unit, and a newline. */
  fits(text: string): boolean {
    return this.used + 3 * text.length + 1 <= this.buf.length;
  }

  /** The bytes put so far, to be written before the next put; the buffer is then empty, and large enough for `next`. */
  take(next?: string): Buffer {
    const out = this.buf.subarray(0, this.used);
    this.used = 0;
    if (next !== undefined && !this.fits(next)) this.buf = Buffer.allocUnsafe(3 * next.length + 1);
    return out;
  }

  /** Appends `text` and a newline (call only when it fits); the line's bytes, without the newline. */
  put(text: string): Buffer {
    const at = this.used;
    const n = this.buf.write(text, at, 'utf8');
    this.buf[at + n] = NL;
    this.used = at + n + 1;
    return this.buf.subarray(at, at + n);
  }

  get size(): number {
    return this.used;
  }
}

async function writeTextFile(path: string, lines: Iterable<string>): Promise<FileSum> {
  return withNewFile(path, true, async (out) => {
    const buf = new LineBuffer();
    for (const line of lines) {
      if (!buf.fits(line)) await out.write(buf.take(line));
      buf.put(line);
    }
    await out.write(buf.take());
  });
}

/**
 * Where each users.csv line's capsule sits in capsules.jsonl. A line no capsule claims, or
 * that two claim (it cannot say whose it is), gets none: a plan asking for it finds no
 * person there and declines or plans that person in full.
 */
class LineIndex {
  private readonly buf: Buffer;
  private readonly offsets: Float64Array;
  private readonly lengths: Uint32Array;
  private readonly sums: Uint32Array;
  private readonly claims: Uint8Array;

  constructor(readonly lines: number) {
    this.buf = Buffer.alloc(lines * INDEX_ENTRY_BYTES);
    this.offsets = new Float64Array(this.buf.buffer, this.buf.byteOffset, lines).fill(-1);
    this.lengths = new Uint32Array(this.buf.buffer, this.buf.byteOffset + 8 * lines, lines);
    this.sums = new Uint32Array(this.buf.buffer, this.buf.byteOffset + 12 * lines, lines);
    this.claims = new Uint8Array(lines);
  }

  /** A capsule at `offset` claims its line; a line out of range (or none) is not indexed. */
  claim(line: unknown, offset: number, length: number, sum: number): void {
    if (typeof line !== 'number' || !Number.isInteger(line) || line < 1 || line > this.lines) return;
    const k = line - 1;
    if (this.claims[k]! < 2) this.claims[k]!++;
    this.offsets[k] = offset;
    this.lengths[k] = length;
    this.sums[k] = sum;
  }

  /** The index as written: lines two capsules claimed are cleared. */
  bytes(): Buffer {
    for (let k = 0; k < this.lines; k++) {
      if (this.claims[k]! > 1) {
        this.offsets[k] = -1;
        this.lengths[k] = 0;
        this.sums[k] = 0;
      }
    }
    return this.buf;
  }

  indexed(): number {
    let n = 0;
    for (let k = 0; k < this.lines; k++) if (this.claims[k] === 1) n++;
    return n;
  }
}

/**
 * capsules.jsonl and the index of the users.csv lines its capsules are on, each capsule summed
 * on its own as it is encoded. The file as a whole is not summed: it is only ever read a
 * capsule at a time.
 */
async function writeCapsules(path: string, capsules: readonly PersonCapsule[], lines: number): Promise<{ bytes: number; index: LineIndex }> {
  const index = new LineIndex(lines);
  const sum = await withNewFile(path, false, async (out) => {
    const buf = new LineBuffer();
    for (const c of capsules) {
      const text = JSON.stringify(c);
      if (!buf.fits(text)) await out.write(buf.take(text));
      const offset = out.bytes + buf.size;
      const bytes = buf.put(text);
      index.claim(c.person.source.line, offset, bytes.length, crc32(bytes));
    }
    await out.write(buf.take());
  });
  return { bytes: sum.bytes, index };
}

/**
 * Put the finished folder in place of the live one. A folder cannot be renamed over a
 * non-empty one, so the live one is moved aside first and removed after; a crash between
 * the two renames leaves no base (the next plan plans in full) and a leftover the next write
 * removes. A writer that lost a race to another (the live name taken again in between) tries
 * again, and the last one in wins.
 */
async function swapIn(cache: string, tmp: string): Promise<void> {
  const live = join(cache, LIVE);
  for (let attempt = 0; ; attempt++) {
    const old = await moveAside(cache);
    try {
      await fs.rename(tmp, live);
    } catch (e) {
      if (old !== null) await fs.rm(old, { recursive: true, force: true });
      const code = codeOf(e);
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && attempt < 3) continue;
      throw e;
    }
    // Durable before the old base goes: a crash then leaves one base or the other.
    await fsyncDir(cache);
    if (old !== null) await fs.rm(old, { recursive: true, force: true });
    return;
  }
}

/** Rename the live base out of the way; its new path, or null when there was none. */
async function moveAside(cache: string): Promise<string | null> {
  const old = join(cache, `${OLD_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    await fs.rename(join(cache, LIVE), old);
    return old;
  } catch (e) {
    if (codeOf(e) === 'ENOENT') return null;
    throw e;
  }
}

/** Folders a crashed writer left: moved-aside bases, and temp folders of processes that are gone. */
async function removeLeftovers(cache: string): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(cache);
  } catch {
    return;
  }
  const stale = names.filter((n) => n.startsWith(OLD_PREFIX) || (n.startsWith(TEMP_PREFIX) && processIsGone(Number(n.slice(TEMP_PREFIX.length).split('-')[0]))));
  await Promise.all(stale.map((n) => fs.rm(join(cache, n), { recursive: true, force: true })));
}

export async function removePlanBase(policyDir: string): Promise<void> {
  const cache = cacheDir(policyDir);
  // Moved aside first, so a reader never finds half a folder.
  const old = await moveAside(cache).catch((e: unknown) => {
    if (codeOf(e) === 'ENOENT' || codeOf(e) === 'ENOTDIR') return null;
    throw e;
  });
  if (old !== null) {
    await fsyncDir(cache);
    await fs.rm(old, { recursive: true, force: true });
  }
  await removeLeftovers(cache);
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

/** null when there is no base, or it is unreadable / of another format version (never throws for a missing or corrupt base: a plan then plans in full). */
export async function openPlanBase(policyDir: string): Promise<StoredBase | null> {
  const dir = planBaseDir(policyDir);
  try {
    const header = await readHeader(dir);
    if (header === null || !(await sizesHold(dir, header))) return null;
    return new StoredPlanBase(dir, header);
  } catch {
    // Unreadable for any reason (permissions, a folder in the file's place): no base.
    return null;
  }
}

/** The header when it is whole, of this format and version, and written in this byte order. */
async function readHeader(dir: string): Promise<Header | null> {
  const path = join(dir, HEADER);
  let text: string;
  try {
    const stat = await fs.stat(path);
    if (!stat.isFile() || stat.size > HEADER_LIMIT) return null;
    text = await fs.readFile(path, 'utf8');
  } catch {
    return null;
  }
  const m = /^(.*)\n([0-9a-f]{8})\n$/s.exec(text);
  if (!m || hex8(crc32(m[1]!)) !== m[2]) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(m[1]!);
  } catch {
    return null;
  }
  return asHeader(parsed);
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isLayout(v: unknown): v is Layout {
  return Array.isArray(v) && v.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && (e[1] === null || isCount(e[1])));
}

function isFileSum(v: unknown, summed: boolean): v is FileSum {
  return isRecord(v) && isCount(v.bytes) && (summed ? typeof v.crc32 === 'string' && /^[0-9a-f]{8}$/.test(v.crc32) : v.crc32 === null);
}

/** The header's fields checked one by one: a header of another rollcall reads as no base. */
function asHeader(v: unknown): Header | null {
  if (!isRecord(v) || v.format !== FORMAT || v.version !== VERSION || v.endian !== endianness()) return null;
  if (!isRecord(v.validity) || !isCount(v.people) || !isCount(v.lines) || !isCount(v.indexed)) return null;
  if (!isRecord(v.layout) || !isLayout(v.layout.plan) || !isLayout(v.layout.shared)) return null;
  const files = v.files;
  if (!isRecord(files) || !DATA_FILES.every((f) => isFileSum(files[f], f !== CAPSULES))) return null;
  const header = v as unknown as Header;
  if (header.files[INDEX].bytes !== header.lines * INDEX_ENTRY_BYTES || header.files[USERS_LINES].bytes % 4 !== 0) return null;
  return header;
}

/** Every data file is there at the size the header says: a torn or truncated base is none. */
async function sizesHold(dir: string, header: Header): Promise<boolean> {
  const stats = await Promise.all(DATA_FILES.map((f) => fs.stat(join(dir, f))));
  return stats.every((s, i) => s.isFile() && s.size === header.files[DATA_FILES[i]!].bytes);
}

/** A Uint8Array's bytes at an offset a typed array of `width`-byte elements can view. */
function aligned(buf: Buffer, width: number): Buffer {
  if (buf.byteOffset % width === 0) return buf;
  // Buffer.alloc has its own memory, never a slice of the shared pool at any offset.
  const copy = Buffer.alloc(buf.length);
  buf.copy(copy);
  return copy;
}

/** capsules.idx as arrays, by users.csv line - 1. */
interface LoadedIndex {
  offsets: Float64Array;
  lengths: Uint32Array;
  sums: Uint32Array;
}

class StoredPlanBase implements StoredBase {
  readonly validity: BaseValidity;
  private index: Promise<LoadedIndex> | undefined;

  constructor(
    private readonly dir: string,
    private readonly header: Header,
  ) {
    this.validity = header.validity;
  }

  async usersLineHashes(): Promise<Int32Array> {
    const buf = aligned(await this.readSummed(USERS_LINES), 4);
    return new Int32Array(buf.buffer, buf.byteOffset, buf.length / 4);
  }

  async base(): Promise<PlanBase> {
    return readBaseFile(join(this.dir, BASE), this.header);
  }

  async capsulesAtLines(lines: readonly number[]): Promise<(PersonCapsule | undefined)[]> {
    const index = await (this.index ??= this.loadIndex());
    const out: (PersonCapsule | undefined)[] = new Array<PersonCapsule | undefined>(lines.length).fill(undefined);
    // Read in file order, so a few neighbours' capsules are read front to back.
    const wanted = lines
      .map((line, at) => ({ at, k: line - 1 }))
      .filter(({ k }) => Number.isInteger(k) && k >= 0 && k < this.header.lines && index.offsets[k]! >= 0)
      .sort((a, b) => index.offsets[a.k]! - index.offsets[b.k]!);
    if (wanted.length === 0) return out;
    const fh = await this.open(CAPSULES);
    try {
      // The same size as when opened: a base replaced since then is not read as this one.
      if ((await fh.stat()).size !== this.header.files[CAPSULES].bytes) throw new PlanBaseUnreadable(CAPSULES, 'changed since the base was opened');
      for (const { at, k } of wanted) out[at] = await readCapsule(fh, index.offsets[k]!, index.lengths[k]!, index.sums[k]!);
    } finally {
      await fh.close();
    }
    return out;
  }

  private async loadIndex(): Promise<LoadedIndex> {
    const buf = aligned(await this.readSummed(INDEX), 8);
    const n = this.header.lines;
    return {
      offsets: new Float64Array(buf.buffer, buf.byteOffset, n),
      lengths: new Uint32Array(buf.buffer, buf.byteOffset + 8 * n, n),
      sums: new Uint32Array(buf.buffer, buf.byteOffset + 12 * n, n),
    };
  }

  /** A small file whole, checked against the header's size and CRC-32. */
  private async readSummed(file: DataFile): Promise<Buffer> {
    let buf: Buffer;
    try {
      buf = await fs.readFile(join(this.dir, file));
    } catch (e) {
      throw new PlanBaseUnreadable(file, `cannot be read (${codeOf(e) ?? 'error'})`, { cause: e });
    }
    const want = this.header.files[file];
    if (buf.length !== want.bytes || hex8(crc32(buf)) !== want.crc32) throw new PlanBaseUnreadable(file, 'does not match its checksum');
    return buf;
  }

  private async open(file: DataFile): Promise<fs.FileHandle> {
    try {
      return await fs.open(join(this.dir, file), 'r');
    } catch (e) {
      throw new PlanBaseUnreadable(file, `cannot be read (${codeOf(e) ?? 'error'})`, { cause: e });
    }
  }
}

/** One capsule by its byte range, checked against its CRC-32 before it is parsed. */
async function readCapsule(fh: fs.FileHandle, offset: number, length: number, sum: number): Promise<PersonCapsule> {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  if (got !== length || crc32(buf) !== sum) throw new PlanBaseUnreadable(CAPSULES, `the capsule at byte ${offset} does not match its checksum`);
  try {
    return JSON.parse(buf.toString('utf8')) as PersonCapsule;
  } catch (e) {
    throw new PlanBaseUnreadable(CAPSULES, `the capsule at byte ${offset} is not JSON`, { cause: e });
  }
}

/**
 * base.jsonl back into the plan and the shared inputs, by the header's layout, summing the
 * bytes as they are read: a file that does not match its checksum is not trusted, even when
 * it parsed.
 */
function readBaseFile(path: string, header: Header): PlanBase {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new PlanBaseUnreadable(BASE, `cannot be read (${codeOf(e) ?? 'error'})`, { cause: e });
  }
  try {
    const want = header.files[BASE];
    if (fstatSync(fd).size !== want.bytes) throw new PlanBaseUnreadable(BASE, 'changed since the base was opened');
    const lines = new JsonLinePieces(fd, WINDOW_BYTES);
    let crc = 0;
    lines.sum = (bytes) => {
      crc = crc32(bytes, crc);
    };
    const values = records(lines);
    const plan = fieldsOf(values, header.layout.plan);
    const shared = fieldsOf(values, header.layout.shared);
    if (!values.next().done) throw new PlanBaseUnreadable(BASE, 'has more lines than its header says');
    if (hex8(crc) !== want.crc32) throw new PlanBaseUnreadable(BASE, 'does not match its checksum');
    return { plan, shared } as unknown as PlanBase;
  } catch (e) {
    if (e instanceof PlanBaseUnreadable) throw e;
    if (e instanceof BrokenJsonLine) throw new PlanBaseUnreadable(BASE, `line ${e.line} is not valid JSON`, { cause: e });
    throw new PlanBaseUnreadable(BASE, `cannot be read (${codeOf(e) ?? String(e)})`, { cause: e });
  } finally {
    closeSync(fd);
  }
}

function* records(lines: JsonLinePieces): Generator<unknown> {
  for (const piece of lines.pieces()) yield* piece.records;
}

/** An object of the layout's keys, in its order, each from the next line or lines. */
function fieldsOf(values: Iterator<unknown>, layout: Layout): Record<string, unknown> {
  const next = (): unknown => {
    const r = values.next();
    if (r.done) throw new PlanBaseUnreadable(BASE, 'ends before its header says');
    return r.value;
  };
  const entries: [string, unknown][] = [];
  for (const [key, items] of layout) {
    if (items === null) {
      entries.push([key, next()]);
      continue;
    }
    const arr: unknown[] = [];
    for (let i = 0; i < items; i++) arr.push(next());
    entries.push([key, arr]);
  }
  // fromEntries defines own properties: a key such as __proto__ stays a key.
  return Object.fromEntries(entries);
}
