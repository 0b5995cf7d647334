import type { ObservedAccount, TargetSnapshot } from '../../engine/model/accounts.js';
import type { IncrementalRead } from './incremental.js';

/**
 * Bring a previous snapshot up to date with the accounts an incremental read returned.
 * Groups and containers are not tracked by the change feed here; the caller passes them
 * freshly read (groups only when the feed says a group changed). Sorted exactly like
 * read.ts, so an incremental snapshot equals a full read of the same directory.
 */
export function mergeAccounts(previous: readonly ObservedAccount[], changes: Pick<IncrementalRead, 'changed' | 'removed'>): ObservedAccount[] {
  const byId = new Map(previous.map((a) => [a.id, a]));
  for (const id of changes.removed) byId.delete(id);
  for (const a of changes.changed) byId.set(a.id, a);
  return [...byId.values()].sort((a, b) => cmp(a.username, b.username) || cmp(a.id, b.id));
}

export function mergeSnapshot(previous: TargetSnapshot, changes: IncrementalRead, fresh: Pick<TargetSnapshot, 'groups' | 'containers'>): TargetSnapshot {
  return { target: previous.target, accounts: mergeAccounts(previous.accounts, changes), groups: fresh.groups, containers: fresh.containers, cursor: changes.cursor };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
