import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AnchorOrderedMap } from '../../engine/resolve/anchor-ordered-map.js';

/** AnchorOrderedMap keeps flat arrays while keys come in order; it must behave as a Map throughout. */
describe('AnchorOrderedMap', () => {
  const key = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'Z', 'é', '\u{1F600}'), maxLength: 3 });
  const op = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), key, value: fc.integer() }),
    fc.record({ kind: fc.constant('get' as const), key }),
  );

  it('answers as a Map for any sequence of sets and lookups', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.boolean(), (ops, sortedSets) => {
        // Half the runs set keys in increasing order (the flat-array mode), half in any order.
        const sets = ops.filter((o) => o.kind === 'set');
        if (sortedSets) sets.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
        let s = 0;
        const m = new AnchorOrderedMap<number>();
        const ref = new Map<string, number>();
        for (const o of ops) {
          if (o.kind === 'set') {
            const next = sets[s++]!;
            m.set(next.key, next.value);
            ref.set(next.key, next.value);
          } else {
            expect(m.get(o.key)).toBe(ref.get(o.key));
            expect(m.has(o.key)).toBe(ref.has(o.key));
          }
          expect(m.size).toBe(ref.size);
        }
        expect([...m]).toEqual([...ref]);
        expect([...m.keys()]).toEqual([...ref.keys()]);
        expect([...m.values()]).toEqual([...ref.values()]);
        expect([...m.valuesInOrder()]).toEqual([...ref.values()]);
        const seen: [string, number][] = [];
        m.forEach((v, k) => seen.push([k, v]));
        expect(seen).toEqual([...ref.entries()]);
      }),
      { numRuns: 1000 },
    );
  });
});
