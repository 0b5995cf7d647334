/**
 * One copy of each string value that repeats across the entries of a big file read (state,
 * target snapshot): a million people share a few timestamps (every entry issued or first seen
 * by the same run), OU paths and common names, and each parsed copy would otherwise stay in
 * memory as its own string (40+ bytes each). V8's JSON.parse already keeps one copy of
 * strings of up to 10 characters, so shorter values are left alone. The pool stops growing
 * at `limit` distinct values; if by then under a quarter of its lookups found a value (display
 * names in a real district may be mostly distinct), it lets go of them and stops looking, so
 * it costs neither time nor a map of a million entries.
 */
export class StringPool {
  private readonly seen = new Map<string, string>();
  private repeats = 0;
  private off = false;

  constructor(private readonly limit = 1 << 16) {}

  /** `value`, or the equal string the pool already holds. */
  get(value: string): string {
    if (value.length <= 10 || this.off) return value;
    const known = this.seen.get(value);
    if (known !== undefined) {
      this.repeats++;
      return known;
    }
    if (this.seen.size < this.limit) {
      this.seen.set(value, value);
      if (this.seen.size === this.limit && this.repeats < this.limit / 4) {
        this.off = true;
        this.seen.clear();
      }
    }
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
