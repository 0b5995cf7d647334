import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ObservedAccount, ObservedGroup, TargetSnapshot } from '../../engine/model/accounts.js';
import { snapshotDigest } from '../../engine/plan/snapshot-digest.js';

/** The digest apply compares against: the same for any listing order, different for any other content. */
const id = fc.constantFrom('a', 'b', 'c', 'B', 'é', '10', '9');
const accountArb = fc.record({ id, username: id, aliases: fc.array(id, { maxLength: 3 }) }).map(
  ({ id: i, username, aliases }): ObservedAccount => ({ id: i, anchor: null, username, givenName: 'G', familyName: 'F', displayName: 'G F', email: '', path: 'P', enabled: true, aliases }),
);
const groupArb = fc.record({ id, members: fc.array(id, { maxLength: 5 }) }).map(({ id: i, members }): ObservedGroup => ({ id: i, name: `n${i}`, description: '', members, managed: true }));
const snapArb = fc.record({
  accounts: fc.uniqueArray(accountArb, { selector: (a) => a.id, maxLength: 6 }),
  groups: fc.uniqueArray(groupArb, { selector: (g) => g.id, maxLength: 4 }),
  containers: fc.uniqueArray(id, { maxLength: 4 }),
}).map((s): TargetSnapshot => ({ target: 't', ...s }));

function reordered(s: TargetSnapshot, seed: number): TargetSnapshot {
  const shuffle = <T>(xs: readonly T[]): T[] => {
    const out = [...xs];
    let x = seed;
    for (let i = out.length - 1; i > 0; i--) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const j = x % (i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  };
  return {
    ...s,
    accounts: shuffle(s.accounts).map((a) => ({ ...a, aliases: shuffle(a.aliases) })),
    groups: shuffle(s.groups).map((g) => ({ ...g, members: shuffle(g.members) })),
    containers: shuffle(s.containers),
  };
}

describe('snapshotDigest', () => {
  it('does not depend on the order anything is listed in', () => {
    fc.assert(fc.property(snapArb, fc.nat(), (s, seed) => {
      expect(snapshotDigest(reordered(s, seed))).toBe(snapshotDigest(s));
    }), { numRuns: 300 });
  });

  it('changes with a member, an alias or an attribute', () => {
    fc.assert(
      fc.property(snapArb, (s) => {
        const d = snapshotDigest(s);
        if (s.groups[0]) expect(snapshotDigest({ ...s, groups: [{ ...s.groups[0], members: [...s.groups[0].members, 'zz'] }, ...s.groups.slice(1)] })).not.toBe(d);
        if (s.accounts[0]) {
          expect(snapshotDigest({ ...s, accounts: [{ ...s.accounts[0], aliases: [...s.accounts[0].aliases, 'zz'] }, ...s.accounts.slice(1)] })).not.toBe(d);
          expect(snapshotDigest({ ...s, accounts: [{ ...s.accounts[0], enabled: false }, ...s.accounts.slice(1)] })).not.toBe(d);
        }
      }),
      { numRuns: 200 },
    );
  });
});
