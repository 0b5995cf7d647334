import type { Person, Roster } from '../model/people.js';
import type { Change } from '../model/plan.js';
import { canonicalJson, sha256 } from '../plan/canonical.js';
import { personJson, PrintMemo } from './person-json.js';
import type { Population } from './types.js';

/**
 * The roster as verify needs it: who was there, and whether their record changed. Both the
 * sourcedId and the record are hashed (16 hex digits: collisions are irrelevant at district
 * scale), so the impact artifact is not a roster dump. The record's file position is left
 * out: adding a row above someone does not change them; so are its roles' and enrollments'
 * own ids (see personPrint).
 */

export function personKey(anchor: string): string {
  return sha256(`anchor\u0000${anchor}`).slice(0, 16);
}

/** `memo`: shared by the prints of one roster (see PrintMemo). */
export function personPrint(p: Person, memo?: PrintMemo): string {
  return sha256(personJson(p, memo) ?? printedJson(p)).slice(0, 16);
}

/**
 * What a person's print hashes, the general way (person-json.ts writes the same text faster
 * for the records rollcall's readers make). Without the roles' and enrollments' own ids: a read
 * keeps them only when it must (a plan saved for apply keeps its roster for the next delta
 * set), and approval and merge must print a person alike whichever of them saved a plan.
 */
export function printedJson(p: Person): string {
  const { source: _position, roles, enrollments, ...record } = p;
  return canonicalJson({ ...record, roles: roles.map(withoutId), enrollments: enrollments.map(withoutId) });
}

function withoutId<T extends { sourcedId?: string }>(r: T): Omit<T, 'sourcedId'> {
  const { sourcedId: _id, ...rest } = r;
  return rest;
}

export function populationOf(roster: Roster, baseChanges: readonly Change[]): Population {
  const people: Record<string, string> = {};
  const memo = new PrintMemo();
  for (const p of [...roster.people].sort((a, b) => (a.sourcedId < b.sourcedId ? -1 : 1))) people[personKey(p.sourcedId)] = personPrint(p, memo);
  const byAnchor = new Map<string, string[]>();
  for (const c of baseChanges) {
    if (c.anchor === undefined) continue;
    const list = byAnchor.get(c.anchor) ?? [];
    list.push(canonicalJson({ id: c.id, before: c.before, after: c.after }));
    byAnchor.set(c.anchor, list);
  }
  const pending: Record<string, string> = {};
  for (const [anchor, list] of [...byAnchor.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) pending[personKey(anchor)] = sha256(list.sort().join('\n')).slice(0, 16);
  return { count: roster.people.length, people, pending };
}

/** How one person compares between approval and today: roster record and pending base-plan changes. */
export type PersonDelta = 'same' | 'joined' | 'left' | 'changed';

export function personDelta(anchor: string, approved: Population, current: Population): PersonDelta {
  const k = personKey(anchor);
  const a = approved.people[k];
  const c = current.people[k];
  if (a === undefined && c !== undefined) return 'joined';
  if (a !== undefined && c === undefined) return 'left';
  if (a !== c || (approved.pending[k] ?? '') !== (current.pending[k] ?? '')) return 'changed';
  return 'same';
}
