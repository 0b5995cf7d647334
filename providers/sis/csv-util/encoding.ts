/**
 * Encoding checks for CSV exports that must be UTF-8 (OneRoster, Microsoft SDS).
 * Real exports sometimes arrive as UTF-16 (Excel "Unicode text") or Latin-1/Windows-1252
 * (old SIS builds). Decoding those as UTF-8 silently corrupts names, so we detect and name them.
 */

export type DetectedEncoding =
  | { kind: 'utf-8'; bomLength: 0 | 3 }
  | { kind: 'utf-16le' | 'utf-16be' | 'utf-32le' | 'utf-32be'; bomLength: number };

/** Look at the first bytes of a file: BOMs, and NUL patterns that betray BOM-less UTF-16. */
export function detectEncoding(head: Uint8Array): DetectedEncoding {
  const b0 = head[0];
  const b1 = head[1];
  const b2 = head[2];
  const b3 = head[3];
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return { kind: 'utf-8', bomLength: 3 };
  if (b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) return { kind: 'utf-32le', bomLength: 4 };
  if (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff) return { kind: 'utf-32be', bomLength: 4 };
  if (b0 === 0xff && b1 === 0xfe) return { kind: 'utf-16le', bomLength: 2 };
  if (b0 === 0xfe && b1 === 0xff) return { kind: 'utf-16be', bomLength: 2 };
  // BOM-less UTF-16: ASCII text leaves a NUL in every other byte.
  const n = Math.min(head.length, 64) & ~1;
  if (n >= 4) {
    let evenNul = 0;
    let oddNul = 0;
    for (let i = 0; i < n; i += 2) {
      if (head[i] === 0) evenNul++;
      if (head[i + 1] === 0) oddNul++;
    }
    const pairs = n / 2;
    if (oddNul >= pairs * 0.6 && evenNul === 0) return { kind: 'utf-16le', bomLength: 0 };
    if (evenNul >= pairs * 0.6 && oddNul === 0) return { kind: 'utf-16be', bomLength: 0 };
  }
  return { kind: 'utf-8', bomLength: 0 };
}

/** Human name for an encoding, as used in diagnostics. */
export function encodingName(kind: DetectedEncoding['kind']): string {
  return { 'utf-8': 'UTF-8', 'utf-16le': 'UTF-16LE', 'utf-16be': 'UTF-16BE', 'utf-32le': 'UTF-32LE', 'utf-32be': 'UTF-32BE' }[kind];
}

/**
 * Offset of the first byte that breaks UTF-8 in `buf`, or -1. A sequence cut off by the end
 * of `buf` counts as valid when `final` is false (the next chunk may complete it).
 */
export function findInvalidUtf8(buf: Uint8Array, final = true): number {
  const n = buf.length;
  let i = 0;
  while (i < n) {
    const c = buf[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    let cp = c & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const cc = buf[i + k];
      if (cc === undefined) return final ? i : -1;
      if ((cc & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/**
 * Guess what a non-UTF-8 byte stream is, from the bytes around the first bad one.
 * 0x80-0x9F are C1 controls in ISO-8859-1 but printable (curly quotes, euro) in Windows-1252.
 */
export function guessLegacyEncoding(buf: Uint8Array): string {
  for (const b of buf) if (b >= 0x80 && b <= 0x9f) return 'Windows-1252';
  return 'ISO-8859-1 (Latin-1)';
}

/** 1-based line and column of byte `offset` in `buf`; the column counts UTF-8 characters before it. */
export function lineColumnAt(buf: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < buf.length; i++) {
    if (buf[i] === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  const prefix = new TextDecoder('utf-8').decode(buf.subarray(lineStart, offset));
  return { line, column: prefix.length + 1 };
}
