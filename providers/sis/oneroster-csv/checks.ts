import { formatSource } from '../../../engine/model/diagnostics.js';
import type { Org, Person, Roster } from '../../../engine/model/people.js';
import type { DiagnosticSink } from '../csv-util/diagnostic-sink.js';

/**
 * Whole-roster data checks, after every file is read (or a delta applied):
 * - error: a student with no school (no student role at a school, directly or through a
 *   department's parent chain): rollcall could not place them;
 * - warning: a person with no role at all; the same email on two people; two people with
 *   identical names and birth facts (birthDate from demographics.csv), a likely duplicate.
 */
/** Where the checks report (a DiagnosticSink, or check-cache.ts's recorder in front of one). */
export type CheckSink = Pick<DiagnosticSink, 'warn' | 'error'>;

export function checkRoster(sink: CheckSink, roster: Roster, birthFacts: ReadonlyMap<string, string>, orgsKnown = true, brokenOrgs: ReadonlySet<string> = new Set()): void {
  const orgs = new Map(roster.orgs.map((o) => [o.sourcedId, o]));
  // The first person per email / name-and-birth key; where it came from is formatted only for a duplicate.
  const emails = new Map<string, Person>();
  const twins = new Map<string, Person>();
  for (const p of roster.people) {
    if (p.roles.length === 0) sink.warn('oneroster.no-role', `user ${p.sourcedId} has no role at any org`, p.source);
    if (orgsKnown && studentWithoutSchool(p, orgs, brokenOrgs)) {
      const studentRoles = p.roles.filter((r) => r.role === 'student');
      const why = studentRoles.map((r) => (r.sourcedId ? `role ${r.sourcedId}: ` : '') + describe(orgs, r.orgSourcedId)).join('; ');
      sink.error('oneroster.student-without-school', `user ${p.sourcedId} is a student with no school: ${why}`, p.source);
    }
    if (p.email !== '') {
      const key = p.email.toLowerCase();
      const prev = emails.get(key);
      if (prev) sink.warn('oneroster.duplicate-email', `user ${p.sourcedId} has the same email as user ${prev.sourcedId} (${formatSource(prev.source)})`, p.source);
      else emails.set(key, p);
    }
    // Most exports have no demographics.csv: skip a million lookups in an empty map.
    const birth = birthFacts.size > 0 ? birthFacts.get(p.sourcedId) : undefined;
    if (birth) {
      const key = `${p.givenName.trim().toLowerCase()}\0${p.familyName.trim().toLowerCase()}\0${birth}`;
      const prev = twins.get(key);
      if (prev) sink.warn('oneroster.duplicate-person', `user ${p.sourcedId} has the same names and birth facts as user ${prev.sourcedId} (${formatSource(prev.source)}); possibly one person twice`, p.source);
      else twins.set(key, p);
    }
  }
}

/** Has student roles, and none of them at a school (or at an org already reported broken). */
function studentWithoutSchool(p: Person, orgs: ReadonlyMap<string, Org>, brokenOrgs: ReadonlySet<string>): boolean {
  let student = false;
  for (const r of p.roles) {
    if (r.role !== 'student') continue;
    if (schoolOf(orgs, r.orgSourcedId) || brokenOrgs.has(r.orgSourcedId)) return false;
    student = true;
  }
  return student;
}

/** The school an org is, or belongs to through parents (departments sit under schools). */
export function schoolOf(orgs: ReadonlyMap<string, Org>, id: string): Org | undefined {
  let cur = orgs.get(id);
  for (let depth = 0; cur && depth < 16; depth++) {
    if (cur.type === 'school') return cur;
    if (cur.type !== 'department' || !cur.parentSourcedId) return undefined;
    cur = orgs.get(cur.parentSourcedId);
  }
  return undefined;
}

function describe(orgs: ReadonlyMap<string, Org>, id: string): string {
  const o = orgs.get(id);
  if (!o) return `org "${id}" is not in the set`;
  if (o.type === 'department' && o.parentSourcedId && !orgs.has(o.parentSourcedId))
    return `org "${id}" is a department whose parent "${o.parentSourcedId}" is not in the set`;
  return `org "${id}" is a ${o.type}`;
}
