/**
 * A Map from anchor to value for resolve's per-person results, which arrive in strictly
 * increasing anchor order. While they do, entries are two flat arrays: appending a
 * million of them costs a push each, where a Map rehashes as it grows and misses the CPU
 * caches on every insert. Lookups are rare (a few people per run) and binary-search; a key
 * beyond the last is known absent at once. The
 * first key out of order turns it into a plain Map, so it is a Map in every respect: same
 * entries, same iteration order (insertion order).
 */
export class AnchorOrderedMap<V> implements ReadonlyMap<string, V> {
  private keyList: string[] = [];
  private valueList: V[] = [];
  private map: Map<string, V> | undefined;

  /** Insert or replace, as Map.set. */
  set(key: string, value: V): this {
    if (this.map) {
      this.map.set(key, value);
      return this;
    }
    const n = this.keyList.length;
    if (n === 0 || this.keyList[n - 1]! < key) {
      this.keyList.push(key);
      this.valueList.push(value);
      return this;
    }
    const map = new Map<string, V>();
    for (let i = 0; i < n; i++) map.set(this.keyList[i]!, this.valueList[i]!);
    map.set(key, value);
    this.map = map;
    this.keyList = [];
    this.valueList = [];
    return this;
  }

  get size(): number {
    return this.map ? this.map.size : this.keyList.length;
  }

  get(key: string): V | undefined {
    if (this.map) return this.map.get(key);
    const i = this.indexOf(key);
    return i < 0 ? undefined : this.valueList[i];
  }

  has(key: string): boolean {
    return this.map ? this.map.has(key) : this.indexOf(key) >= 0;
  }

  /** The values in insertion order, without copying when still ordered (do not modify). */
  valuesInOrder(): readonly V[] {
    return this.map ? [...this.map.values()] : this.valueList;
  }

  *entries(): MapIterator<[string, V]> {
    if (this.map) {
      yield* this.map.entries();
      return;
    }
    for (let i = 0; i < this.keyList.length; i++) yield [this.keyList[i]!, this.valueList[i]!];
  }

  keys(): MapIterator<string> {
    return this.map ? this.map.keys() : this.keyList.values();
  }

  values(): MapIterator<V> {
    return this.map ? this.map.values() : this.valueList.values();
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  forEach(fn: (value: V, key: string, map: ReadonlyMap<string, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }

  private indexOf(key: string): number {
    // Probing in increasing order (has-then-set while filling) never needs the search.
    const last = this.keyList.length - 1;
    if (last < 0 || this.keyList[last]! < key) return -1;
    let lo = 0;
    let hi = this.keyList.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = this.keyList[mid]!;
      if (k === key) return mid;
      if (k < key) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}
