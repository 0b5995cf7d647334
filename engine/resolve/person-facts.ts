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

/**
 * The facts the plan renders a person's account from: none for someone holding no eligible
 * role (role rows removed, a roles.csv cut short, only a guardian role left). Like a person
 * gone from the export, such a person is held as they are through the grace period and then
 * suspended by what state remembers: rendered from these facts, a student with no role would
 * take the staff email rule and leave every role-based group while still enabled, and a rule
 * matching anyone would rename them. People whose roles ended by date keep those roles in their
 * facts and are planned from them.
 */
export function plannedFacts(f: PersonFacts | null): PersonFacts | null {
  return f !== null && f.eligibility !== 'ineligible' ? f : null;
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

/**
 * The role that counts, in one pass with no temporary arrays (this runs once per person per
 * plan). The same choice as stable-sorting the eligible roles: a current one, primary first;
 * else the earliest upcoming one (primary first on a tie); else an ended one, primary first;
 * each time the earliest listed among equals.
 */
function pickRole(person: Person, eligible: ReadonlySet<string>, today: string, preEnrollmentDays: number): Picked {
  let any = false;
  let current: PersonRole | null = null;
  let upcoming: PersonRole | null = null;
  let ended: PersonRole | null = null;
  for (const r of person.roles) {
    if (!eligible.has(r.role)) continue;
    any = true;
    const primary = r.roleType === 'primary';
    if (roleIsCurrent(r, today)) {
      if (current === null || (primary && current.roleType !== 'primary')) current = r;
      continue;
    }
    if (current === null && r.beginDate !== undefined && r.beginDate > today) {
      if (upcoming === null || r.beginDate < upcoming.beginDate! || (r.beginDate === upcoming.beginDate && primary && upcoming.roleType !== 'primary')) upcoming = r;
    }
    if (ended === null || (primary && ended.roleType !== 'primary')) ended = r;
  }
  if (!any) return INELIGIBLE;
  if (current) return { role: current, eligibility: 'active', withinPreEnrollment: false };
  if (upcoming) {
    const windowStart = addDays(upcoming.beginDate!, -preEnrollmentDays);
    return { role: upcoming, eligibility: 'upcoming', withinPreEnrollment: windowStart <= today };
  }
  return { role: ended, eligibility: 'ended', withinPreEnrollment: false };
}

interface Picked {
  role: PersonRole | null;
  eligibility: Eligibility;
  withinPreEnrollment: boolean;
}

const INELIGIBLE: Picked = Object.freeze({ role: null, eligibility: 'ineligible', withinPreEnrollment: false });

/**
 * A graduation year as text, one shared string per year: a district has a dozen cohorts, and
 * shared strings keep their hash for the map lookups of every rule that reads `gradYear`.
 */
const YEAR_TEXT = new Map<number, string>();
function yearText(y: number): string {
  let s = YEAR_TEXT.get(y);
  if (s === undefined) {
    s = String(y);
    if (YEAR_TEXT.size < 1000) YEAR_TEXT.set(y, s);
  }
  return s;
}

/** A person as `when:` predicates see them; a class, so a person costs no closure. */
class PersonSubject implements MatchSubject {
  constructor(
    readonly role: string,
    readonly school: string,
    readonly grade: string,
    readonly gradYear: number | null,
    private readonly person: Person,
  ) {}

  field(name: string): string {
    return fieldOf(this.person, name);
  }
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
    gradYear: gradYear === null ? '' : yearText(gradYear),
    school,
    role,
  };
  const subject: MatchSubject = new PersonSubject(role, school, grade, gradYear, person);
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
