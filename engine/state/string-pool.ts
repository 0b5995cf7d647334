/**
 * One copy of each string value that repeats across the entries of a big state: a million
 * people share a few timestamps (every entry issued or first seen by the same run), school
 * codes and OU paths, and each parsed copy would otherwise stay in memory as its own string
 * (40+ bytes each). V8's JSON.parse already keeps one copy of strings of up to 10
 * characters, so shorter values are left alone. The pool stops growing at `limit` distinct
 * values: values that do not repeat are then passed through instead of filling memory.
 */
export class StringPool {
  private readonly seen = new Map<string, string>();

  constructor(private readonly limit = 1 << 16) {}

  /** `value`, or the equal string the pool already holds. */
  get(value: string): string {
    if (value.length <= 10) return value;
    const known = this.seen.get(value);
    if (known !== undefined) return known;
    if (this.seen.size < this.limit) this.seen.set(value, value);
    return value;
  }

  /** Replace each named field of `entry` that holds a string by the pooled copy; anything else is left for the schema check. */
  fields(entry: unknown, names: readonly string[]): void {
    if (entry === null || typeof entry !== 'object') return;
    const rec = entry as Record<string, unknown>;
    for (let i = 0; i < names.length; i++) {
      const k = names[i] as string;
      const v = rec[k];
      if (typeof v === 'string' && v.length > 10) rec[k] = this.get(v);
    }
  }
}
