/**
 * `record[key]` for a record parsed from JSON (state's people, last-applied attributes),
 * through a Map built once. Indexing a plain object with a string the SIS reader made costs
 * a probe of V8's string table on every lookup (the key is not internalized); a Map hashes
 * each key string once. Inherited names (`constructor`, `__proto__`) still read what indexing
 * the record would, so the result is the same for every key.
 */
const INHERITED: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__']);

export function ownLookup<T>(record: Readonly<Record<string, T>>): (key: string) => T | undefined {
  const map = new Map<string, T>();
  for (const k of Object.keys(record)) map.set(k, record[k] as T);
  return (key) => {
    const v = map.get(key);
    if (v !== undefined || !INHERITED.has(key)) return v;
    return record[key];
  };
}
