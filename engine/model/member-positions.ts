import type { ObservedAccount, ObservedGroup } from './accounts.js';

/**
 * Where a group's members sit among its target's accounts, when the reader knew it: a
 * version 2 snapshot file stores most members as account positions, and the reader turns
 * them back into ids (ObservedGroup.members). Kept beside the group, not in it, so nothing
 * that copies or serializes groups ever sees it; the diff reads it to skip a lookup by id per
 * membership (ten million of them in a million-person district).
 *
 * `pos[j]` is the position of `members[j]` in `accounts`, or -1 when the reader had only
 * the id. Valid only for that very accounts array at that length: a snapshot whose accounts
 * were filtered or copied (correlation) gets no positions and is looked up by id.
 */
export interface MemberPositions {
  accounts: readonly ObservedAccount[];
  length: number;
  pos: Int32Array;
}

const recorded = new WeakMap<ObservedGroup, MemberPositions>();

export function recordMemberPositions(group: ObservedGroup, accounts: readonly ObservedAccount[], pos: Int32Array): void {
  recorded.set(group, { accounts, length: accounts.length, pos });
}

/** The positions of `group`'s members in `accounts`, if the reader recorded them against exactly that array. */
export function memberPositions(group: ObservedGroup, accounts: readonly ObservedAccount[]): Int32Array | undefined {
  const r = recorded.get(group);
  if (r === undefined || r.accounts !== accounts || r.length !== accounts.length || r.pos.length !== group.members.length) return undefined;
  return r.pos;
}
