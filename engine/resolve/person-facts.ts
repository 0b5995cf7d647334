import type { ClassSection, Org, Person, PersonRole, Roster } from '../model/people.js';
import type { Policy } from '../model/policy.js';
import type { MatchSubject } from './match.js';
import { gradYearFor, addDays, calendarSchoolYear } from './school-year.js';

/**
 * What policy rules see of one person: the role that counts (an eligible role, current
 * roles first, primary first), its school code, grade, graduation year and the template
 * values. Computed once per person, so rules never re-derive them.
 */

export type Eligibility =
  /** Holds an eligible role today. */
  | 'active'
  /** An eligible role starts within the pre-enrollment window, or later. */
  | 'upcoming'
  /** Every eligible role has ended. */
  | 'ended'
  /** No role policy provisions (e.g. guardians). */
  | 'ineligible';

export interface PersonFacts {
  anchor: string;
  person: Person;
  eligibility: Eligibility;
  /** For `upcoming`: whether the begin date is inside the pre-enrollment window. */
  withinPreEnrollment: boolean;
  role: string;
  roleEntry: PersonRole | null;
  school: string;
  grade: string;
  gradYear: number | null;
  values: Record<string, string>;
  subject: MatchSubject;
}

export interface RosterIndex {
  orgs: Map<string, Org>;
  classes: Map<string, ClassSection>;
}

export function indexRoster(roster: Roster): RosterIndex {
  return {
    orgs: new Map(roster.orgs.map((o) => [o.sourcedId, o])),
    classes: new Map(roster.classes.map((c) => [c.sourcedId, c])),
  };
}

function roleIsCurrent(r: PersonRole, today: string): boolean {
  return (!r.beginDate || r.beginDate <= today) && (!r.endDate || today < r.endDate);
}

function pickRole(person: Person, eligible: ReadonlySet<string>, today: string, preEnrollmentDays: number): {
  role: PersonRole | null;
  eligibility: Eligibility;
  withinPreEnrollment: boolean;
} {
  const candidates = person.roles.filter((r) => eligible.has(r.role));
  if (candidates.length === 0) return { role: null, eligibility: 'ineligible', withinPreEnrollment: false };
  const byPriority = (a: PersonRole, b: PersonRole): number =>
    (a.roleType === b.roleType ? 0 : a.roleType === 'primary' ? -1 : 1);
  const current = candidates.filter((r) => roleIsCurrent(r, today)).sort(byPriority);
  if (current[0]) return { role: current[0], eligibility: 'active', withinPreEnrollment: false };
  const upcoming = candidates
    .filter((r) => r.beginDate !== undefined && r.beginDate > today)
    .sort((a, b) => (a.beginDate! < b.beginDate! ? -1 : a.beginDate! > b.beginDate! ? 1 : byPriority(a, b)));
  if (upcoming[0]) {
    const windowStart = addDays(upcoming[0].beginDate!, -preEnrollmentDays);
    return { role: upcoming[0], eligibility: 'upcoming', withinPreEnrollment: windowStart <= today };
  }
  const ended = [...candidates].sort(byPriority);
  return { role: ended[0] ?? null, eligibility: 'ended', withinPreEnrollment: false };
}

export function personFacts(
  person: Person,
  index: RosterIndex,
  policy: Policy,
  eligibleRoles: ReadonlySet<string>,
  schoolYear: number,
  today: string,
): PersonFacts {
  const picked = pickRole(person, eligibleRoles, today, policy.lifecycle.preEnrollmentDays);
  const role = picked.role?.role ?? person.roles[0]?.role ?? '';
  const org = picked.role ? index.orgs.get(picked.role.orgSourcedId) : undefined;
  const school = org?.identifier ?? '';
  const grade = person.grades[0] ?? '';
  // A student whose role has ended keeps the cohort of the year they were enrolled in: a
  // graduate still listed after the summer must not move to next year's Alumni OU.
  const endDate = picked.eligibility === 'ended' ? picked.role?.endDate : undefined;
  const yearOfGrade = endDate && endDate <= today ? calendarSchoolYear(addDays(endDate, -1)) : schoolYear;
  const gradYear = role === 'student' && grade ? gradYearFor(grade, Math.min(schoolYear, yearOfGrade)) : null;
  const preferredGiven = person.preferredGivenName || person.givenName;
  const preferredFamily = person.preferredFamilyName || person.familyName;
  const values: Record<string, string> = {
    given: person.givenName,
    family: person.familyName,
    middle: person.middleName,
    preferredGiven,
    preferredFamily,
    middleInitial: person.middleName.slice(0, 1),
    identifier: person.identifier,
    sourcedId: person.sourcedId,
    sisUsername: person.sisUsername,
    grade,
    gradYear: gradYear === null ? '' : String(gradYear),
    school,
    role,
  };
  const subject: MatchSubject = {
    role,
    school,
    grade,
    gradYear,
    field: (name) => fieldOf(person, name),
  };
  return {
    anchor: person.sourcedId,
    person,
    eligibility: picked.eligibility,
    withinPreEnrollment: picked.withinPreEnrollment,
    role,
    roleEntry: picked.role,
    school,
    grade,
    gradYear,
    values,
    subject,
  };
}

/** Generic field access for `fields:` predicates: `enabledUser`, `email`, `userIds.<type>`, names. */
function fieldOf(person: Person, name: string): string {
  if (name.startsWith('userIds.')) {
    const type = name.slice('userIds.'.length);
    return person.userIds.find((u) => u.type === type)?.identifier ?? '';
  }
  switch (name) {
    case 'enabledUser': return String(person.enabledUser);
    case 'email': return person.email;
    case 'identifier': return person.identifier;
    case 'sisUsername': return person.sisUsername;
    case 'givenName': return person.givenName;
    case 'familyName': return person.familyName;
    case 'grade': return person.grades[0] ?? '';
    default: return '';
  }
}
