/**
 * One shared copy of each repeated string (org ids, role names, dates, class ids). At a million
 * people and eight million enrollments, parser-made duplicates would otherwise stay alive in
 * every record that keeps them.
 */
/**
 * A copy of `s` that does not pin the parser's 1 MiB chunk string in memory (V8 keeps the
 * parent of a substring alive). Use for unique values that are kept, e.g. record ids.
 */
export function ownString(s: string): string {
  // Shorter substrings are already copies in V8. JSON.parse yields a flat copy with no parent
  // (the `(' ' + s).slice(1)` idiom keeps a 32-byte slice object on top of the copy).
  if (s.length <= 12) return s;
  return PLAIN.test(s) ? (JSON.parse(`"${s}"`) as string) : (' ' + s).slice(1);
}

/** Characters JSON.parse takes as they are inside a string literal. */
// eslint-disable-next-line no-control-regex -- control characters are what JSON.parse rejects
const PLAIN = /^[^"\\\u0000-\u001f]*$/;

export class Interner {
  private readonly map = new Map<string, string>();
  get(s: string): string {
    const hit = this.map.get(s);
    if (hit !== undefined) return hit;
    // Slice off any parent string the parser's substring may still pin in memory.
    const own = ownString(s);
    this.map.set(own, own);
    return own;
  }
  get size(): number {
    return this.map.size;
  }
}
