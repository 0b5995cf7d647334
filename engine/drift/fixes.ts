import type { PlanDocument } from '../model/plan.js';
import type { DriftItem } from './model.js';

/**
 * Which changes of the fresh plan correct a drift item, found by the plan's stable change
 * ids (`${target}:${kind}:${key}:${action}`). An item is fixable only when every part of
 * it is covered: a renamed display name and a moved account need an update and a move.
 * Orphans never are (the plan does not touch accounts without an anchor), nor members of
 * protected groups (the plan never edits them).
 */
export function fixesFor(item: DriftItem, changeIds: ReadonlySet<string>): string[] {
  const acct = (action: string): string => `${item.target}:account:${item.anchor ?? ''}:${action}`;
  const need: string[][] = [];
  switch (item.category) {
    case 'attribute-changed':
      for (const a of item.attrs) need.push(a.name === 'path' ? [acct('move')] : a.name === 'email' ? [acct('update'), acct('rename')] : [acct('update')]);
      break;
    case 'username-out-of-policy':
      need.push([acct('rename')]);
      break;
    case 'unexpected-enabled':
      need.push([acct('disable'), acct('delete')]);
      break;
    case 'unexpected-disabled':
      need.push([acct('enable')]);
      break;
    case 'missing-account':
      need.push([acct('create')]);
      break;
    case 'privileged-member': {
      const member = item.anchor ?? item.username ?? item.objectId ?? '';
      need.push([`${item.target}:membership:${item.group ?? ''}|${member}:remove`]);
      break;
    }
    case 'orphan-account':
      return [];
  }
  if (!item.anchor && item.category !== 'privileged-member') return [];
  const out = new Set<string>();
  for (const options of need) {
    const hit = options.find((id) => changeIds.has(id));
    if (!hit) return [];
    out.add(hit);
  }
  return [...out].sort();
}

export function planChangeIds(plan: PlanDocument | undefined): ReadonlySet<string> {
  return new Set(plan?.changes.map((c) => c.id) ?? []);
}
