import { createHash } from 'node:crypto';
import Papa from 'papaparse';
import { type Diagnostic, errorDiag, warningDiag } from '../../../engine/model/diagnostics.js';
import { detectEncoding, encodingName, findInvalidUtf8, guessLegacyEncoding } from './encoding.js';
import type { ExportFile } from './file-set.js';

/**
 * Streaming CSV reader over bytes: UTF-8 checked, BOM stripped, rows handed over as string
 * arrays (papaparse's low-level Parser in array mode, the fastest mode measured) with their
 * 1-based line number. Binding columns to names is the caller's job (see header.ts).
 *
 * Why not Papa.parse(stream): we need exact line/column for every diagnostic, a hard stop on
 * unterminated quotes (otherwise the parser re-scans a growing tail: quadratic time), fatal
 * UTF-8 decoding, and a digest of the bytes, all in one pass.
 */

export interface CsvHandlers {
  /** The header row. Return false to skip the rest of the file (e.g. a required column is missing). */
  onHeader(fields: string[], line: number): boolean;
  /** One data row. `fields` is only valid during the call unless kept deliberately. */
  onRow(fields: string[], line: number): void;
  /**
   * Optional fast lane: a non-empty data row offered as field offsets into the decoded text
   * (see RowSpans), before any field string is made. Return true when the row was fully handled
   * (it then counts as a row and onRow is not called); false to have it passed to onRow.
   * Only rows that are certain to pass every check should be taken.
   */
  onPlainRow?(row: RowSpans, line: number): boolean;
}

/**
 * One row as offsets: field k is `text.substring(start[k], end[k])` (quotes removed), for k <
 * count. Offered only for rows that split without papaparse: quotes, if any, wrap whole fields
 * on one line and hold no doubled quote, and the row ends without a stray CR. The object and
 * its arrays are reused from row to row.
 */
export interface RowSpans {
  text: string;
  start: Int32Array;
  end: Int32Array;
  count: number;
  /** Some field of the row was quoted. */
  quoted: boolean;
}

export interface CsvReadOptions {
  /** Called after each chunk with the data rows read so far in this file. */
  onProgress?: (rows: number) => void;
  /** A row longer than this many characters means an unterminated quote. Default 1 MiB. */
  maxRowChars?: number;
}

export interface CsvReadResult {
  /** Data rows handed to onRow. */
  rows: number;
  bytes: number;
  /** sha256 (hex) of the file's bytes as read. */
  sha256: string;
  /** Encoding, quoting and shape problems; errors mean the file was not fully read. */
  diagnostics: Diagnostic[];
}

const CHUNK = 1 << 20;
/** Bytes parsed at a time (see the read loop). */
const PIECE = 1 << 16;

export async function readCsv(file: ExportFile, handlers: CsvHandlers, opts: CsvReadOptions = {}): Promise<CsvReadResult> {
  const name = file.name;
  const maxRowChars = opts.maxRowChars ?? CHUNK;
  const diagnostics: Diagnostic[] = [];
  const hash = createHash('sha256');
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let bytes = 0;
  let first = true;
  let stopped = false;
  let partial = '';
  let parser: Papa.Parser | undefined;
  let newline: '\n' | '\r\n' | '\r' | undefined;
  let nextLine = 1;
  let headerLen = -1;
  let minFields = 0;
  let rows = 0;
  let blankWarned = false;
  const reused: string[] = [];
  const spans: RowSpans = { text: '', start: new Int32Array(64), end: new Int32Array(64), count: 0, quoted: false };

  const stream = await file.open();
  try {
    for await (const raw of stream as AsyncIterable<Buffer>) {
      let chunk: Buffer = raw;
      hash.update(chunk);
      bytes += chunk.length;
      if (stopped) continue; // keep hashing so the digest covers the file as read
      if (first) {
        first = false;
        const enc = detectEncoding(chunk);
        if (enc.kind !== 'utf-8') {
          diagnostics.push(
            errorDiag('csv.encoding', `${name} is ${encodingName(enc.kind)}-encoded; OneRoster and SDS CSV files must be UTF-8`, {
              source: { file: name, line: 1, column: 1 },
              detail: 'Re-export the file as "CSV UTF-8" (in Excel: Save As > CSV UTF-8).',
            }),
          );
          stopped = true;
          continue;
        }
        if (enc.bomLength) {
          diagnostics.push(warningDiag('csv.bom', `${name} starts with a UTF-8 byte order mark; ignored`, { source: { file: name, line: 1, column: 1 } }));
          chunk = chunk.subarray(enc.bomLength);
        }
      }
      // Parse in small pieces: every row of a piece is alive until the piece is done, and a
      // young-generation GC in the middle copies all of them. 64 KiB pieces measured ~18% less
      // CPU and ~20% less peak memory than 1 MiB ones on a 100k-person set.
      for (let off = 0; off < chunk.length && !stopped; off += PIECE) {
        let text: string;
        try {
          text = decoder.decode(chunk.subarray(off, off + PIECE), { stream: true });
        } catch {
          diagnostics.push(await notUtf8(file));
          stopped = true;
          break;
        }
        if (!feed(partial + text, false)) stopped = true;
      }
      opts.onProgress?.(rows);
    }
    if (!stopped) {
      let tail = '';
      try {
        tail = decoder.decode();
      } catch {
        diagnostics.push(await notUtf8(file));
        stopped = true;
      }
      if (!stopped) feed(partial + tail, true);
    }
    if (first) diagnostics.push(errorDiag('csv.empty', `${name} is empty: no header row`, { source: { file: name, line: 1 } }));
    else if (rows === 0 && headerLen >= 0 && !stopped)
      diagnostics.push(warningDiag('csv.no-rows', `${name} has a header but no data rows`, { source: { file: name, line: 1 } }));
  } finally {
    stream.destroy();
  }
  return { rows, bytes, sha256: hash.digest('hex'), diagnostics };

  /** Parse complete rows of `input`; keep the incomplete tail in `partial`. False = stop reading. */
  function feed(input: string, final: boolean): boolean {
    if (!newline) {
      const nl = input.indexOf('\n');
      if (nl >= 0) newline = nl > 0 && input.charCodeAt(nl - 1) === 13 ? '\r\n' : '\n';
      // A lone CR (old Mac files) counts only once we know no LF follows it.
      else if (input.indexOf('\r') >= 0 && (final || input.indexOf('\r') < input.length - 1)) newline = '\r';
      else if (final) newline = '\n';
      else if (input.length > maxRowChars) newline = '\n';
      else {
        partial = input;
        return true;
      }
      parser = new Papa.Parser({ delimiter: ',', newline, quoteChar: '"' });
    }
    // Old Mac files (CR newlines) with quotes keep papaparse whole: its error columns there count
    // from the start of the piece, which a hand-over mid-piece would change.
    if (newline === '\r' && input.includes('"')) return feedPapa(input, final);
    return feedSimple(input, final);
  }

  /**
   * papaparse on `input`: rows with quoted newlines, doubled quotes, stray quotes, broken quoting.
   * Its quoting errors go at `errorsAt` in the diagnostics: the start of the piece, where they
   * stood when papaparse read whole pieces (ahead of the piece's row shape diagnostics).
   */
  function feedPapa(input: string, final: boolean, errorsAt = diagnostics.length): boolean {
    const res = parser!.parse(input, 0, !final) as Papa.ParseResult<string[]>;
    const data = res.data;
    const lines = new Array<number>(data.length);
    for (let i = 0; i < data.length; i++) {
      lines[i] = nextLine;
      nextLine += 1 + embeddedNewlines(data[i]!);
    }
    const badRows = new Set<number>();
    const quoting: Diagnostic[] = [];
    for (const e of res.errors) {
      const row = e.row ?? data.length;
      // An error in the unfinished last row is re-checked with the next chunk (e.g. a closing
      // quote followed by a CR whose LF is in the next chunk looks malformed for now).
      if (!final && row >= data.length) continue;
      badRows.add(row);
      const line = lines[row] ?? nextLine;
      const col = e.index !== undefined ? e.index - input.lastIndexOf('\n', e.index - 1) : undefined;
      const what = e.code === 'MissingQuotes' ? 'a quoted field is never closed' : e.code === 'InvalidQuotes' ? 'a closing quote is followed by other characters' : e.message;
      quoting.push(
        errorDiag('csv.quoting', `broken quoting in ${name}: ${what}`, {
          source: { file: name, line, ...(col !== undefined ? { column: col } : {}) },
          detail: 'Fields containing commas or quotes must be enclosed in double quotes, with inner quotes doubled (RFC 4180).',
        }),
      );
    }
    if (quoting.length) diagnostics.splice(errorsAt, 0, ...quoting);
    for (let i = 0; i < data.length; i++) {
      if (badRows.has(i)) continue;
      if (!handleRow(data[i]!, lines[i]!)) return false;
    }
    if (!final) return keepPartial(input.substring(res.meta.cursor));
    partial = '';
    return true;
  }

  /**
   * Rows split here, without papaparse's array of lines and one array per row: quote-free rows,
   * and rows whose quotes only wrap whole fields (`"a,b"`, no doubled quote, no newline inside),
   * which papaparse splits the same way. From the first row that is anything else, papaparse
   * takes the rest of the piece. The row array is reused, so most rows allocate only their
   * field strings, and lane rows not even those.
   */
  function feedSimple(input: string, final: boolean): boolean {
    if (input === '') {
      partial = '';
      return true;
    }
    const nl = newline!;
    const row = reused;
    const errorsAt = diagnostics.length;
    let lane = headerLen >= 0 ? handlers.onPlainRow : undefined;
    // The next quote at or after the current row (-1: none left in the piece).
    let quote = input.indexOf('"');
    // papaparse counted a '\n' inside a row of a piece with quotes as a line (embeddedNewlines);
    // quote-free pieces never did. Such rows stay papaparse's, to keep line numbers as they were.
    const lfCounts = quote >= 0 && nl !== '\n';
    spans.text = input;
    let pos = 0;
    for (;;) {
      let end = input.indexOf(nl, pos);
      if (end < 0) {
        if (!final) break;
        end = input.length;
      }
      let n: number;
      const quoted = quote >= 0 && quote < end;
      if (lfCounts) {
        const lf = input.indexOf('\n', pos);
        if (lf >= 0 && lf < end) return feedPapa(input.substring(pos), final, errorsAt);
      }
      if (!quoted) n = splitPlain(input, pos, end);
      else {
        n = splitQuoted(input, pos, end);
        if (n < 0) return feedPapa(input.substring(pos), final, errorsAt);
        quote = input.indexOf('"', end);
      }
      spans.count = n;
      spans.quoted = quoted;
      if (lane !== undefined && end > pos && input.charCodeAt(end - 1) !== 13 && lane(spans, nextLine)) {
        nextLine++;
        rows++;
      } else {
        const st = spans.start;
        const en = spans.end;
        for (let k = 0; k < n; k++) row[k] = input.substring(st[k]!, en[k]!);
        row.length = n;
        if (headerLen < 0) {
          if (!handleRow(row.slice(), nextLine++)) return false;
          lane = handlers.onPlainRow;
        } else if (!handleRow(row, nextLine++)) return false;
      }
      if (end === input.length) {
        pos = end;
        break;
      }
      pos = end + nl.length;
    }
    if (!final) return keepPartial(input.substring(pos));
    partial = '';
    return true;
  }

  /** Room for field `n` in the span arrays. */
  function room(n: number): void {
    if (n < spans.start.length) return;
    const start = new Int32Array(spans.start.length * 2);
    const end = new Int32Array(spans.start.length * 2);
    start.set(spans.start);
    end.set(spans.end);
    spans.start = start;
    spans.end = end;
  }

  /** Offsets of the fields of quote-free text[pos, end); returns the field count. */
  function splitPlain(text: string, pos: number, end: number): number {
    let n = 0;
    let from = pos;
    for (let c = text.indexOf(',', from); c >= 0 && c < end; c = text.indexOf(',', from)) {
      room(n);
      spans.start[n] = from;
      spans.end[n++] = c;
      from = c + 1;
    }
    room(n);
    spans.start[n] = from;
    spans.end[n++] = end;
    return n;
  }

  /**
   * Offsets of the fields of text[pos, end) when every quote in it opens a field and closes it
   * right before a comma or the row's end, with no quote between; -1 for anything else.
   */
  function splitQuoted(text: string, pos: number, end: number): number {
    let n = 0;
    let p = pos;
    let quote = text.indexOf('"', pos);
    for (;;) {
      room(n);
      if (p < end && text.charCodeAt(p) === 34) {
        const q = text.indexOf('"', p + 1);
        if (q < 0 || q >= end) return -1;
        const after = q + 1;
        if (after < end && text.charCodeAt(after) !== 44) return -1;
        spans.start[n] = p + 1;
        spans.end[n++] = q;
        if (after >= end) return n;
        p = after + 1;
        quote = text.indexOf('"', p);
      } else {
        let c = text.indexOf(',', p);
        if (c < 0 || c >= end) c = end;
        // A quote inside an unquoted field: papaparse's rules apply.
        if (quote >= 0 && quote < c) return -1;
        spans.start[n] = p;
        spans.end[n++] = c;
        if (c === end) return n;
        p = c + 1;
      }
    }
  }

  /** Keep the unfinished last row for the next chunk; false when it is impossibly long. */
  function keepPartial(rest: string): boolean {
    partial = rest;
    if (partial.length > maxRowChars) {
      const q = partial.indexOf('"');
      const before = q >= 0 ? partial.lastIndexOf('\n', q) : -1;
      diagnostics.push(
        errorDiag('csv.quoting', `broken quoting in ${name}: a quoted field is never closed (row longer than ${maxRowChars} characters)`, {
          source: { file: name, line: nextLine, ...(q >= 0 ? { column: q - before } : {}) },
        }),
      );
      return false;
    }
    return true;
  }

  function handleRow(fields: string[], line: number): boolean {
    if (newline === '\n') {
      // A stray CRLF line in an LF file: drop the CR rather than keep it in the last value.
      const last = fields[fields.length - 1];
      if (last !== undefined && last.endsWith('\r')) fields[fields.length - 1] = last.slice(0, -1);
    }
    if (headerLen < 0) {
      headerLen = fields.length;
      // Trailing empty header names (`...,orgSourcedId,,`) are tolerated: rows may omit them.
      minFields = fields.length;
      while (minFields > 0 && fields[minFields - 1]!.trim() === '') minFields--;
      return handlers.onHeader(fields, line);
    }
    if (fields.length === 1 && fields[0] === '') {
      if (!blankWarned) {
        blankWarned = true;
        diagnostics.push(warningDiag('csv.blank-line', `${name} has blank lines; skipped`, { source: { file: name, line } }));
      }
      return true;
    }
    if (fields.length < minFields || (fields.length > headerLen && fields.slice(headerLen).some((f) => f !== ''))) {
      diagnostics.push(
        errorDiag('csv.field-count', `${name} row has ${fields.length} fields but the header has ${headerLen}`, {
          source: { file: name, line },
          detail: 'Usually an unquoted comma inside a value, or a broken quote on this or the previous line.',
        }),
      );
      return true;
    }
    rows++;
    handlers.onRow(fields, line);
    return true;
  }
}

function embeddedNewlines(fields: string[]): number {
  let n = 0;
  for (const f of fields) {
    let i = f.indexOf('\n');
    while (i >= 0) {
      n++;
      i = f.indexOf('\n', i + 1);
    }
  }
  return n;
}

/** Re-read the file to find the first byte that is not UTF-8, and name the likely encoding. */
async function notUtf8(file: ExportFile): Promise<Diagnostic> {
  const stream = await file.open();
  let line = 1;
  let lineBytes: Buffer = Buffer.alloc(0);
  let carry: Buffer = Buffer.alloc(0);
  let offsetBase = 0;
  try {
    for await (const raw of stream as AsyncIterable<Buffer>) {
      const buf = carry.length ? Buffer.concat([carry, raw]) : raw;
      const bad = findInvalidUtf8(buf, false);
      const upto = bad >= 0 ? bad : buf.length - pendingTail(buf);
      let start = 0;
      for (let i = buf.indexOf(10); i >= 0 && i < upto; i = buf.indexOf(10, i + 1)) {
        line++;
        start = i + 1;
        lineBytes = Buffer.alloc(0);
      }
      lineBytes = Buffer.concat([lineBytes, buf.subarray(start, upto)]);
      if (bad >= 0) {
        const column = new TextDecoder('utf-8').decode(lineBytes).length + 1;
        const byte = buf[bad]!;
        const guess = guessLegacyEncoding(buf.subarray(bad, bad + 65536));
        return errorDiag('csv.encoding', `${file.name} is not UTF-8: byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')} at offset ${offsetBase + bad}; it looks like ${guess}`, {
          source: { file: file.name, line, column },
          detail: 'Re-export the file as UTF-8 ("CSV UTF-8" in Excel), or convert it: iconv -f WINDOWS-1252 -t UTF-8.',
        });
      }
      carry = buf.subarray(upto);
      offsetBase += upto;
    }
  } finally {
    stream.destroy();
  }
  return errorDiag('csv.encoding', `${file.name} is not UTF-8: it ends inside a multi-byte character`, { source: { file: file.name, line } });
}

/** Bytes at the end of `buf` that start an incomplete UTF-8 sequence (0-3). */
function pendingTail(buf: Buffer): number {
  for (let k = 1; k <= 3 && k <= buf.length; k++) {
    const b = buf[buf.length - k]!;
    if ((b & 0xc0) === 0xc0) return k;
    if ((b & 0xc0) !== 0x80) return 0;
  }
  return 0;
}
