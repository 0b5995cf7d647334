import type { Enrollment, Person, PersonRole } from '../../../engine/model/people.js';

/**
 * The roster's canonical order, so the model does not depend on row order: everything by
 * sourcedId (code-unit order, not locale order, for byte-identical plans); roles primary first.
 */
export const byCode = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
export const bySourcedId = <T extends { sourcedId: string }>(a: T, b: T): number => byCode(a.sourcedId, b.sourcedId);

export function compareRoles(a: PersonRole, b: PersonRole): number {
  if (a.roleType !== b.roleType) return a.roleType === 'primary' ? -1 : 1;
  return byCode(a.orgSourcedId, b.orgSourcedId) || byCode(a.role, b.role) || byCode(a.sourcedId ?? '', b.sourcedId ?? '');
}

export function compareEnrollments(a: Enrollment, b: Enrollment): number {
  return byCode(a.classSourcedId, b.classSourcedId) || byCode(a.role, b.role) || byCode(a.sourcedId ?? '', b.sourcedId ?? '');
}

/** Sort a person's roles and enrollments; also trims arrays grown by push (V8 over-allocates). */
export function sortPerson(p: Person): void {
  if (p.roles.length > 1) p.roles.sort(compareRoles);
  if (p.enrollments.length > 1) p.enrollments.sort(compareEnrollments);
  if (p.roles.length) p.roles = p.roles.slice();
  if (p.enrollments.length) p.enrollments = p.enrollments.slice();
}
