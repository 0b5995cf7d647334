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
  return s.length > 12 ? (' ' + s).slice(1) : s;
}

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
