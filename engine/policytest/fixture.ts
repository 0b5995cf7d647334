import type { ObservedAccount, TargetSnapshot } from '../model/accounts.js';
import { errorDiag, type Diagnostic } from '../model/diagnostics.js';
import type { ClassSection, Org, Person, Roster } from '../model/people.js';
import type { Policy } from '../model/policy.js';
import { emptyState, type PersonState, type StateDocument } from '../model/state.js';
import { addDays } from '../resolve/school-year.js';
import type { PolicyTestCase } from './types.js';

/**
 * A test case's inline fixture -> the engine's own inputs: a bulk Roster (so people absent
 * from the fixture but remembered in state count as gone), a state document and empty target
 * snapshots (unmanaged usernames aside). Pure; school codes are checked against the policy.
 */

export interface Fixture {
  roster: Roster;
  state: StateDocument;
  snapshots: TargetSnapshot[];
  diagnostics: Diagnostic[];
}

const orgId = (code: string): string => `org-${code}`;

/** The school year `now` falls in, turning over on July 1st, as the engine's calendar does. */
function calendarSchoolYear(now: string): number {
  const year = Number(now.slice(0, 4));
  return Number(now.slice(5, 7)) >= 7 ? year + 1 : year;
}

export function buildFixture(tc: PolicyTestCase, policy: Policy): Fixture {
  const diagnostics: Diagnostic[] = [];
  const codes = new Set(policy.schools.map((s) => s.code));
  const checkSchool = (code: string, source: PolicyTestCase['source'], who: string): void => {
    if (code && !codes.has(code)) {
      diagnostics.push(errorDiag('policytest.unknown-school', `${who}: school "${code}" is not one of the policy's schools (${[...codes].join(', ')})`, { source }));
    }
  };

  const orgs: Org[] = policy.schools.map((s) => ({ sourcedId: orgId(s.code), name: s.name, type: 'school', identifier: s.code }));
  const classes: ClassSection[] = tc.classes.map((c) => {
    checkSchool(c.school, c.source, `class ${c.id}`);
    return { sourcedId: c.id, title: c.title, classCode: c.code, schoolSourcedId: orgId(c.school), courseSourcedId: `course-${c.id}`, termSourcedIds: [] };
  });
  const classIds = new Set(classes.map((c) => c.sourcedId));

  const seen = new Set<string>();
  const people: Person[] = [];
  for (const p of tc.people) {
    if (seen.has(p.id)) diagnostics.push(errorDiag('policytest.duplicate-person', `person ${p.id} is listed twice in this test`, { source: p.source }));
    seen.add(p.id);
    checkSchool(p.school, p.source, `person ${p.id}`);
    for (const c of p.classes) {
      if (!classIds.has(c)) diagnostics.push(errorDiag('policytest.unknown-class', `person ${p.id}: class "${c}" is not defined in \`classes\``, { source: p.source }));
    }
    people.push({
      sourcedId: p.id,
      enabledUser: p.enabledUser,
      sisUsername: p.sisUsername,
      identifier: p.identifier,
      userIds: [],
      givenName: p.given,
      familyName: p.family,
      middleName: p.middle,
      preferredGivenName: p.preferredGiven,
      preferredFamilyName: p.preferredFamily,
      preferredMiddleName: '',
      email: p.email,
      grades: p.grade ? [p.grade] : [],
      roles: [{ role: p.role, orgSourcedId: p.school ? orgId(p.school) : '', roleType: 'primary', ...(p.begin ? { beginDate: p.begin } : {}), ...(p.end ? { endDate: p.end } : {}) }],
      enrollments: [...p.classes].sort().map((c) => ({ classSourcedId: c, role: p.role, primary: false })),
      source: p.source,
    });
  }
  people.sort((a, b) => (a.sourcedId < b.sourcedId ? -1 : 1));
  classes.sort((a, b) => (a.sourcedId < b.sourcedId ? -1 : 1));

  const year = tc.schoolYear ?? calendarSchoolYear(tc.now);
  const roster: Roster = {
    sourceFormat: 'oneroster-1.2-csv',
    mode: 'bulk',
    orgs,
    people,
    classes,
    academicSessions: [{ sourcedId: `sy-${year}`, title: `${year - 1}-${year}`, type: 'schoolYear', startDate: `${year - 1}-07-01`, endDate: `${year}-07-01`, schoolYear: year }],
  };

  const state = emptyState('policytest');
  const yearAgo = addDays(tc.now, -365);
  for (const [name, anchor] of Object.entries(tc.state.issued)) state.registry[name.toLowerCase()] = { anchor, issued_at: yearAgo };
  for (const [anchor, r] of Object.entries(tc.state.people)) {
    if (r.school) checkSchool(r.school, r.source, `state of ${anchor}`);
    const ps: PersonState = { username: r.username, first_seen: r.firstSeen ?? yearAgo };
    if (r.missingSince) ps.missing_since = r.missingSince;
    if (r.suspendedAt) ps.suspended_at = r.suspendedAt;
    if (r.deleteAfter) ps.delete_after = r.deleteAfter;
    if (r.deletedAt) ps.deleted_at = r.deletedAt;
    if (r.role !== undefined) {
      ps.last_role = r.role;
      ps.last_grade = r.grade ?? '';
      ps.last_school = r.school ?? '';
      ps.last_grad_year = r.gradYear ?? '';
    }
    state.people[anchor] = ps;
    state.registry[r.username.toLowerCase()] = { anchor, issued_at: ps.first_seen };
  }

  const snapshots: TargetSnapshot[] = policy.targets.map((t, i) => ({
    target: t.name,
    accounts: i === 0 ? tc.unmanaged.map(unmanagedAccount) : [],
    groups: [],
    containers: [],
  }));
  return { roster, state, snapshots, diagnostics };
}

function unmanagedAccount(username: string): ObservedAccount {
  return { id: `unmanaged:${username}`, anchor: null, username, givenName: '', familyName: '', displayName: '', email: '', path: '', enabled: true, aliases: [] };
}
