import { errorDiag } from '../model/diagnostics.js';
import { MAP_VIEW, type MapView } from '../model/map-view.js';
import { InputError } from '../model/errors.js';
import { setEntry } from './line-window.js';
import { EntryChecks, throwEntryErrors } from './schema.js';
import { POOL_SECTION, type StringPool } from './string-pool.js';

/**
 * A map section of the state file (the registry, or one target's `last_applied`) kept as its
 * raw bytes, with an entry parsed only when it is asked for. A plan reads last_applied only
 * for the few people whose account differs from what is wanted, and the registry only for the
 * candidate names of newcomers, yet parsing those million-entry maps up front is most of the
 * state read and of its memory. The bytes stay outside the V8 heap (one Buffer) and the index
 * is two typed arrays, so a million entries cost no heap objects until they are used.
 *
 * Looking an entry up is a binary search over the keys as bytes, which is sound only when the
 * bytes order the keys as JS strings do and each line is exactly one entry. scanSection checks
 * both while it indexes the lines, cheaply (a few memchr calls a line); a section that fails
 * is parsed eagerly by the caller instead, so an odd file costs time, never correctness.
 */

const NL = 0x0a;
const QUOTE = 0x22;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const BACKSLASH = 0x5c;

export interface SectionIndex {
  /** The section's entry lines, each ending in a newline. */
  buf: Buffer;
  /** Byte offset of each line in buf, and buf.length after the last. */
  starts: Uint32Array;
  /** Byte offset of each line's closing key quote; the key is buf[start + 1, keyEnd). */
  keyEnds: Uint32Array;
  count: number;
}

function grown(a: Uint32Array, need: number): Uint32Array {
  if (need <= a.length) return a;
  const next = new Uint32Array(Math.max(need, a.length * 2));
  next.set(a);
  return next;
}

/**
 * Index the entry lines of a section starting at buf[from], up to the line that starts with
 * `}` (at `end`). Null when the section is not in the layout the writer makes (see
 * entryLines in state-file.ts): every line `"key":{...}` with a comma on all but the last,
 * keys plain printable ASCII (no escapes: the raw bytes are the key) in strictly increasing
 * order, and no brace inside a value, so the value is exactly the bytes between the line's
 * first `{` and last `}`. Names with braces are legal, just rare: their section reads eagerly.
 */
export function scanSection(buf: Buffer, from: number): { index: SectionIndex; end: number } | null {
  let starts: Uint32Array = new Uint32Array(1024);
  let keyEnds: Uint32Array = new Uint32Array(1024);
  let count = 0;
  let p = from;
  let prevKey = -1;
  let prevKeyEnd = -1;
  let lastHadComma = false;
  for (;;) {
    if (p >= buf.length) return null;
    if (buf[p] === CLOSE) break;
    if (count > 0 && !lastHadComma) return null;
    const nl = buf.indexOf(NL, p);
    if (nl === -1 || buf[p] !== QUOTE) return null;
    // The key, checked and compared with the previous one byte by byte: keys are short, and
    // this loop costs less than more calls into native code a line. `order` is how the
    // previous key compares so far: -1 smaller, 1 larger, 0 the same bytes up to here.
    let keyEnd = p + 1;
    let order = count === 0 ? -1 : 0;
    let q = prevKey;
    for (; ; keyEnd++) {
      if (keyEnd >= nl) return null;
      const c = buf[keyEnd] as number;
      if (c === QUOTE) break;
      if (c < 0x20 || c >= 0x80 || c === BACKSLASH) return null;
      if (order === 0) {
        if (q >= prevKeyEnd) order = -1;
        else if (buf[q] !== c) order = (buf[q] as number) < c ? -1 : 1;
        else q++;
      }
    }
    // Still 0: the keys are equal, or this one is a prefix of the previous; either way out of order.
    if (order !== -1) return null;
    if (keyEnd + 3 >= nl || buf[keyEnd + 1] !== COLON || buf[keyEnd + 2] !== OPEN) return null;
    lastHadComma = buf[nl - 1] === COMMA;
    const close = lastHadComma ? nl - 2 : nl - 1;
    if (close <= keyEnd + 2 || buf[close] !== CLOSE) return null;
    const open = buf.indexOf(OPEN, keyEnd + 3);
    if (open !== -1 && open < close) return null;
    if (buf.indexOf(CLOSE, keyEnd + 3) !== close) return null;
    starts = grown(starts, count + 2);
    keyEnds = grown(keyEnds, count + 1);
    starts[count] = p - from;
    keyEnds[count] = keyEnd - from;
    count++;
    prevKey = p + 1;
    prevKeyEnd = keyEnd;
    p = nl + 1;
  }
  if (count > 0 && lastHadComma) return null;
  if (p - from > 0xffffffff) return null;
  starts[count] = p - from;
  return { index: { buf: buf.subarray(from, p), starts: starts.subarray(0, count + 1), keyEnds: keyEnds.subarray(0, count), count }, end: p };
}

export interface LazyMapContext {
  /** The state file, named in errors. */
  file: string;
  /** Line number (1-based) of the section's first entry line. */
  firstLine: number;
  /** JSON pointer of the map, for schema errors: /registry or /last_applied/<target>. */
  base: string;
  section: keyof typeof POOL_SECTION;
  pool: StringPool;
  /** Check each entry against its schema when it is parsed, as EntryChecks does for an eager read. */
  check: boolean;
}

/** V8's message without its copy of the text (people's names) or its position within the entry. */
function syntaxDetail(message: string): string {
  return message.replace(/, ".*" is not valid JSON$/s, ' (not valid JSON)').replace(/ in JSON at position \d+.*$/s, '');
}

/** Column of a JSON.parse error within the line, when V8 gives a position. */
function columnOf(message: string, prefix: number): number | undefined {
  const m = / at position (\d+)/.exec(message);
  return m?.[1] === undefined ? undefined : prefix + Number(m[1]) + 1;
}

class LazySection {
  private readonly cache = new Map<number, unknown>();

  constructor(
    private readonly ix: SectionIndex,
    private readonly ctx: LazyMapContext,
  ) {}

  /** Index of the entry with this key, or -1. */
  find(key: string): number {
    // Every key in the section is printable ASCII without quotes or backslashes (scanSection),
    // so any other key is absent, and the rest compare as their Latin-1 bytes.
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      if (c < 0x20 || c >= 0x80 || c === QUOTE || c === BACKSLASH) return -1;
    }
    const want = Buffer.from(key, 'latin1');
    const { buf, starts, keyEnds } = this.ix;
    let lo = 0;
    let hi = this.ix.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const cmp = buf.compare(want, 0, want.length, (starts[mid] as number) + 1, keyEnds[mid]);
      if (cmp === 0) return mid;
      if (cmp < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  key(i: number): string {
    return this.ix.buf.toString('latin1', (this.ix.starts[i] as number) + 1, this.ix.keyEnds[i]);
  }

  /** The entry's value, parsed and pooled; a syntax error throws, schema errors go to `checks` (or throw without it). */
  private parse(i: number, checks?: EntryChecks): unknown {
    const { buf, starts, keyEnds } = this.ix;
    const start = starts[i] as number;
    const valueStart = (keyEnds[i] as number) + 2;
    const lineEnd = (starts[i + 1] as number) - 1;
    const valueEnd = buf[lineEnd - 1] === COMMA ? lineEnd - 1 : lineEnd;
    let value: unknown;
    try {
      value = JSON.parse(buf.toString('utf8', valueStart, valueEnd));
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      const line = this.ctx.firstLine + i;
      // The key is ASCII, so its bytes count as UTF-16 columns do.
      const column = columnOf(msg, valueStart - start);
      const where = column === undefined ? `line ${line}` : `line ${line}, column ${column}`;
      const source = column === undefined ? { file: this.ctx.file, line } : { file: this.ctx.file, line, column };
      throw new InputError([errorDiag('state.corrupt', `corrupt state file: ${syntaxDetail(msg)} (${where})`, { source })]);
    }
    POOL_SECTION[this.ctx.section](value, this.ctx.pool);
    if (this.ctx.check) {
      const own = checks ?? new EntryChecks();
      own.check(this.ctx.base, this.key(i), value);
      if (checks === undefined && own.errors.length > 0) throwEntryErrors(own, this.ctx.file);
    }
    return value;
  }

  entry(i: number): unknown {
    if (this.cache.has(i)) return this.cache.get(i);
    const value = this.parse(i);
    this.cache.set(i, value);
    return value;
  }

  /** Every entry in file order, parsed (and checked) but not kept: for one walk of the map (MapView). */
  *walk(): Generator<[string, unknown]> {
    for (let i = 0; i < this.ix.count; i++) yield [this.key(i), this.cache.has(i) ? this.cache.get(i) : this.parse(i)];
  }

  /** Every entry, in file order, into `into`: the object an eager read would have made. */
  fill(into: Record<string, unknown>): void {
    const checks = this.ctx.check ? new EntryChecks() : undefined;
    const values: unknown[] = new Array(this.ix.count);
    // An entry at a time: parsing pieces of many lines at once measured no faster.
    for (let i = 0; i < this.ix.count; i++) values[i] = this.cache.has(i) ? this.cache.get(i) : this.parse(i, checks);
    // All or nothing: a bad entry leaves the map as it was, and the next touch reports it again.
    if (checks && checks.errors.length > 0) throwEntryErrors(checks, this.ctx.file);
    for (let i = 0; i < this.ix.count; i++) setEntry(into, this.key(i), values[i]);
  }
}

/**
 * A map that parses its entries on demand. Looking one up (get, `in`, hasOwnProperty) finds
 * just that line; enumerating or changing the map first parses it all into the plain object
 * behind the proxy, so from then on it is exactly what an eager read returns (same entries,
 * same key order, Object.prototype inherited). Every error an eager read would raise at once
 * is raised when the bad entry is touched, with the same code and line.
 */
export function lazyMap(index: SectionIndex, ctx: LazyMapContext): Record<string, unknown> {
  let lazy: LazySection | null = new LazySection(index, ctx);
  const whole = (t: Record<string, unknown>): void => {
    if (lazy === null) return;
    lazy.fill(t);
    lazy = null;
    // The proxy now only forwards to the plain object. Without traps V8 forwards natively: the
    // lookups that follow a walk of the registry (restoring names) call no JS per key.
    for (const trap of Object.keys(handler) as (keyof typeof handler)[]) delete handler[trap];
  };
  // Answers from the bytes while the map is still lazy; once parsed whole, the plain object has no view.
  const view: MapView<unknown> = {
    has: (key) => (lazy === null ? Object.hasOwn(target, key) : lazy.find(key) !== -1),
    entries: () => (lazy === null ? Object.entries(target) : lazy.walk()),
  };
  const target: Record<string, unknown> = {};
  const handler: ProxyHandler<Record<string, unknown>> = {
    get(t, key, receiver) {
      if (key === MAP_VIEW) return lazy === null ? undefined : view;
      if (lazy !== null && typeof key === 'string') {
        const i = lazy.find(key);
        if (i !== -1) return lazy.entry(i);
      }
      return Reflect.get(t, key, receiver);
    },
    has(t, key) {
      if (lazy !== null && typeof key === 'string') {
        const i = lazy.find(key);
        if (i !== -1) {
          lazy.entry(i);
          return true;
        }
      }
      return Reflect.has(t, key);
    },
    getOwnPropertyDescriptor(t, key) {
      if (lazy !== null && typeof key === 'string') {
        const i = lazy.find(key);
        if (i !== -1) return { value: lazy.entry(i), writable: true, enumerable: true, configurable: true };
      }
      return Reflect.getOwnPropertyDescriptor(t, key);
    },
    ownKeys(t) {
      whole(t);
      return Reflect.ownKeys(t);
    },
    set(t, key, value, receiver) {
      whole(t);
      return Reflect.set(t, key, value, receiver);
    },
    defineProperty(t, key, desc) {
      whole(t);
      return Reflect.defineProperty(t, key, desc);
    },
    deleteProperty(t, key) {
      whole(t);
      return Reflect.deleteProperty(t, key);
    },
    preventExtensions(t) {
      whole(t);
      return Reflect.preventExtensions(t);
    },
  };
  return new Proxy<Record<string, unknown>>(target, handler);
}
