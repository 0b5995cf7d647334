import { readSync } from 'node:fs';

/**
 * A JSON Lines file read front to back in pieces of whole lines, each piece parsed by one
 * JSON.parse call: the newlines become commas in the bytes themselves and the piece is
 * decoded once between a `[` and a `]` written around it, so no text is copied to join it.
 *
 * Lines that are arrays opening with one of the `unwrap` prefixes (e.g. `["A","sandbox",`)
 * and closing with their `]` are parsed without that wrapper: its bytes are blanked to
 * spaces, so the line parses as its last element alone and `unwrapped` says which prefix it
 * had. At a million lines that saves a million short-lived arrays and two string lookups
 * each. The prefix fixes the wrapper's leading elements, so nothing is lost.
 *
 * A piece that does not parse as one array of exactly one value per line (a blank line, a
 * broken line) is parsed again line by line from its original bytes, which also finds the
 * broken line.
 *
 * With `sum` set, every byte of the file from offset `sumFrom` on is handed to it as read,
 * before a piece's bytes are edited for parsing: for a checksum of the lines as on disk.
 */

const NL = 0x0a;
const COMMA = 0x2c;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const SPACE = 0x20;

/** A line that is not valid JSON, by its 1-based line number. */
export class BrokenJsonLine extends Error {
  constructor(readonly line: number) {
    super(`line ${line} is not valid JSON`);
  }
}

export interface JsonPiece {
  /** One value per line; null for a blank line. */
  records: unknown[];
  /** Per line: 0, or 1 + the index of the `unwrap` prefix the line had (records holds its last element). */
  unwrapped: Uint8Array;
  /** The 1-based line number of records[0]. */
  firstLine: number;
}

export class JsonLinePieces {
  /** Wrapper prefixes to strip (at most 255), as UTF-8 bytes; may change between pieces. */
  unwrap: Buffer[] = [];
  /** Fed the file's bytes from `sumFrom` on, in order (set both before the first piece). */
  sum: ((bytes: Buffer) => void) | undefined;
  sumFrom = 0;

  // buf[0] is the `[`; bytes [1, len) are read and not yet handed out. One byte after
  // them is always free, for the `]` after a last line without a newline.
  private buf: Buffer;
  private len = 1;
  private fileOffset = 0;
  private line = 1;
  private newlines = new Int32Array(1 << 14);
  private kinds = new Uint8Array(1 << 14);

  constructor(
    private readonly fd: number,
    private readonly windowBytes: number,
  ) {
    this.buf = Buffer.allocUnsafe(2 * windowBytes + 2);
    this.buf[0] = OPEN;
  }

  *pieces(): Generator<JsonPiece> {
    for (;;) {
      if (this.buf.length - this.len - 1 < this.windowBytes) {
        const next = Buffer.allocUnsafe(this.len + this.windowBytes + 1);
        this.buf.copy(next, 0, 0, this.len);
        this.buf = next;
      }
      let eof = false;
      const stop = this.len + this.windowBytes;
      while (this.len < stop) {
        const n = readSync(this.fd, this.buf, this.len, stop - this.len, this.fileOffset);
        if (n === 0) {
          eof = true;
          break;
        }
        this.len += n;
        this.fileOffset += n;
      }
      if (eof) {
        const end = this.len > 1 && this.buf[this.len - 1] === NL ? this.len - 1 : this.len;
        this.sumRead(this.len);
        // A file that is empty or ends in its only newline has no lines to hand out.
        if (end > 1) yield this.piece(end);
        return;
      }
      const lastNl = this.buf.lastIndexOf(NL, this.len - 1);
      if (lastNl < 1) continue; // one line longer than a window: read on
      this.sumRead(lastNl + 1);
      yield this.piece(lastNl);
      this.buf.copy(this.buf, 1, lastNl + 1, this.len);
      this.len -= lastNl;
    }
  }

  /** The lines in bytes [1, end) of the buffer. */
  private piece(end: number): JsonPiece {
    const buf = this.buf;
    let count = 0;
    let start = 1;
    for (;;) {
      const nl = buf.indexOf(NL, start);
      const stop = nl === -1 || nl >= end ? end : nl;
      if (count === this.newlines.length) this.grow();
      this.kinds[count] = this.unwrapLine(start, stop);
      this.newlines[count++] = stop;
      if (stop === end) break;
      buf[stop] = COMMA;
      start = stop + 1;
    }
    const firstLine = this.line;
    this.line += count;
    const lineStart = (j: number): number => (j === 0 ? 1 : this.newlines[j - 1]! + 1);

    buf[end] = CLOSE;
    let records: unknown;
    try {
      records = JSON.parse(buf.toString('utf8', 0, end + 1));
    } catch {
      records = undefined;
    }
    if (Array.isArray(records) && records.length === count) return { records, unwrapped: this.kinds.slice(0, count), firstLine };

    const out: unknown[] = [];
    for (let j = 0; j < count; j++) {
      const s = lineStart(j);
      const e = this.newlines[j]!;
      const kind = this.kinds[j]!;
      if (kind !== 0) {
        this.unwrap[kind - 1]!.copy(buf, s);
        buf[e - 1] = CLOSE;
      }
      const text = buf.toString('utf8', s, e);
      if (text.trim() === '') {
        out.push(null);
        continue;
      }
      try {
        out.push(JSON.parse(text));
      } catch {
        throw new BrokenJsonLine(firstLine + j);
      }
    }
    return { records: out, unwrapped: new Uint8Array(count), firstLine };
  }

  /** Sums buffer bytes [1, end) (they are about to be handed out), those at or past sumFrom. */
  private sumRead(end: number): void {
    if (this.sum === undefined) return;
    // File offset of buf[1]: everything read so far, less what is still in the buffer.
    const first = this.fileOffset - (this.len - 1);
    const start = Math.max(1, 1 + this.sumFrom - first);
    if (start < end) this.sum(this.buf.subarray(start, end));
  }

  /** Blanks the line's wrapper when it has one of the prefixes; which one, or 0. */
  private unwrapLine(s: number, e: number): number {
    const buf = this.buf;
    if (e - s < 2 || buf[e - 1] !== CLOSE) return 0;
    for (let k = 0; k < this.unwrap.length; k++) {
      const p = this.unwrap[k]!;
      const n = p.length;
      if (e - s <= n) continue;
      let i = 0;
      while (i < n && buf[s + i] === p[i]) i++;
      if (i < n) continue;
      buf.fill(SPACE, s, s + n);
      buf[e - 1] = SPACE;
      return k + 1;
    }
    return 0;
  }

  private grow(): void {
    const newlines = new Int32Array(this.newlines.length * 2);
    newlines.set(this.newlines);
    this.newlines = newlines;
    const kinds = new Uint8Array(this.kinds.length * 2);
    kinds.set(this.kinds);
    this.kinds = kinds;
  }
}
