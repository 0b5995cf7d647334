import type { Person, PersonRole } from '../../../engine/model/people.js';
import type { ExportFile, FileSet } from '../csv-util/file-set.js';
import type { RosterBuilder } from './builder.js';
import { V2 } from './columns.js';
import { readTable, type Row, type TableContext } from './table.js';
import { required } from './v1.js';
import { boolValue, dateValue, gradeValue, listValue, orgTypeValue, roleValue, sessionTypeValue } from './values.js';

/**
 * SDS v2 and v2.1 CSV: OneRoster-like but not OneRoster. v2.1 has roles.csv (role per user
 * per org, isPrimary, role dates, grade); v2 puts role, orgSourcedIds and grade in users.csv.
 * Optional files (academicSessions, courses) are read when present so references to them
 * can be checked; demographics, relationships and userFlags carry nothing rollcall uses.
 */
export async function readV2(set: FileSet, ctx: TableContext, b: RosterBuilder, version: 'v2' | 'v2.1'): Promise<void> {
  const { sink } = ctx;
  const intern = b.intern;
  const opt = (name: string): ExportFile | undefined => set.files.get(name.toLowerCase());
  const file = (name: string) => opt(name)!;

  const parents: { id: string; parent: string; at: ReturnType<Row['at']> }[] = [];
  const orgs = await readTable(ctx, file('orgs.csv'), V2.orgs, (row) => {
    const id = row.get('sourcedId');
    if (!required(ctx, row, 'sourcedId', 'org') || !required(ctx, row, 'name', `org "${id}"`) || !required(ctx, row, 'type', `org "${id}"`)) return;
    const type = orgTypeValue(sink, row, 'type')!;
    const parent = row.get('parentSourcedId');
    // SDS has no separate org code; the sourcedId is the stable key policy rules can use.
    b.addOrg({ sourcedId: intern.get(id), name: row.get('name'), type: intern.get(type), identifier: id, ...(parent ? { parentSourcedId: intern.get(parent) } : {}) }, row.at('sourcedId'));
    if (parent) parents.push({ id, parent, at: row.at('parentSourcedId') });
  });
  if (!orgs.ok) b.broken.add('org');
  for (const p of parents) b.orgRef(p.parent, p.at, `org "${p.id}" parentSourcedId`);

  const sessionsFile = opt('academicSessions.csv');
  if (sessionsFile) {
    const sessions = await readTable(ctx, sessionsFile, V2.academicSessions, (row) => {
      const id = row.get('sourcedId');
      if (!['sourcedId', 'title', 'type', 'schoolYear', 'startDate', 'endDate'].every((k) => required(ctx, row, k, `academic session "${id}"`))) return;
      const start = dateValue(sink, row, 'startDate', 'month-first');
      const end = dateValue(sink, row, 'endDate', 'month-first');
      const year = Number(row.get('schoolYear'));
      if (!Number.isInteger(year) || year < 1900 || year > 2200) {
        sink.error('sds.invalid-year', `academic session "${id}": schoolYear "${row.get('schoolYear')}" is not a year`, row.at('schoolYear'));
        return;
      }
      if (!start || !end) return;
      const parent = row.get('parentSourcedId');
      b.addSession({ sourcedId: intern.get(id), title: row.get('title'), type: intern.get(sessionTypeValue(sink, row, 'type')!), startDate: start, endDate: end, schoolYear: year, ...(parent ? { parentSourcedId: parent } : {}) }, row.at('sourcedId'));
    });
    if (!sessions.ok) b.broken.add('session');
  }
  const sessionRef = (id: string, row: Row, key: string, what: string): boolean => {
    if (!sessionsFile) {
      sink.error('sds.dangling-reference', `${what} refers to academic session "${id}", but academicSessions.csv is absent`, row.at(key));
      return false;
    }
    if (b.sessions.has(id)) return true;
    if (b.broken.has('session')) return false;
    sink.error('sds.dangling-reference', `${what} refers to academic session "${id}", which is not in academicSessions.csv`, row.at(key));
    return false;
  };

  const coursesFile = opt('courses.csv');
  if (coursesFile) {
    await readTable(ctx, coursesFile, V2.courses, (row) => {
      const id = row.get('sourcedId');
      if (!required(ctx, row, 'sourcedId', 'course') || !required(ctx, row, 'orgSourcedId', `course "${id}"`)) return;
      b.orgRef(row.get('orgSourcedId'), row.at('orgSourcedId'), `course "${id}"`);
      const year = row.get('schoolYearSourcedId');
      if (year) sessionRef(year, row, 'schoolYearSourcedId', `course "${id}"`);
      b.addCourse(id, row.at('sourcedId'));
    });
  }

  const person = (row: Row): Person | undefined => {
    const id = row.get('sourcedId');
    if (!required(ctx, row, 'sourcedId', 'user') || !required(ctx, row, 'username', `user "${id}"`)) return undefined;
    const adMatch = row.get('activeDirectoryMatchId');
    return {
      sourcedId: intern.get(id),
      enabledUser: true,
      sisUsername: row.get('username'),
      // SDS v2/v2.1 has no separate human-readable id; the sourcedId is the SIS's own id.
      identifier: id,
      // The AD match id is what SDS uses to link an existing account: keep it for correlation.
      userIds: adMatch ? [{ type: 'activeDirectoryMatchId', identifier: adMatch }] : [],
      givenName: row.get('givenName'),
      familyName: row.get('familyName'),
      middleName: row.get('middleName'),
      preferredGivenName: row.get('preferredGivenName'),
      preferredFamilyName: row.get('preferredFamilyName'),
      preferredMiddleName: row.get('preferredMiddleName'),
      email: row.get('email'),
      grades: [],
      roles: [],
      enrollments: [],
      source: { file: row.file, line: row.line },
    };
  };

  if (version === 'v2') {
    const users = await readTable(ctx, file('users.csv'), V2.usersV2, (row) => {
      const p = person(row);
      if (!p) return;
      const grade = gradeValue(sink, row, 'grade');
      if (grade) p.grades.push(intern.get(grade));
      if (!b.addPerson(p, 'user', row.at('sourcedId').column) || !required(ctx, row, 'role', `user "${p.sourcedId}"`)) return;
      const orgIds = listValue(row, 'orgSourcedIds');
      if (orgIds.length === 0) {
        sink.error('sds.missing-value', `user "${p.sourcedId}": a required value (orgSourcedIds) is blank`, row.at('orgSourcedIds'));
        return;
      }
      const role = intern.get(roleValue(sink, row, 'role')!);
      orgIds.forEach((org, k) => b.addRole(p.sourcedId, { role, orgSourcedId: intern.get(org), roleType: k === 0 ? 'primary' : 'secondary' }, row.at('orgSourcedIds')));
    });
    if (!users.ok) b.broken.add('user');
  } else {
    const users = await readTable(ctx, file('users.csv'), V2.users, (row) => {
      const p = person(row);
      if (p) b.addPerson(p, 'user', row.at('sourcedId').column);
    });
    if (!users.ok) b.broken.add('user');
    await readTable(ctx, file('roles.csv'), V2.roles, (row) => {
      const user = row.get('userSourcedId');
      if (!['userSourcedId', 'orgSourcedId', 'role'].every((k) => required(ctx, row, k, 'role'))) return;
      const role = roleValue(sink, row, 'role')!;
      const primary = boolValue(sink, row, 'isPrimary');
      const begin = dateValue(sink, row, 'roleStartDate', 'month-first');
      const end = dateValue(sink, row, 'roleEndDate', 'month-first');
      const session = row.get('sessionSourcedId');
      if (session && !sessionRef(session, row, 'sessionSourcedId', `role of user "${user}"`)) return;
      if (primary === null || begin === null || end === null) return;
      // SDS role end dates are the last day; OneRoster's (and the Roster's) are exclusive.
      const r: PersonRole = { role: intern.get(role), orgSourcedId: intern.get(row.get('orgSourcedId')), roleType: primary ? 'primary' : 'secondary', ...(begin ? { beginDate: begin } : {}), ...(end ? { endDate: nextDay(end) } : {}) };
      b.addRole(user, r, row.at('userSourcedId'));
      // The grade lives on the role in v2.1; the student role's grade is the person's grade.
      const grade = gradeValue(sink, row, 'grade');
      const p = b.people.get(user);
      if (grade && p && role === 'student' && !p.grades.includes(grade)) {
        if (primary) p.grades.unshift(intern.get(grade));
        else p.grades.push(intern.get(grade));
      }
    });
  }

  const classesFile = opt('classes.csv');
  const enrollmentsFile = opt('enrollments.csv');
  if (classesFile) {
    const classes = await readTable(ctx, classesFile, V2.classes, (row) => {
      const id = row.get('sourcedId');
      if (!['sourcedId', 'orgSourcedId', 'title'].every((k) => required(ctx, row, k, `class "${id}"`))) return;
      const org = row.get('orgSourcedId');
      // Reference errors are reported, but the class is still recorded so enrollments do not cascade.
      b.orgRef(org, row.at('orgSourcedId'), `class "${id}"`);
      const sessions = listValue(row, 'sessionSourcedIds');
      for (const s of sessions) sessionRef(s, row, 'sessionSourcedIds', `class "${id}"`);
      const course = row.get('courseSourcedId');
      if (course && coursesFile && !b.courses.has(course))
        sink.error('sds.dangling-reference', `class "${id}" refers to course "${course}", which is not in courses.csv`, row.at('courseSourcedId'));
      b.addClass({ sourcedId: intern.get(id), title: row.get('title'), classCode: row.get('code'), schoolSourcedId: intern.get(org), courseSourcedId: intern.get(course), termSourcedIds: sessions.map((s) => intern.get(s)) }, row.at('sourcedId'));
    });
    if (!classes.ok) b.broken.add('class');
  }
  if (enrollmentsFile) {
    if (!classesFile) sink.error('sds.missing-file', 'enrollments.csv is present but classes.csv is not; SDS needs both to roster classes', { file: enrollmentsFile.name });
    else {
      const taught = new Set<string>();
      await readTable(ctx, enrollmentsFile, V2.enrollments, (row) => {
        if (!['classSourcedId', 'userSourcedId', 'role'].every((k) => required(ctx, row, k, 'enrollment'))) return;
        const role = intern.get(roleValue(sink, row, 'role')!);
        const cls = intern.get(row.get('classSourcedId'));
        // SDS has no primary-teacher flag; as for v1, the first teacher listed for a class is primary.
        const primary = role === 'teacher' && !taught.has(cls);
        if (primary) taught.add(cls);
        b.addEnrollment(intern.get(row.get('userSourcedId')), { classSourcedId: cls, role, primary }, row.at('userSourcedId'));
      });
    }
  } else if (classesFile) sink.warn('sds.missing-file', 'classes.csv is present but enrollments.csv is not; classes will have no members', { file: classesFile.name });
}

function nextDay(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
