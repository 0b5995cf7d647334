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
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';

/**
 * Per map section of the state file, the long value its entries repeat (timestamps of the run
 * that issued or first saw them, OU paths), pooled in place. Named property reads: a keyed read
 * per field name cost more than the sharing saved. Role, grade and school codes are short, and
 * JSON.parse shares those already; anything not a string is left for the schema check.
 */
export const POOL_SECTION: Readonly<Record<'registry' | 'people' | 'last_applied', (entry: unknown, pool: StringPool) => void>> = {
  registry(e, pool) {
    if (isRecord(e) && typeof e.issued_at === 'string') e.issued_at = pool.get(e.issued_at);
  },
  people(e, pool) {
    if (isRecord(e) && typeof e.first_seen === 'string') e.first_seen = pool.get(e.first_seen);
  },
  last_applied(e, pool) {
    if (isRecord(e) && typeof e.path === 'string') e.path = pool.get(e.path);
  },
};
