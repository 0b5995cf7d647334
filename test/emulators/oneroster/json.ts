import type { DistrictFixture, FixtureUser } from './fixture.js';

/**
 * Fixture -> the REST binding's JSON, per version.
 * - 1.2 follows the OpenAPI 3.0 schemas (UserDType, RoleDType, OrgDType, ClassDType, ...):
 *   references are `{href, sourcedId, type}` (GUIDRefDType), enabledUser and primary are
 *   the strings "true"/"false", preferred names are preferredFirstName/preferredLastName, and
 *   roles sit inside the user.
 * - 1.1 users carry one `role` and `orgs[]` (no role dates, no preferred names); 1.2-only
 *   roles are served as the 1.1 `administrator`.
 */

export type Json = Record<string, unknown>;
export type Version = '1.1' | '1.2';
export type CollectionName = 'orgs' | 'academicSessions' | 'courses' | 'classes' | 'users' | 'enrollments';
export type Collections = Record<CollectionName, Json[]>;

export const DATE_LAST_MODIFIED = '2026-08-01T00:00:00.000Z';
const ROLES_11 = new Set(['administrator', 'aide', 'guardian', 'parent', 'proctor', 'relative', 'student', 'teacher']);

export function toJson(f: DistrictFixture, version: Version, serviceRoot: string): Collections {
  const ref = (collection: string, type: string) => (id: string) => ({ href: `${serviceRoot}/${collection}/${id}`, sourcedId: id, type });
  const org = ref('orgs', 'org');
  const session = ref('academicSessions', 'academicSession');
  const meta = (sourcedId: string) => ({ sourcedId, status: 'active', dateLastModified: DATE_LAST_MODIFIED });
  const children = new Map<string, string[]>();
  for (const o of f.orgs) if (o.parentSourcedId) children.set(o.parentSourcedId, [...(children.get(o.parentSourcedId) ?? []), o.sourcedId]);
  const sessionChildren = new Map<string, string[]>();
  for (const s of f.academicSessions) if (s.parentSourcedId) sessionChildren.set(s.parentSourcedId, [...(sessionChildren.get(s.parentSourcedId) ?? []), s.sourcedId]);

  return {
    orgs: f.orgs.map((o) => ({
      ...meta(o.sourcedId),
      name: o.name,
      type: o.type,
      identifier: o.identifier,
      ...(o.parentSourcedId ? { parent: org(o.parentSourcedId) } : {}),
      children: (children.get(o.sourcedId) ?? []).map(org),
    })),
    academicSessions: f.academicSessions.map((s) => ({
      ...meta(s.sourcedId),
      title: s.title,
      startDate: s.startDate,
      endDate: s.endDate,
      type: s.type,
      ...(s.parentSourcedId ? { parent: session(s.parentSourcedId) } : {}),
      children: (sessionChildren.get(s.sourcedId) ?? []).map(session),
      schoolYear: s.schoolYear,
    })),
    courses: f.courses.map((c) => ({
      ...meta(c.sourcedId),
      title: c.title,
      ...(c.schoolYearSourcedId ? { schoolYear: session(c.schoolYearSourcedId) } : {}),
      courseCode: c.courseCode,
      grades: [],
      subjects: [],
      org: org(c.orgSourcedId),
    })),
    classes: f.classes.map((c) => ({
      ...meta(c.sourcedId),
      title: c.title,
      classCode: c.classCode,
      classType: c.classType,
      location: '',
      grades: [],
      subjects: [],
      course: ref('courses', 'course')(c.courseSourcedId),
      school: org(c.schoolSourcedId),
      terms: c.termSourcedIds.map(session),
      periods: [],
    })),
    users: f.users.map((u) => (version === '1.2' ? user12(u, meta, org) : user11(u, meta, org))),
    enrollments: f.enrollments.map((e) => ({
      ...meta(e.sourcedId),
      user: ref('users', 'user')(e.userSourcedId),
      class: ref('classes', 'class')(e.classSourcedId),
      school: org(e.schoolSourcedId),
      role: e.role,
      primary: String(e.primary),
      ...(e.beginDate ? { beginDate: e.beginDate } : {}),
      ...(e.endDate ? { endDate: e.endDate } : {}),
    })),
  };
}

type Meta = (id: string) => Json;
type Ref = (id: string) => Json;

function user12(u: FixtureUser, meta: Meta, org: Ref): Json {
  return {
    ...meta(u.sourcedId),
    username: u.username,
    userIds: u.userIds,
    enabledUser: String(u.enabledUser),
    givenName: u.givenName,
    familyName: u.familyName,
    middleName: u.middleName,
    preferredFirstName: u.preferredGivenName,
    preferredMiddleName: u.preferredMiddleName,
    preferredLastName: u.preferredFamilyName,
    roles: u.roles.map((r) => ({
      roleType: r.roleType,
      role: r.role,
      org: org(r.orgSourcedId),
      ...(r.beginDate ? { beginDate: r.beginDate } : {}),
      ...(r.endDate ? { endDate: r.endDate } : {}),
    })),
    ...(u.primaryOrgSourcedId ? { primaryOrg: org(u.primaryOrgSourcedId) } : {}),
    identifier: u.identifier,
    email: u.email,
    sms: '',
    phone: '',
    agents: [],
    grades: u.grades,
  };
}

function user11(u: FixtureUser, meta: Meta, org: Ref): Json {
  const ordered = [...u.roles].sort((a, b) => (a.roleType === b.roleType ? 0 : a.roleType === 'primary' ? -1 : 1));
  const role = ordered[0]?.role ?? '';
  const orgs = [...new Set(ordered.map((r) => r.orgSourcedId))];
  return {
    ...meta(u.sourcedId),
    username: u.username,
    userIds: u.userIds,
    enabledUser: String(u.enabledUser),
    givenName: u.givenName,
    familyName: u.familyName,
    middleName: u.middleName,
    role: ROLES_11.has(role) ? role : 'administrator',
    identifier: u.identifier,
    email: u.email,
    sms: '',
    phone: '',
    agents: [],
    orgs: orgs.map(org),
    grades: u.grades,
  };
}
