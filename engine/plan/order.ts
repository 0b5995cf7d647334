import type { Change } from '../model/plan.js';
import { ACTION_ORDER, KIND_ORDER } from '../model/plan.js';

/**
 * The model owns the order, so text, Markdown, JSON and apply agree line for line:
 * target, then kind (containers, accounts, groups, memberships), then action, then key.
 * Dependencies always point to an earlier kind, or (containers) to a shorter path, which
 * sorts first, so this order is also a valid apply order.
 */
const kindRank = new Map(KIND_ORDER.map((k, i) => [k, i]));
const actionRank = new Map(ACTION_ORDER.map((a, i) => [a, i]));

export function compareChanges(a: Change, b: Change): number {
  if (a.target !== b.target) return a.target < b.target ? -1 : 1;
  const k = (kindRank.get(a.kind) ?? 99) - (kindRank.get(b.kind) ?? 99);
  if (k !== 0) return k;
  if (a.kind === 'container') {
    // Parents before children.
    const da = a.key.split('/').length;
    const db = b.key.split('/').length;
    if (da !== db) return da - db;
  }
  const r = (actionRank.get(a.action) ?? 99) - (actionRank.get(b.action) ?? 99);
  if (r !== 0) return r;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

export function sortChanges(changes: Change[]): Change[] {
  return changes.sort(compareChanges);
}
