/**
 * A hash of every line of an export file, so a later export can be compared with it line by
 * line without keeping its bytes (users-patch.ts). Two independent 32-bit hashes per line
 * (64 bits): a changed line that collides with the old one is about one chance in 2^64.
 * A line is the bytes up to a `\n` (without it, with any `\r`); bytes after the last `\n`
 * make one more line, and a file ending in `\n` has no empty last line.
 */

const NL = 0x0a;

/** How many lines the file has, as lineHashes counts them. */
export function lineCount(buf: Uint8Array): number {
  let lines = 0;
  for (let i = buf.indexOf(NL); i !== -1; i = buf.indexOf(NL, i + 1)) lines++;
  if (buf.length > 0 && buf[buf.length - 1] !== NL) lines++;
  return lines;
}

/** Two words per line: [h1, h2] of line 0, then line 1, ... `lines`: lineCount(buf), when the caller has it. */
export function lineHashes(buf: Uint8Array, lines = lineCount(buf)): Int32Array {
  const out = new Int32Array(2 * lines);
  let from = 0;
  for (let k = 0; k < lines; k++) {
    let to = buf.indexOf(NL, from);
    if (to === -1) to = buf.length;
    let a = 0x811c9dc5 ^ (to - from);
    let b = 0x9747b28c;
    for (let i = from; i < to; i++) {
      const c = buf[i]!;
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 15;
    }
    out[2 * k] = a;
    out[2 * k + 1] = b;
    from = to + 1;
  }
  return out;
}

/** The lines whose hashes differ, when both files have as many lines; undefined otherwise. */
export function changedLines(before: Int32Array, now: Int32Array): number[] | undefined {
  if (before.length !== now.length) return undefined;
  const out: number[] = [];
  for (let k = 0; k < now.length; k += 2) if (before[k] !== now[k] || before[k + 1] !== now[k + 1]) out.push(k / 2);
  return out;
}

/** Byte offsets [start, end) of line `k` (end before its `\n`), walking from the start. */
export function lineSpans(buf: Uint8Array, wanted: readonly number[]): Map<number, [number, number]> {
  const want = new Set(wanted);
  const out = new Map<number, [number, number]>();
  let from = 0;
  for (let k = 0; from <= buf.length && out.size < want.size; k++) {
    let to = buf.indexOf(NL, from);
    if (to === -1) to = buf.length;
    if (want.has(k)) out.set(k, [from, to]);
    from = to + 1;
  }
  return out;
}
