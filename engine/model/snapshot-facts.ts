import type { TargetSnapshot } from './accounts.js';

/**
 * What `rollcall refresh` worked out about a target's snapshot when it wrote the file, read
 * back by `plan --refresh=false` so a plan does not work it out again for every pull request:
 * the snapshot's digest (plan/snapshot-digest.ts), a pass over every account and group, and
 * whether its account ids are unique, which the diff otherwise learns by indexing a million ids.
 *
 * The reader records facts only from a file whose line checksum holds (run/snapshot-file.ts),
 * so a file edited after refresh wrote it is worked out afresh. Kept beside the snapshot, not
 * in it, like member positions: nothing that copies or serializes snapshots sees them, and a
 * snapshot filtered, merged or grown since (other arrays, other lengths) has none.
 */
export interface SnapshotFacts {
  /** snapshotDigest of the target as written. */
  digest: string;
  /** No two accounts share an id. */
  uniqueIds: boolean;
}

interface Recorded {
  facts: SnapshotFacts;
  groups: TargetSnapshot['groups'];
  containers: TargetSnapshot['containers'];
  accountCount: number;
  groupCount: number;
  containerCount: number;
}

// Keyed by the accounts array: the object a reader fills and a plan receives as it is.
const recorded = new WeakMap<TargetSnapshot['accounts'], Recorded>();

export function recordSnapshotFacts(snapshot: TargetSnapshot, facts: SnapshotFacts): void {
  recorded.set(snapshot.accounts, {
    facts,
    groups: snapshot.groups,
    containers: snapshot.containers,
    accountCount: snapshot.accounts.length,
    groupCount: snapshot.groups.length,
    containerCount: snapshot.containers.length,
  });
}

/** The facts recorded for exactly these arrays at the lengths they had then; otherwise undefined. */
export function snapshotFacts(snapshot: TargetSnapshot): SnapshotFacts | undefined {
  const r = recorded.get(snapshot.accounts);
  if (r === undefined || r.groups !== snapshot.groups || r.containers !== snapshot.containers) return undefined;
  if (r.accountCount !== snapshot.accounts.length || r.groupCount !== snapshot.groups.length || r.containerCount !== snapshot.containers.length) return undefined;
  return r.facts;
}
