import type { Person, Roster } from '../../../engine/model/people.js';
import { bySourcedId, sortPerson } from './order.js';
import type { Rec, RosterChanges, TableChanges } from './records.js';

/**
 * Apply a OneRoster file set to the last known roster. PURE: no I/O, no clock.
 *
 * Per table: absent -> the base is kept; `bulk` -> the file replaces that collection;
 * `delta` -> records upsert (status active) or remove (status tobedeleted) by sourcedId.
 * When a delta carries several records for one sourcedId, the one with the latest
 * dateLastModified wins (ties: the later row), so the outcome does not depend on row order.
 * Users keep their roles and enrollments across an update unless those files change them
 * (1.1 sets carry roles on the user row, so there an update replaces them).
 * References are not checked here; the reader checks them and reports with file:line.
 */
export function applyDelta(base: Roster, changes: RosterChanges): Roster {
  const orgs = applyTable(base.orgs, changes.orgs, (v) => v);
  const academicSessions = applyTable(base.academicSessions, changes.academicSessions, (v) => v);
  const classes = applyTable(base.classes, changes.classes, (v) => v);

  const people = new Map<string, Person>();
  for (const p of base.people) people.set(p.sourcedId, { ...p, roles: [...p.roles], enrollments: [...p.enrollments] });
  const users = changes.users;
  if (users) {
    const prev = new Map(people);
    if (users.mode === 'bulk') people.clear();
    for (const r of latest(users.records)) {
      if (r.status === 'tobedeleted' || !r.value) {
        people.delete(r.sourcedId);
        continue;
      }
      const old = prev.get(r.sourcedId);
      const p = r.value.person;
      people.set(r.sourcedId, {
        ...p,
        roles: changes.rolesFromUsers ? [...p.roles] : [...(old?.roles ?? [])],
        enrollments: [...(old?.enrollments ?? [])],
      });
    }
  }
  if (changes.roles && !changes.rolesFromUsers) {
    applyParts(people, changes.roles, 'roles', (v) => ({ user: v.userSourcedId, part: v.role }));
  }
  if (changes.enrollments) {
    applyParts(people, changes.enrollments, 'enrollments', (v) => ({ user: v.userSourcedId, part: v.enrollment }));
  }
  const list = [...people.values()].sort(bySourcedId);
  for (const p of list) sortPerson(p);
  return {
    sourceFormat: changes.sourceFormat,
    mode: users?.mode ?? base.mode,
    orgs,
    people: list,
    classes,
    academicSessions,
  };
}

/** The records that decide each sourcedId's final state, in file order. */
export function latest<T>(records: readonly Rec<T>[]): Rec<T>[] {
  const win = new Map<string, Rec<T>>();
  for (const r of records) {
    const prev = win.get(r.sourcedId);
    if (!prev || (r.dateLastModified ?? '') >= (prev.dateLastModified ?? '')) win.set(r.sourcedId, r);
  }
  return records.filter((r) => win.get(r.sourcedId) === r);
}

function applyTable<T extends { sourcedId: string }>(base: readonly T[], changes: TableChanges<T> | undefined, value: (v: T) => T): T[] {
  if (!changes) return [...base];
  const map = new Map<string, T>();
  if (changes.mode === 'delta') for (const b of base) map.set(b.sourcedId, b);
  for (const r of latest(changes.records)) {
    if (r.status === 'tobedeleted' || !r.value) map.delete(r.sourcedId);
    else map.set(r.sourcedId, value(r.value));
  }
  return [...map.values()].sort(bySourcedId);
}

/** Roles and enrollments live inside people; find them by their own sourcedId. */
function applyParts<V, P extends { sourcedId?: string }>(
  people: Map<string, Person>,
  changes: TableChanges<V>,
  key: 'roles' | 'enrollments',
  split: (v: V) => { user: string; part: P },
): void {
  const owner = new Map<string, Person>();
  for (const p of people.values()) {
    if (changes.mode === 'bulk') p[key] = [];
    else for (const part of p[key]) if (part.sourcedId) owner.set(part.sourcedId, p);
  }
  for (const r of latest(changes.records)) {
    const holder = owner.get(r.sourcedId);
    if (holder) {
      (holder[key] as unknown as P[]) = (holder[key] as unknown as P[]).filter((x) => x.sourcedId !== r.sourcedId);
      owner.delete(r.sourcedId);
    }
    if (r.status === 'tobedeleted' || !r.value) continue;
    const { user, part } = split(r.value);
    const target = people.get(user);
    if (!target) continue; // dangling: reported by the reader
    (target[key] as unknown as P[]).push(part);
    owner.set(r.sourcedId, target);
  }
}
