import type { promises as fs } from 'node:fs';

/**
 * A file read front to back through a bounded window of bytes, handing out whole lines or
 * runs of whole lines. No string it returns is longer than the window (plus one line that
 * does not fit, which grows the window), so a file far beyond V8's largest string reads fine.
 */

const NL = 0x0a;
const CLOSE = 0x7d; // '}'
const LINE_THEN_CLOSE = Buffer.from('\n}');

export class LineWindow {
  private buf = Buffer.alloc(0);
  private pos = 0;
  private fileOffset = 0;
  private eof = false;

  constructor(
    private readonly fh: fs.FileHandle,
    private readonly windowBytes: number,
  ) {}

  /** File byte offset of the next unread byte. */
  get offset(): number {
    return this.fileOffset - (this.buf.length - this.pos);
  }

  /** Keep the unread tail and read more after it; false at end of file. */
  private async fill(minBytes: number): Promise<boolean> {
    if (this.eof) return false;
    const rest = this.buf.length - this.pos;
    const next = Buffer.allocUnsafe(Math.max(this.windowBytes, rest + minBytes));
    this.buf.copy(next, 0, this.pos);
    const { bytesRead } = await this.fh.read(next, rest, next.length - rest, this.fileOffset);
    this.fileOffset += bytesRead;
    if (bytesRead === 0) this.eof = true;
    this.buf = next.subarray(0, rest + bytesRead);
    this.pos = 0;
    return bytesRead > 0;
  }

  /** The next line without its newline, or null at end of file. */
  async line(): Promise<string | null> {
    for (;;) {
      const nl = this.buf.indexOf(NL, this.pos);
      if (nl !== -1) {
        const s = this.buf.toString('utf8', this.pos, nl);
        this.pos = nl + 1;
        return s;
      }
      if (!(await this.fill(this.buf.length - this.pos + this.windowBytes))) {
        if (this.pos >= this.buf.length) return null;
        const s = this.buf.toString('utf8', this.pos);
        this.pos = this.buf.length;
        return s;
      }
    }
  }

  /**
   * The lines before the next line that starts with `}`, in pieces of whole lines of at most
   * about one window each, with the byte offset each piece starts at. Stops before that line.
   */
  async *untilClose(): AsyncGenerator<{ text: string; offset: number }> {
    for (;;) {
      if (this.pos < this.buf.length && this.buf[this.pos] === CLOSE) return;
      const end = this.buf.indexOf(LINE_THEN_CLOSE, this.pos);
      if (end !== -1) {
        const offset = this.offset;
        const text = this.buf.toString('utf8', this.pos, end);
        this.pos = end + 1;
        yield { text, offset };
        return;
      }
      const lastNl = this.buf.lastIndexOf(NL);
      if (lastNl >= this.pos && this.buf.length - this.pos >= this.windowBytes / 2) {
        const offset = this.offset;
        const text = this.buf.toString('utf8', this.pos, lastNl);
        this.pos = lastNl + 1;
        yield { text, offset };
        continue;
      }
      if (!(await this.fill(this.buf.length - this.pos + this.windowBytes))) {
        // No closing line before the end of the file: hand back what is left for the caller to reject.
        if (this.pos < this.buf.length) {
          const offset = this.offset;
          const text = this.buf.toString('utf8', this.pos);
          this.pos = this.buf.length;
          yield { text, offset };
        }
        return;
      }
    }
  }

  /** The rest of the file in pieces of whole lines (the last one may lack its newline). */
  async *pieces(): AsyncGenerator<{ text: string; offset: number }> {
    for (;;) {
      const lastNl = this.buf.lastIndexOf(NL);
      if (lastNl >= this.pos && this.buf.length - this.pos >= this.windowBytes / 2) {
        const offset = this.offset;
        const text = this.buf.toString('utf8', this.pos, lastNl);
        this.pos = lastNl + 1;
        yield { text, offset };
        continue;
      }
      if (!(await this.fill(this.buf.length - this.pos + this.windowBytes))) {
        if (this.pos < this.buf.length) {
          const offset = this.offset;
          const end = this.buf[this.buf.length - 1] === NL ? this.buf.length - 1 : this.buf.length;
          const text = this.buf.toString('utf8', this.pos, end);
          this.pos = this.buf.length;
          yield { text, offset };
        }
        return;
      }
    }
  }
}
