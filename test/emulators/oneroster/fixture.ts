import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import type { Roster } from '../../../engine/model/people.js';

/**
 * The district an emulator serves, as flat OneRoster records (the information model, not a
 * binding). Build it from a Roster (`fixtureFromRoster`) or, independently of rollcall's
 * reader, straight from a OneRoster 1.2 CSV folder (`fixtureFromCsvDir`, papaparse), so a
 * REST-vs-CSV comparison does not run the CSV reader on both sides.
 */

export interface FixtureOrg { sourcedId: string; name: string; type: string; identifier: string; parentSourcedId?: string }
export interface FixtureSession { sourcedId: string; title: string; type: string; startDate: string; endDate: string; schoolYear: string; parentSourcedId?: string }
export interface FixtureCourse { sourcedId: string; title: string; courseCode: string; orgSourcedId: string; schoolYearSourcedId?: string }
export interface FixtureClass { sourcedId: string; title: string; classCode: string; classType: string; schoolSourcedId: string; courseSourcedId: string; termSourcedIds: string[] }
export interface FixtureRole { role: string; roleType: string; orgSourcedId: string; beginDate?: string; endDate?: string }
export interface FixtureUser {
  sourcedId: string;
  enabledUser: boolean;
  username: string;
  userIds: { type: string; identifier: string }[];
  givenName: string;
  familyName: string;
  middleName: string;
  preferredGivenName: string;
  preferredMiddleName: string;
  preferredFamilyName: string;
  identifier: string;
  email: string;
  grades: string[];
  primaryOrgSourcedId?: string;
  roles: FixtureRole[];
}
export interface FixtureEnrollment { sourcedId: string; classSourcedId: string; schoolSourcedId: string; userSourcedId: string; role: string; primary: boolean; beginDate?: string; endDate?: string }

export interface DistrictFixture {
  orgs: FixtureOrg[];
  academicSessions: FixtureSession[];
  courses: FixtureCourse[];
  classes: FixtureClass[];
  users: FixtureUser[];
  enrollments: FixtureEnrollment[];
}

const opt = <K extends string>(key: K, v: string | undefined): Partial<Record<K, string>> => (v ? ({ [key]: v } as Record<K, string>) : {});

/** A Roster-like district -> fixture. Courses are implied by the classes (one per courseSourcedId). */
export function fixtureFromRoster(r: Pick<Roster, 'orgs' | 'academicSessions' | 'classes' | 'people'>): DistrictFixture {
  const classSchool = new Map(r.classes.map((c) => [c.sourcedId, c.schoolSourcedId]));
  const courses = new Map<string, FixtureCourse>();
  for (const c of r.classes) {
    if (c.courseSourcedId && !courses.has(c.courseSourcedId)) courses.set(c.courseSourcedId, { sourcedId: c.courseSourcedId, title: c.courseSourcedId, courseCode: c.courseSourcedId, orgSourcedId: c.schoolSourcedId });
  }
  return {
    orgs: r.orgs.map((o) => ({ sourcedId: o.sourcedId, name: o.name, type: o.type, identifier: o.identifier, ...opt('parentSourcedId', o.parentSourcedId) })),
    academicSessions: r.academicSessions.map((s) => ({ sourcedId: s.sourcedId, title: s.title, type: s.type, startDate: s.startDate, endDate: s.endDate, schoolYear: String(s.schoolYear), ...opt('parentSourcedId', s.parentSourcedId) })),
    courses: [...courses.values()],
    classes: r.classes.map((c) => ({ sourcedId: c.sourcedId, title: c.title, classCode: c.classCode, classType: 'scheduled', schoolSourcedId: c.schoolSourcedId, courseSourcedId: c.courseSourcedId, termSourcedIds: [...c.termSourcedIds] })),
    users: r.people.map((p) => ({
      sourcedId: p.sourcedId,
      enabledUser: p.enabledUser,
      username: p.sisUsername,
      userIds: p.userIds.map((u) => ({ ...u })),
      givenName: p.givenName,
      familyName: p.familyName,
      middleName: p.middleName,
      preferredGivenName: p.preferredGivenName,
      preferredMiddleName: p.preferredMiddleName,
      preferredFamilyName: p.preferredFamilyName,
      identifier: p.identifier,
      email: p.email,
      grades: [...p.grades],
      roles: p.roles.map((x) => ({ role: x.role, roleType: x.roleType, orgSourcedId: x.orgSourcedId, ...opt('beginDate', x.beginDate), ...opt('endDate', x.endDate) })),
    })),
    enrollments: r.people.flatMap((p) =>
      p.enrollments.map((e, k) => ({
        sourcedId: e.sourcedId ?? `enr-${p.sourcedId}-${k}`,
        classSourcedId: e.classSourcedId,
        schoolSourcedId: classSchool.get(e.classSourcedId) ?? '',
        userSourcedId: p.sourcedId,
        role: e.role,
        primary: e.primary,
        ...opt('beginDate', e.beginDate),
        ...opt('endDate', e.endDate),
      })),
    ),
  };
}

function table(dir: string, name: string): Record<string, string>[] {
  const text = readFileSync(join(dir, `${name}.csv`), 'utf8').replace(/^\uFEFF/, '');
  return Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true }).data;
}

const list = (s: string | undefined): string[] => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : []);

/** A OneRoster 1.2 bulk CSV folder (e.g. from scripts/generate-district.ts) -> fixture. */
export function fixtureFromCsvDir(dir: string): DistrictFixture {
  const roles = new Map<string, FixtureRole[]>();
  for (const r of table(dir, 'roles')) {
    const l = roles.get(r.userSourcedId!) ?? [];
    l.push({ role: r.role!, roleType: r.roleType!, orgSourcedId: r.orgSourcedId!, ...opt('beginDate', r.beginDate), ...opt('endDate', r.endDate) });
    roles.set(r.userSourcedId!, l);
  }
  return {
    orgs: table(dir, 'orgs').map((o) => ({ sourcedId: o.sourcedId!, name: o.name!, type: o.type!, identifier: o.identifier ?? '', ...opt('parentSourcedId', o.parentSourcedId) })),
    academicSessions: table(dir, 'academicSessions').map((s) => ({ sourcedId: s.sourcedId!, title: s.title!, type: s.type!, startDate: s.startDate!, endDate: s.endDate!, schoolYear: s.schoolYear!, ...opt('parentSourcedId', s.parentSourcedId) })),
    courses: table(dir, 'courses').map((c) => ({ sourcedId: c.sourcedId!, title: c.title!, courseCode: c.courseCode ?? '', orgSourcedId: c.orgSourcedId!, ...opt('schoolYearSourcedId', c.schoolYearSourcedId) })),
    classes: table(dir, 'classes').map((c) => ({ sourcedId: c.sourcedId!, title: c.title!, classCode: c.classCode ?? '', classType: c.classType!, schoolSourcedId: c.schoolSourcedId!, courseSourcedId: c.courseSourcedId!, termSourcedIds: list(c.termSourcedIds) })),
    users: table(dir, 'users').map((u) => ({
      sourcedId: u.sourcedId!,
      enabledUser: u.enabledUser === 'true',
      username: u.username ?? '',
      userIds: [...(u.userIds ?? '').matchAll(/\{([^:{}]*):([^{}]*)\}/g)].map((m) => ({ type: m[1]!, identifier: m[2]! })),
      givenName: u.givenName ?? '',
      familyName: u.familyName ?? '',
      middleName: u.middleName ?? '',
      preferredGivenName: u.preferredGivenName ?? '',
      preferredMiddleName: u.preferredMiddleName ?? '',
      preferredFamilyName: u.preferredFamilyName ?? '',
      identifier: u.identifier ?? '',
      email: u.email ?? '',
      grades: list(u.grades),
      ...opt('primaryOrgSourcedId', u.primaryOrgSourcedId),
      roles: roles.get(u.sourcedId!) ?? [],
    })),
    enrollments: table(dir, 'enrollments').map((e) => ({
      sourcedId: e.sourcedId!,
      classSourcedId: e.classSourcedId!,
      schoolSourcedId: e.schoolSourcedId!,
      userSourcedId: e.userSourcedId!,
      role: e.role!,
      primary: e.primary === 'true',
      ...opt('beginDate', e.beginDate),
      ...opt('endDate', e.endDate),
    })),
  };
}
