import type { TargetSnapshot } from '../model/accounts.js';
import { createHash } from 'node:crypto';

/**
 * Names the way snapshotDigest hashes. A snapshot file stores its digest beside this name
 * (run/snapshot-file.ts), and a plan uses a stored digest only when the names agree: change
 * what the digest covers or how, and change this too, or an older file's digest would no longer
 * match the target as apply re-reads it.
 */
export const SNAPSHOT_DIGEST_SCHEME = 'sha256-1';

/**
 * A digest of what a target held when the plan was made. Apply re-reads the target and
 * refuses when this moved on. Order-independent: providers may list in any order.
 */
export function snapshotDigest(s: TargetSnapshot): string {
  const h = createHash('sha256');
  for (const a of sortedById(s.accounts)) {
    h.update(`A\u0000${a.id}\u0000${a.anchor ?? ''}\u0000${a.username}\u0000${a.givenName}\u0000${a.familyName}\u0000${a.displayName}\u0000${a.email}\u0000${a.path}\u0000${a.enabled ? 1 : 0}\u0000${sortedList(a.aliases)}\n`);
  }
  for (const g of sortedById(s.groups)) {
    h.update(`G\u0000${g.id}\u0000${g.name}\u0000${g.description}\u0000${g.managed ? 1 : 0}\u0000${sortedList(g.members)}\n`);
  }
  for (const c of [...s.containers].sort()) h.update(`C\u0000${c}\n`);
  return h.digest('hex');
}

// Providers and the snapshot file mostly list things sorted already: checked in one pass,
// copied and sorted only when not (a million accounts' member lists otherwise copied each).

function sortedById<T extends { id: string }>(xs: readonly T[]): readonly T[] {
  for (let i = 1; i < xs.length; i++) {
    if (xs[i - 1]!.id > xs[i]!.id) return [...xs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
  return xs;
}

function sortedList(xs: readonly string[]): string {
  for (let i = 1; i < xs.length; i++) if (xs[i - 1]! > xs[i]!) return [...xs].sort().join(',');
  return xs.join(',');
}
