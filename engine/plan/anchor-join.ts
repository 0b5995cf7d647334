import type { ObservedAccount } from '../model/accounts.js';

/**
 * Which observed account each identity manages, joined by anchor. Of accounts sharing an
 * anchor the one with the lowest id is managed (the first of equal ids); the others are
 * counted as duplicates.
 *
 * Snapshots read back from a refresh, and identities from resolve, both come in anchor
 * order. Then a merge walk joins them: two sequential passes instead of a million-entry Map
 * built and probed once per person (each probe a cache miss at district scale). Any other
 * order takes the Map. Both give the same answer; the property test in
 * test/core/anchor-join.test.ts holds them to it.
 */
export interface AnchorJoin {
  /** Per identity index: position in `accounts` of the account it manages, or -1. */
  accountOf: Int32Array;
  /** Per account position: the position of the account managed for its anchor, or -1 (no anchor). */
  managedOf: Int32Array;
  /** Distinct anchors among the accounts: the accounts rollcall manages. */
  managedCount: number;
  /** Accounts beyond the first that share an anchor. */
  duplicates: number;
}

export function joinByAnchor(accounts: readonly ObservedAccount[], people: readonly { anchor: string }[]): AnchorJoin {
  return mergeable(accounts, people) ? mergeJoin(accounts, people) : mapJoin(accounts, people);
}

/** Anchored accounts in non-decreasing anchor order, and identities strictly increasing. */
function mergeable(accounts: readonly ObservedAccount[], people: readonly { anchor: string }[]): boolean {
  let prev: string | null = null;
  for (let i = 0; i < accounts.length; i++) {
    const a = accounts[i]!.anchor;
    if (a === null) continue;
    if (prev !== null && a < prev) return false;
    prev = a;
  }
  for (let i = 1; i < people.length; i++) if (!(people[i - 1]!.anchor < people[i]!.anchor)) return false;
  return true;
}

function mergeJoin(accounts: readonly ObservedAccount[], people: readonly { anchor: string }[]): AnchorJoin {
  const managedOf = new Int32Array(accounts.length).fill(-1);
  const accountOf = new Int32Array(people.length).fill(-1);
  let managedCount = 0;
  let duplicates = 0;
  let ix = 0;
  let i = 0;
  while (i < accounts.length) {
    const anchor = accounts[i]!.anchor;
    if (anchor === null) {
      i++;
      continue;
    }
    // One run of accounts with this anchor (unanchored ones may sit between them).
    let best = i;
    let end = i + 1;
    for (; end < accounts.length; end++) {
      const a = accounts[end]!;
      if (a.anchor === null) continue;
      if (a.anchor !== anchor) break;
      duplicates++;
      if (a.id < accounts[best]!.id) best = end;
    }
    for (let k = i; k < end; k++) if (accounts[k]!.anchor !== null) managedOf[k] = best;
    managedCount++;
    while (ix < people.length && people[ix]!.anchor < anchor) ix++;
    if (ix < people.length && people[ix]!.anchor === anchor) accountOf[ix++] = best;
    i = end;
  }
  return { accountOf, managedOf, managedCount, duplicates };
}

function mapJoin(accounts: readonly ObservedAccount[], people: readonly { anchor: string }[]): AnchorJoin {
  const byAnchor = new Map<string, number>();
  let duplicates = 0;
  for (let i = 0; i < accounts.length; i++) {
    const a = accounts[i]!;
    if (a.anchor === null) continue;
    const prev = byAnchor.get(a.anchor);
    if (prev === undefined) byAnchor.set(a.anchor, i);
    else {
      duplicates++;
      if (a.id < accounts[prev]!.id) byAnchor.set(a.anchor, i);
    }
  }
  const managedOf = new Int32Array(accounts.length).fill(-1);
  for (let i = 0; i < accounts.length; i++) {
    const a = accounts[i]!.anchor;
    if (a !== null) managedOf[i] = byAnchor.get(a)!;
  }
  const accountOf = new Int32Array(people.length).fill(-1);
  for (let ix = 0; ix < people.length; ix++) accountOf[ix] = byAnchor.get(people[ix]!.anchor) ?? -1;
  return { accountOf, managedOf, managedCount: byAnchor.size, duplicates };
}
