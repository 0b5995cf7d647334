import type { TargetSnapshot } from '../model/accounts.js';
import { createHash } from 'node:crypto';

/**
 * A digest of what a target held when the plan was made. Apply re-reads the target and
 * refuses when this moved on. Order-independent: providers may list in any order.
 */
export function snapshotDigest(s: TargetSnapshot): string {
  const h = createHash('sha256');
  const accounts = [...s.accounts].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const a of accounts) {
    h.update(`A\u0000${a.id}\u0000${a.anchor ?? ''}\u0000${a.username}\u0000${a.givenName}\u0000${a.familyName}\u0000${a.displayName}\u0000${a.email}\u0000${a.path}\u0000${a.enabled ? 1 : 0}\u0000${[...a.aliases].sort().join(',')}\n`);
  }
  const groups = [...s.groups].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const g of groups) {
    h.update(`G\u0000${g.id}\u0000${g.name}\u0000${g.description}\u0000${g.managed ? 1 : 0}\u0000${[...g.members].sort().join(',')}\n`);
  }
  for (const c of [...s.containers].sort()) h.update(`C\u0000${c}\n`);
  return h.digest('hex');
}
