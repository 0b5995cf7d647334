/**
 * A map of state (registry, last_applied) that a read-only plan reads deferred
 * (engine/state/lazy-section.ts) is a Proxy that parses an entry when it is looked up, and
 * parses everything once anything enumerates it. A caller that only needs to ask whether a
 * key exists, or to walk the entries once, asks the map for this view instead: it answers
 * from the file's bytes without parsing the map into objects. Plain objects have no view.
 */
export const MAP_VIEW: unique symbol = Symbol.for('rollcall.map-view');

export interface MapView<V> {
  /** An own entry with this key exists (nothing is parsed). */
  has(key: string): boolean;
  /** Every entry in file order; values are parsed per call, not kept: read them, do not keep or change them. */
  entries(): Iterable<[string, V]>;
}

export function mapView<V>(map: Readonly<Record<string, V>>): MapView<V> | undefined {
  return (map as { [MAP_VIEW]?: MapView<V> })[MAP_VIEW];
}
