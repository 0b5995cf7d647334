import { fstatSync, readSync } from 'node:fs';

/**
 * A file read front to back through a bounded window of bytes, handing out whole lines or
 * runs of whole lines. No string it returns is longer than about two windows (or one line
 * that does not fit), so a file far beyond V8's largest string (~512 MB) reads fine.
 * Synchronous: callers parse what they get at once, and the sandbox store loads synchronously.
 *
 * Also the reader of "map sections": JSON objects written one entry per line, closed by a
 * line starting with `}` (the state file and the sandbox directory use this layout).
 */

const NL = 0x0a;
const CLOSE = 0x7d; // '}'
const LINE_THEN_CLOSE = Buffer.from('\n}');

export interface Piece {
  text: string;
  /** File byte offset of the piece's first byte. */
  offset: number;
}

/** What the map-section readers need of a source of lines: a file window or bytes in memory. */
export interface Lines {
  /** File byte offset of the next unread byte. */
  readonly offset: number;
  line(): string | null;
  untilClose(): Iterable<Piece>;
}

/** Newlines in buf[from, to), by memchr rather than a byte loop. */
export function countNewlines(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = buf.indexOf(NL, from); i !== -1 && i < to; i = buf.indexOf(NL, i + 1)) n++;
  return n;
}

export class LineWindow implements Lines {
  private buf = Buffer.alloc(0);
  private pos = 0;
  private fileOffset = 0;
  private eof = false;
  /** Newlines read past so far, when counting was asked for: a later error can name its line without reading the file again. */
  linesRead = 0;

  constructor(
    private readonly fd: number,
    private readonly windowBytes: number,
    private readonly countLines = false,
  ) {}

  /** File byte offset of the next unread byte. */
  get offset(): number {
    return this.fileOffset - (this.buf.length - this.pos);
  }

  /** Keep the unread tail and read at least a window more after it; false at end of file. */
  private fill(): boolean {
    if (this.eof) return false;
    const rest = this.buf.length - this.pos;
    const next = Buffer.allocUnsafe(rest + this.windowBytes);
    this.buf.copy(next, 0, this.pos);
    let got = rest;
    while (got < next.length) {
      const n = readSync(this.fd, next, got, next.length - got, this.fileOffset);
      if (n === 0) {
        this.eof = true;
        break;
      }
      got += n;
      this.fileOffset += n;
    }
    this.buf = next.subarray(0, got);
    this.pos = 0;
    return got > rest;
  }

  private take(end: number, skip: number): Piece {
    const piece = { text: this.buf.toString('utf8', this.pos, end), offset: this.offset };
    if (this.countLines) this.linesRead += countNewlines(this.buf, this.pos, end + skip);
    this.pos = end + skip;
    return piece;
  }

  /**
   * Every byte not read yet, in one buffer the caller keeps (outside the V8 heap); the
   * window is then at the end of the file.
   */
  rest(): Buffer {
    const buffered = this.buf.length - this.pos;
    const out = Buffer.allocUnsafe(buffered + Math.max(0, fstatSync(this.fd).size - this.fileOffset));
    this.buf.copy(out, 0, this.pos);
    let got = buffered;
    while (got < out.length) {
      const n = readSync(this.fd, out, got, out.length - got, this.fileOffset);
      if (n === 0) break;
      got += n;
      this.fileOffset += n;
    }
    this.buf = Buffer.alloc(0);
    this.pos = 0;
    this.eof = true;
    return out.subarray(0, got);
  }

  /**
   * The bytes untilClose would hand out and then the `}` that closes them (none at the end of
   * the file), in one buffer the caller keeps outside the V8 heap: a map section to be parsed
   * later, closed as scanSection expects. The window then stands at that `}`. Lines are not
   * counted; the caller, which looks at every line anyway, adds them to linesRead.
   */
  section(): Buffer {
    const parts: Buffer[] = [];
    let size = 0;
    const keep = (end: number): void => {
      parts.push(this.buf.subarray(this.pos, end));
      size += end - this.pos;
      this.pos = end;
    };
    for (;;) {
      let close = this.pos < this.buf.length && this.buf[this.pos] === CLOSE ? this.pos : -1;
      if (close === -1) {
        const end = this.buf.indexOf(LINE_THEN_CLOSE, this.pos);
        if (end !== -1) {
          keep(end + 1);
          close = end + 1;
        }
      }
      if (close !== -1) {
        parts.push(this.buf.subarray(close, close + 1));
        size++;
        break;
      }
      // Whole lines only, so "\n}" is never split between two windows.
      const lastNl = this.buf.lastIndexOf(NL);
      if (lastNl >= this.pos) keep(lastNl + 1);
      if (!this.fill()) {
        keep(this.buf.length);
        break;
      }
    }
    // A copy even of one piece: a small section should not keep a whole window alive.
    return Buffer.concat(parts, size);
  }

  /** The next line without its newline, or null at end of file. */
  line(): string | null {
    for (;;) {
      const nl = this.buf.indexOf(NL, this.pos);
      if (nl !== -1) return this.take(nl, 1).text;
      if (!this.fill()) return this.pos >= this.buf.length ? null : this.take(this.buf.length, 0).text;
    }
  }

  /**
   * The lines before the next line that starts with `}`, in pieces of whole lines of about a
   * window each. Stops before that line (or at the end of the file, which callers reject).
   */
  *untilClose(): Generator<Piece> {
    for (;;) {
      if (this.pos < this.buf.length && this.buf[this.pos] === CLOSE) return;
      const end = this.buf.indexOf(LINE_THEN_CLOSE, this.pos);
      if (end !== -1) {
        yield this.take(end, 1);
        return;
      }
      const lastNl = this.buf.lastIndexOf(NL);
      if (lastNl >= this.pos && this.buf.length - this.pos >= this.windowBytes / 2) {
        yield this.take(lastNl, 1);
        continue;
      }
      if (!this.fill()) {
        if (this.pos < this.buf.length) yield this.take(this.buf.length, 0);
        return;
      }
    }
  }

  /** The rest of the file in pieces of whole lines (the last one without its final newline). */
  *pieces(): Generator<Piece> {
    for (;;) {
      const lastNl = this.buf.lastIndexOf(NL);
      if (lastNl >= this.pos && this.buf.length - this.pos >= this.windowBytes / 2) {
        yield this.take(lastNl, 1);
        continue;
      }
      if (!this.fill()) {
        if (this.pos < this.buf.length) yield this.take(this.buf[this.buf.length - 1] === NL ? this.buf.length - 1 : this.buf.length, 1);
        return;
      }
    }
  }
}

/**
 * Lines of bytes already in memory, read as LineWindow reads a file: the tail of a state file
 * kept whole so its sections can be parsed later, entry by entry. `base` is the file offset of
 * buf[0] and `lineNo` the line number of the line at `pos`, for error reports.
 */
export class BufferLines implements Lines {
  pos = 0;

  constructor(
    readonly buf: Buffer,
    private readonly base: number,
    public lineNo: number,
    private readonly windowBytes: number,
  ) {}

  get offset(): number {
    return this.base + this.pos;
  }

  /** Move past bytes the caller scanned itself, holding `lines` whole lines. */
  skip(to: number, lines: number): void {
    this.pos = to;
    this.lineNo += lines;
  }

  private take(end: number, skip: number): Piece {
    const piece = { text: this.buf.toString('utf8', this.pos, end), offset: this.offset };
    this.lineNo += countNewlines(this.buf, this.pos, end + skip);
    this.pos = end + skip;
    return piece;
  }

  line(): string | null {
    if (this.pos >= this.buf.length) return null;
    const nl = this.buf.indexOf(NL, this.pos);
    return nl === -1 ? this.take(this.buf.length, 0).text : this.take(nl, 1).text;
  }

  *untilClose(): Generator<Piece> {
    for (;;) {
      if (this.pos >= this.buf.length || this.buf[this.pos] === CLOSE) return;
      const close = this.buf.indexOf(LINE_THEN_CLOSE, this.pos);
      const stop = close === -1 ? this.buf.length : close;
      let end = stop;
      if (stop - this.pos > this.windowBytes) {
        const nl = this.buf.lastIndexOf(NL, this.pos + this.windowBytes);
        if (nl > this.pos) end = nl;
      }
      yield this.take(end, end < this.buf.length ? 1 : 0);
      if (end === stop) return;
    }
  }
}

/** Where a file stopped following its line layout (or JSON), by byte offset. */
export class LayoutError extends Error {
  constructor(
    readonly offset: number,
    readonly detail: string,
  ) {
    super(detail);
  }
}

export function setEntry(into: Record<string, unknown>, key: string, value: unknown): void {
  // A plain assignment of "__proto__" would replace the prototype instead of adding an entry.
  if (key === '__proto__') Object.defineProperty(into, key, { value, enumerable: true, writable: true, configurable: true });
  else into[key] = value;
}

/**
 * A map section's entry lines parsed piece by piece into one object. `onEntry` sees each
 * entry as it is moved in: the pieces are small, so checking there costs less than a
 * second walk of a million-key map.
 */
export function readMapBody(lines: Lines, onEntry?: (key: string, value: unknown) => void): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  let pendingComma = false;
  for (const piece of lines.untilClose()) {
    if (!pendingComma && out !== undefined) throw new LayoutError(piece.offset, 'expected "," after the previous entry');
    const text = piece.text.trimEnd();
    pendingComma = text.endsWith(',');
    const body = pendingComma ? text.slice(0, -1) : text;
    let entries: Record<string, unknown>;
    try {
      entries = JSON.parse(`{${body}}`) as Record<string, unknown>;
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      const pos = /position (\d+)/.exec(msg);
      const at = pos?.[1] === undefined ? 0 : Math.max(0, Number(pos[1]) - 1);
      throw new LayoutError(piece.offset + Buffer.byteLength(body.slice(0, at)), msg);
    }
    if (out === undefined) {
      out = entries;
      if (onEntry) for (const k of Object.keys(entries)) onEntry(k, entries[k]);
    } else {
      for (const k of Object.keys(entries)) {
        const value = entries[k];
        onEntry?.(k, value);
        setEntry(out, k, value);
      }
    }
  }
  if (pendingComma) throw new LayoutError(lines.offset, 'unexpected "," after the last entry');
  return out ?? {};
}

export function expectLine(lines: Lines, want: string): void {
  const at = lines.offset;
  const got = lines.line();
  if (got === null || got.trimEnd() !== want) throw new LayoutError(at, `expected ${want}`);
}

/** Nothing but blank lines may follow the end of the document. */
export function expectEnd(lines: Lines): void {
  const at = lines.offset;
  for (let rest = lines.line(); rest !== null; rest = lines.line()) {
    if (rest.trim() !== '') throw new LayoutError(at, 'unexpected text after the end of the document');
  }
}
