import type { ObservedAccount, ObservedGroup } from './accounts.js';

/**
 * Where a target's group members sit among its accounts, when the reader knew it: a version
 * 2 snapshot file stores most members as account positions, and the reader turns them back
 * into ids (ObservedGroup.members). Kept beside the snapshot, not in it, so nothing that
 * copies or serializes snapshots ever sees it; the diff reads it to skip a lookup by id per
 * membership (ten million of them in a million-person district).
 *
 * Group `g`'s members are `chunks[chunk[g]][start[g]]` onward, `count[g]` of them: each the
 * position of `members[j]` in `accounts`, or -1 when the reader had only the id. A few
 * arrays of a million entries for the whole target, not one per group: hundreds of thousands
 * of small typed arrays, or one array regrown time and again, cost more to make (and in
 * collections of the heap, which count their bytes) than the lookups they save.
 */
export interface MemberPositions {
  chunks: Int32Array[];
  chunk: Int32Array;
  start: Int32Array;
  count: Int32Array;
}

interface Recorded extends MemberPositions {
  accounts: readonly ObservedAccount[];
  accountCount: number;
  groupCount: number;
}

// Keyed by the groups array: the object a reader fills and a diff receives as it is.
const recorded = new WeakMap<readonly ObservedGroup[], Recorded>();

export function recordMemberPositions(groups: readonly ObservedGroup[], accounts: readonly ObservedAccount[], positions: MemberPositions): void {
  recorded.set(groups, { ...positions, accounts, accountCount: accounts.length, groupCount: groups.length });
}

/**
 * The positions recorded for exactly these arrays, at the lengths they had then; undefined
 * for a snapshot whose accounts or groups were filtered or copied (correlation), or grew.
 * A group whose member list changed length since is still the caller's to check (`positionsStart`).
 */
export function memberPositions(snapshot: { accounts: readonly ObservedAccount[]; groups: readonly ObservedGroup[] }): MemberPositions | undefined {
  const r = recorded.get(snapshot.groups);
  if (r === undefined || r.accounts !== snapshot.accounts || r.accountCount !== snapshot.accounts.length || r.groupCount !== snapshot.groups.length) return undefined;
  return r;
}

/** Group `g`'s first entry in `p.chunks[p.chunk[g]]`, or -1 when its recorded count is not its member count. */
export function positionsStart(p: MemberPositions, g: number, memberCount: number): number {
  return p.count[g] === memberCount ? p.start[g]! : -1;
}

const FIRST_CHUNK = 1 << 16;
const CHUNK = 1 << 20;

/**
 * Builds a target's MemberPositions as its groups are read, in the order they are pushed:
 * `reserve(k)` hands out the chunk with room for a group's k entries from `at` on, the
 * reader writes them, then `endGroup(k)`.
 */
export class MemberPositionsBuilder {
  private readonly chunks: Int32Array[] = [];
  private current = new Int32Array(0);
  /** Where the next group's entries start in the current chunk. */
  at = 0;
  private readonly chunkOf: number[] = [];
  private readonly startOf: number[] = [];
  private readonly countOf: number[] = [];

  reserve(count: number): Int32Array {
    if (this.at + count > this.current.length) {
      // Chunks double from 64k entries up to CHUNK (a small district's snapshot needs no
      // megabytes); a group bigger than that gets one of its own size.
      const size = Math.min(CHUNK, Math.max(FIRST_CHUNK, 2 * this.current.length));
      this.current = new Int32Array(Math.max(size, count));
      this.chunks.push(this.current);
      this.at = 0;
    }
    return this.current;
  }

  /** The group just written had `count` entries (every member: a position or -1). */
  endGroup(count: number): void {
    this.chunkOf.push(this.chunks.length - 1);
    this.startOf.push(this.at);
    this.countOf.push(count);
    this.at += count;
  }

  build(): MemberPositions {
    return { chunks: this.chunks, chunk: Int32Array.from(this.chunkOf), start: Int32Array.from(this.startOf), count: Int32Array.from(this.countOf) };
  }
}
