import type { ObservedAccount } from '../model/accounts.js';

/**
 * Which observed account each identity manages, joined by anchor. Of accounts sharing an
 * anchor the one with the lowest id is managed (the first of equal ids); the others are
 * counted as duplicates.
 *
 * Snapshots read back from a refresh, and identities from resolve, both come in anchor
 * order. Then a merge walk joins them: one sequential pass over each instead of a
 * million-entry Map built and probed once per person (each probe a cache miss at district
 * scale). Any other order takes the Map. Both give the same answer; the property test in
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
  return mergeJoin(accounts, people) ?? mapJoin(accounts, people);
}

/**
 * The merge walk, or null when the inputs are not in order: anchored accounts in
 * non-decreasing anchor order, identities strictly increasing. The order is checked on the
 * way, each anchor compared while the walk has it in hand, rather than in a pass of its own
 * first: at a million people that pass read every anchor string once more, from memory.
 */
function mergeJoin(accounts: readonly ObservedAccount[], people: readonly { anchor: string }[]): AnchorJoin | null {
  const managedOf = new Int32Array(accounts.length).fill(-1);
  const accountOf = new Int32Array(people.length).fill(-1);
  let managedCount = 0;
  let duplicates = 0;
  let ix = 0;
  let i = 0;
  let previous: string | null = null;
  // Identity ix (> 0) is in order after identity ix - 1; each is asked once, as the walk passes it.
  const inOrder = (ix: number): boolean => ix === 0 || people[ix - 1]!.anchor < people[ix]!.anchor;
  while (i < accounts.length) {
    const anchor = accounts[i]!.anchor;
    if (anchor === null) {
      i++;
      continue;
    }
    if (previous !== null && !(previous < anchor)) return null;
    previous = anchor;
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
    while (ix < people.length && people[ix]!.anchor < anchor) {
      if (!inOrder(ix)) return null;
      ix++;
    }
    if (ix < people.length && people[ix]!.anchor === anchor) {
      if (!inOrder(ix)) return null;
      accountOf[ix++] = best;
    }
    i = end;
  }
  for (; ix < people.length; ix++) if (!inOrder(ix)) return null;
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
