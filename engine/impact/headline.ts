import type { Action, ChangeKind } from '../model/plan.js';
import type { ImpactEntry } from './types.js';

/**
 * One sentence a reviewer reads first: "This change renames 412 accounts, moves 38
 * accounts, creates 3 groups; 0 disables, 0 deletions." Disables and deletions are always
 * stated, even at zero, because that is the question every reviewer asks.
 */

const PHRASES: readonly [ChangeKind, Action, string, string][] = [
  ['account', 'create', 'creates', 'account'],
  ['account', 'adopt', 'adopts', 'existing account'],
  ['account', 'rename', 'renames', 'account'],
  ['account', 'update', 'updates names or email of', 'account'],
  ['account', 'move', 'moves', 'account'],
  ['account', 'enable', 'enables', 'account'],
  ['container', 'create', 'creates', 'container'],
  ['group', 'create', 'creates', 'group'],
  ['membership', 'add', 'adds', 'group membership'],
  ['membership', 'remove', 'removes', 'group membership'],
];

const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

export function headlineOf(entries: readonly ImpactEntry[]): string {
  if (entries.length === 0) return 'This change has no effect on the directories today.';
  const counts = new Map<string, number>();
  let removed = 0;
  for (const e of entries) {
    if (e.change === 'removed') {
      removed++;
      continue;
    }
    const k = `${e.kind}:${e.action}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const parts = PHRASES.filter(([k, a]) => counts.has(`${k}:${a}`)).map(([k, a, verb, noun]) => `${verb} ${plural(counts.get(`${k}:${a}`)!, noun)}`);
  const disables = counts.get('account:disable') ?? 0;
  const deletes = counts.get('account:delete') ?? 0;
  let s = `This change ${parts.length > 0 ? parts.join(', ') : 'adds no new changes'}; ${plural(disables, 'disable')}, ${deletes === 1 ? '1 deletion' : `${deletes} deletions`}`;
  if (removed > 0) s += `; it takes ${plural(removed, 'pending change')} out of the plan`;
  return s + '.';
}
