import type { SourceRange } from '../../../engine/model/diagnostics.js';
import type { AcademicSession, ClassSection, Org } from '../../../engine/model/people.js';
import type { DiagnosticSink } from '../csv-util/diagnostic-sink.js';
import type { CourseValue, EnrollmentValue, Rec, RoleValue, UserValue } from './records.js';

/**
 * Cross-file reference checks. A reference to a record that does not exist is an error (the
 * export is not semantically complete); a reference to a record the same set marks
 * `tobedeleted` is a warning and the referring record is dropped (the SIS meant to remove both).
 */

export interface RefIndex {
  /** undefined: orgs.csv is absent (one error already says so); org references are not checked. */
  orgs: ReadonlyMap<string, Org> | undefined;
  /** undefined: the file is absent from the set, so references into it cannot be checked. */
  sessions: ReadonlyMap<string, AcademicSession> | undefined;
  courses: ReadonlySet<string> | undefined;
  classes: ReadonlyMap<string, ClassSection> | undefined;
  users: ReadonlySet<string>;
  /** `table:id` of records the set marks tobedeleted. */
  deleted: ReadonlySet<string>;
  /** `table:id` of rows already reported as invalid: references to them are not reported again. */
  broken?: ReadonlySet<string>;
  /** 1-based column of a column name in the referring file, for diagnostics. */
  col(file: string, column: string): number | undefined;
}

type Outcome = 'ok' | 'missing' | 'deleted';

function look(idx: RefIndex, table: string, has: boolean, id: string): Outcome {
  if (has || idx.broken?.has(`${table}:${id}`)) return 'ok';
  return idx.deleted.has(`${table}:${id}`) ? 'deleted' : 'missing';
}

/** Report one reference; true when the referring record may be kept. */
function report(sink: DiagnosticSink, idx: RefIndex, o: Outcome, src: SourceRange, column: string, what: string, id: string, target: string, warnOnly = false): boolean {
  if (o === 'ok') return true;
  const c = idx.col(src.file, column);
  const where = { ...src, ...(c !== undefined ? { column: c } : {}) };
  if (o === 'deleted') {
    sink.warn('oneroster.ref-deleted', `${what} references ${target} "${id}", which this set marks tobedeleted; ${warnOnly ? 'reference ignored' : 'record dropped'}`, where);
    return warnOnly;
  }
  if (warnOnly) sink.warn('oneroster.dangling-ref', `${what} references ${target} "${id}", which is not in the set`, where);
  else sink.error('oneroster.dangling-ref', `${what} references ${target} "${id}", which is not in the set`, where);
  return warnOnly;
}

export function checkOrg(sink: DiagnosticSink, idx: RefIndex, r: Rec<Org>): void {
  const p = r.value?.parentSourcedId;
  // A parent outside the export (a state agency, a district not exported) is common.
  if (p) report(sink, idx, look(idx, 'orgs', (!idx.orgs || idx.orgs.has(p)), p), r.source, 'parentSourcedId', `org ${r.sourcedId}`, p, 'parent org', true);
}

export function checkSession(sink: DiagnosticSink, idx: RefIndex, r: Rec<AcademicSession>): void {
  const p = r.value?.parentSourcedId;
  if (p && idx.sessions) report(sink, idx, look(idx, 'academicSessions', idx.sessions.has(p), p), r.source, 'parentSourcedId', `academicSession ${r.sourcedId}`, p, 'parent session', true);
}

export function checkCourse(sink: DiagnosticSink, idx: RefIndex, r: Rec<CourseValue>): boolean {
  const o = r.value!.orgSourcedId;
  return report(sink, idx, look(idx, 'orgs', (!idx.orgs || idx.orgs.has(o)), o), r.source, 'orgSourcedId', `course ${r.sourcedId}`, o, 'org');
}

export function checkClass(sink: DiagnosticSink, idx: RefIndex, r: Rec<ClassSection>): boolean {
  const c = r.value!;
  const what = `class ${r.sourcedId}`;
  let ok = report(sink, idx, look(idx, 'orgs', (!idx.orgs || idx.orgs.has(c.schoolSourcedId)), c.schoolSourcedId), r.source, 'schoolSourcedId', what, c.schoolSourcedId, 'school');
  const school = idx.orgs?.get(c.schoolSourcedId);
  if (school && school.type !== 'school') {
    const col = idx.col(r.source.file, 'schoolSourcedId');
    sink.warn('oneroster.class-school-type', `${what}: schoolSourcedId "${c.schoolSourcedId}" is an org of type ${school.type}, not school`, { ...r.source, ...(col ? { column: col } : {}) });
  }
  if (idx.courses && c.courseSourcedId !== '')
    ok = report(sink, idx, look(idx, 'courses', idx.courses.has(c.courseSourcedId), c.courseSourcedId), r.source, 'courseSourcedId', what, c.courseSourcedId, 'course') && ok;
  if (idx.sessions) {
    for (const t of c.termSourcedIds) ok = report(sink, idx, look(idx, 'academicSessions', idx.sessions.has(t), t), r.source, 'termSourcedIds', what, t, 'term') && ok;
  }
  return ok;
}

/** 1.1 users.csv orgSourcedIds and 1.2 primaryOrgSourcedId. Drops roles at deleted orgs. */
export function checkUser(sink: DiagnosticSink, idx: RefIndex, r: Rec<UserValue>): boolean {
  const v = r.value!;
  const what = `user ${r.sourcedId}`;
  let ok = true;
  const roles = v.person.roles.filter((role) => {
    const o = look(idx, 'orgs', (!idx.orgs || idx.orgs.has(role.orgSourcedId)), role.orgSourcedId);
    if (o === 'deleted') {
      report(sink, idx, o, r.source, 'orgSourcedIds', what, role.orgSourcedId, 'org');
      return false;
    }
    if (o === 'missing') ok = report(sink, idx, o, r.source, 'orgSourcedIds', what, role.orgSourcedId, 'org') && ok;
    return true;
  });
  if (roles.length !== v.person.roles.length) {
    if (roles.length && roles[0]!.roleType !== 'primary') roles[0] = { ...roles[0]!, roleType: 'primary' };
    v.person.roles = roles;
  }
  const p = v.primaryOrgSourcedId;
  if (p) ok = report(sink, idx, look(idx, 'orgs', (!idx.orgs || idx.orgs.has(p)), p), r.source, 'primaryOrgSourcedId', what, p, 'org') && ok;
  return ok;
}

export function checkRole(sink: DiagnosticSink, idx: RefIndex, r: Rec<RoleValue>): boolean {
  const v = r.value!;
  const what = `role ${r.sourcedId}`;
  const u = report(sink, idx, look(idx, 'users', idx.users.has(v.userSourcedId), v.userSourcedId), r.source, 'userSourcedId', what, v.userSourcedId, 'user');
  const o = report(sink, idx, look(idx, 'orgs', (!idx.orgs || idx.orgs.has(v.role.orgSourcedId)), v.role.orgSourcedId), r.source, 'orgSourcedId', what, v.role.orgSourcedId, 'org');
  return u && o;
}

export function checkEnrollment(sink: DiagnosticSink, idx: RefIndex, r: Rec<EnrollmentValue>): boolean {
  const v = r.value!;
  const what = `enrollment ${r.sourcedId}`;
  const cid = v.enrollment.classSourcedId;
  const c = idx.classes ? report(sink, idx, look(idx, 'classes', idx.classes.has(cid), cid), r.source, 'classSourcedId', what, cid, 'class') : true;
  const u = report(sink, idx, look(idx, 'users', idx.users.has(v.userSourcedId), v.userSourcedId), r.source, 'userSourcedId', what, v.userSourcedId, 'user');
  const s = report(sink, idx, look(idx, 'orgs', (!idx.orgs || idx.orgs.has(v.schoolSourcedId)), v.schoolSourcedId), r.source, 'schoolSourcedId', what, v.schoolSourcedId, 'school');
  return c && u && s;
}
