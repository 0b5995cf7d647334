import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ObservedAccount } from '../../engine/model/accounts.js';
import { joinByAnchor } from '../../engine/plan/anchor-join.js';

/**
 * joinByAnchor walks sorted inputs side by side and falls back to a Map otherwise. Both are
 * held to the rule the diff had before it: of accounts sharing an anchor, the lowest id (the
 * first of equal ids) is managed; an identity manages the account of its anchor.
 */

function account(id: string, anchor: string | null): ObservedAccount {
  return { id, anchor, username: `u-${id}`, givenName: '', familyName: '', displayName: '', email: '', path: 'X', enabled: true, aliases: [] };
}

function reference(accounts: readonly ObservedAccount[], anchors: readonly string[]) {
  const byAnchor = new Map<string, ObservedAccount>();
  let duplicates = 0;
  for (const a of accounts) {
    if (a.anchor === null) continue;
    const prev = byAnchor.get(a.anchor);
    if (prev) {
      duplicates++;
      if (a.id < prev.id) byAnchor.set(a.anchor, a);
    } else byAnchor.set(a.anchor, a);
  }
  return {
    // Compared as objects: the same account object may sit at two positions.
    accountOf: anchors.map((a) => byAnchor.get(a) ?? null),
    isManaged: accounts.map((a) => a.anchor !== null && byAnchor.get(a.anchor) === a),
    managedCount: byAnchor.size,
    duplicates,
  };
}

function check(accounts: readonly ObservedAccount[], anchors: readonly string[]): void {
  const got = joinByAnchor(accounts, anchors.map((anchor) => ({ anchor })));
  const want = reference(accounts, anchors);
  expect(got.accountOf.length).toBe(anchors.length);
  got.accountOf.forEach((p, i) => expect(p < 0 ? null : accounts[p]).toBe(want.accountOf[i]));
  expect(accounts.map((a, i) => got.managedOf[i]! >= 0 && accounts[got.managedOf[i]!] === a)).toEqual(want.isManaged);
  expect(got.managedCount).toBe(want.managedCount);
  expect(got.duplicates).toBe(want.duplicates);
}

const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'A', 'é', '\u{1F600}');
const accountsArb = fc.array(fc.tuple(fc.constantFrom('1', '2', '3', '4', '5', '6'), fc.option(key, { nil: null })), { maxLength: 14 });

describe('joinByAnchor', () => {
  it('matches the Map rule on sorted inputs (the merge walk)', () => {
    fc.assert(
      fc.property(accountsArb, fc.uniqueArray(key, { maxLength: 8 }), fc.boolean(), (rows, anchors, twice) => {
        const accounts = rows.map(([id, anchor]) => account(id, anchor));
        // Sorted by anchor, unanchored ones left where they fall: what a refresh writes.
        const anchored = accounts.filter((a) => a.anchor !== null).sort((x, y) => (x.anchor! < y.anchor! ? -1 : x.anchor! > y.anchor! ? 1 : 0));
        const merged: ObservedAccount[] = [];
        let k = 0;
        for (const a of accounts) merged.push(a.anchor === null ? a : anchored[k++]!);
        // The same object twice, next to itself: managed once, by object.
        if (twice && merged.length > 0) merged.splice(1, 0, merged[0]!);
        check(merged, [...anchors].sort());
      }),
      { numRuns: 500 },
    );
  });

  it('matches the Map rule on any order (the fallback)', () => {
    fc.assert(
      fc.property(accountsArb, fc.array(key, { maxLength: 8 }), (rows, anchors) => {
        check(rows.map(([id, anchor]) => account(id, anchor)), anchors);
      }),
      { numRuns: 500 },
    );
  });

  it('gives each identity the lowest id of its anchor, and counts the rest', () => {
    const accounts = [account('9', 'p1'), account('3', 'p1'), account('5', null), account('4', 'p2'), account('3', 'p1')];
    const got = joinByAnchor(accounts, [{ anchor: 'p0' }, { anchor: 'p1' }, { anchor: 'p2' }]);
    expect([...got.accountOf]).toEqual([-1, 1, 3]);
    expect([...got.managedOf]).toEqual([1, 1, -1, 3, 1]);
    expect(got.managedCount).toBe(2);
    expect(got.duplicates).toBe(2);
  });

  it('falls back to the Map when the order breaks only late in the walk, on either side', () => {
    const sorted = [account('1', 'a'), account('2', 'b'), account('3', null), account('4', 'c')];
    // Identities out of order past the last account, and before it.
    check(sorted, ['a', 'b', 'c', 'e', 'd']);
    check(sorted, ['a', 'c', 'b']);
    check(sorted, ['a', 'a', 'b']);
    // Accounts out of order only at their end; an anchor coming back after another.
    check([...sorted, account('5', 'b')], ['a', 'b', 'c']);
    check([account('1', 'a'), account('2', 'b'), account('3', 'a')], ['a', 'b']);
  });
});
