import { formatSource, type SourceRange } from '../../../engine/model/diagnostics.js';
import type { Person } from '../../../engine/model/people.js';
import { parseDate, type SlashOrder, slashOrderOf } from '../csv-util/dates.js';
import type { FileSet } from '../csv-util/file-set.js';
import type { RosterBuilder } from './builder.js';
import { V1, V1_FILES, type Variant } from './columns.js';
import { readTable, type Row, type TableContext } from './table.js';
import { gradeValue, statusEnabled } from './values.js';

/**
 * SDS v1 ("classic") CSV: School, Section, Student, Teacher, StudentEnrollment, TeacherRoster.
 * Files are read parents first so references can be checked as rows stream by. The UK
 * variant renames the id columns (`ID`, `School DfE Number`, `Section ID`) and writes dates
 * day first.
 */
export async function readV1(set: FileSet, ctx: TableContext, b: RosterBuilder): Promise<Variant> {
  const { sink } = ctx;
  const intern = b.intern;
  const file = (name: string) => set.files.get(name.toLowerCase())!;
  const principals: { school: string; teacher: string; row: ReturnType<Row['at']> }[] = [];
  let variant: Variant = 'us';

  const schools = await readTable(ctx, file(V1_FILES.school), V1.school, (row) => {
    const id = row.get('id');
    if (!required(ctx, row, 'id', 'school') || !required(ctx, row, 'name', `school "${id}"`)) return;
    // The school number is the code districts key policy on; fall back to the SIS id.
    b.addOrg({ sourcedId: intern.get(id), name: row.get('name'), type: 'school', identifier: row.get('number') || id }, row.at('id'));
    const principal = row.get('principalId');
    if (principal) principals.push({ school: id, teacher: principal, row: row.at('principalId') });
  });
  variant = schools.variant;
  if (!schools.ok) b.broken.add('org');

  // Term dates are resolved after the whole file: slash dates (7/1/2017) are ambiguous, and the
  // first unambiguous one (6/30/2018) tells the order; failing that, the variant's habit.
  const terms = new Map<string, { name: string; start: string; end: string; at: SourceRange; startAt: SourceRange; endAt: SourceRange }>();
  const classTerms = new Map<string, string>();
  let learned: SlashOrder | undefined;
  let learnedAt: SourceRange | undefined;
  const sections = await readTable(ctx, file(V1_FILES.section), V1.section, (row) => {
    const id = row.get('id');
    if (!required(ctx, row, 'id', 'section') || !required(ctx, row, 'school', `section "${id}"`) || !required(ctx, row, 'name', `section "${id}"`)) return;
    const school = row.get('school');
    // Recorded even when its school is missing (an error already), so enrollments do not cascade.
    b.orgRef(school, row.at('school'), `section "${id}"`);
    const termId = row.get('termId');
    if (termId) {
      const start = row.get('termStart');
      const end = row.get('termEnd');
      for (const [v, key] of [[start, 'termStart'], [end, 'termEnd']] as const) {
        const o = learned ? undefined : slashOrderOf(v);
        if (o) {
          learned = o;
          learnedAt = row.at(key);
        }
      }
      const known = terms.get(termId);
      if (!known) terms.set(termId, { name: row.get('termName'), start, end, at: row.at('termId'), startAt: row.at('termStart'), endAt: row.at('termEnd') });
      else if (known.start !== start || known.end !== end)
        sink.warn('sds.term-mismatch', `term "${termId}" has other dates here than at ${formatSource(known.at)}; the first are kept`, row.at('termStart'));
      classTerms.set(id, termId);
    }
    b.addClass(
      {
        sourcedId: intern.get(id),
        title: row.get('name'),
        classCode: row.get('number'),
        schoolSourcedId: intern.get(school),
        courseSourcedId: intern.get(row.get('courseId')),
        termSourcedIds: [],
      },
      row.at('id'),
    );
  });
  if (!sections.ok) b.broken.add('class');
  const order: SlashOrder = learned ?? (variant === 'uk' ? 'day-first' : 'month-first');
  let ambiguous: { raw: string; at: SourceRange } | undefined;
  let ambiguousCount = 0;
  const termDate = (raw: string, at: SourceRange): string | null => {
    const d = parseDate(raw, order);
    if (!d.ok) {
      sink.error('sds.invalid-date', `term date "${raw}" is not a date (use YYYY-MM-DD)`, at);
      return null;
    }
    if (d.ambiguous) {
      ambiguousCount++;
      ambiguous ??= { raw, at };
    }
    return d.iso;
  };
  for (const [termId, t] of terms) {
    if (!t.start || !t.end) {
      sink.warn('sds.term-without-dates', `term "${termId}" has no start or end date; it is not recorded as an academic session`, t.at);
      continue;
    }
    const start = termDate(t.start, t.startAt);
    const end = termDate(t.end, t.endAt);
    if (!start || !end) continue;
    b.addSession({ sourcedId: intern.get(termId), title: t.name || termId, type: 'term', startDate: start, endDate: end, schoolYear: Number(end.slice(0, 4)) }, t.at);
  }
  if (ambiguous) {
    const why = learnedAt ? `as the unambiguous date at ${formatSource(learnedAt)} shows` : `the ${variant === 'uk' ? 'UK' : 'US'} habit; no date in the file settles it`;
    sink.warn('sds.ambiguous-date', `${ambiguousCount} term date(s) like "${ambiguous.raw}" are ambiguous; read ${order === 'day-first' ? 'day' : 'month'} first (${why}). SDS recommends YYYY-MM-DD`, ambiguous.at);
  }
  for (const [classId, termId] of classTerms) {
    const cls = b.classes.get(classId);
    if (cls && b.sessions.has(termId)) cls.termSourcedIds.push(intern.get(termId));
  }

  const person = (kind: 'student' | 'teacher') => (row: Row) => {
    const id = row.get('id');
    if (!required(ctx, row, 'id', kind) || !required(ctx, row, 'school', `${kind} "${id}"`) || !required(ctx, row, 'username', `${kind} "${id}"`)) return;
    const school = row.get('school');
    // A bad Status is an error, but the person is still recorded so their enrollments do not cascade.
    const enabled = statusEnabled(sink, row, `${kind} "${id}"`) ?? true;
    const grade = kind === 'student' ? gradeValue(sink, row, 'grade') : undefined;
    const p: Person = {
      sourcedId: intern.get(id),
      enabledUser: enabled,
      sisUsername: row.get('username'),
      // Student/Teacher Number is optional; the SIS ID is the district's own id and stands in for it.
      identifier: row.get('number') || id,
      userIds: [],
      givenName: row.get('first'),
      familyName: row.get('last'),
      middleName: row.get('middle'),
      preferredGivenName: '',
      preferredFamilyName: '',
      preferredMiddleName: '',
      email: '',
      grades: grade ? [intern.get(grade)] : [],
      roles: [],
      enrollments: [],
      source: { file: row.file, line: row.line },
    };
    if (b.addPerson(p, kind, row.at('id').column))
      b.addRole(p.sourcedId, { role: kind, orgSourcedId: intern.get(school), roleType: 'primary' }, row.at('school'));
  };
  for (const [name, cols, kind] of [[V1_FILES.student, V1.student, 'student'], [V1_FILES.teacher, V1.teacher, 'teacher']] as const) {
    if (!(await readTable(ctx, file(name), cols, person(kind))).ok) b.broken.add('user');
  }

  // School.csv names each school's principal by teacher SIS id: a secondary principal role.
  for (const { school, teacher, row } of principals) {
    const p = b.people.get(teacher);
    if (p && b.kinds.get(teacher) === 'teacher') b.addRole(teacher, { role: 'principal', orgSourcedId: intern.get(school), roleType: 'secondary' }, row);
    else sink.warn('sds.principal-unknown', `school "${school}" names principal "${teacher}", who is not in ${V1_FILES.teacher}; no principal role recorded`, row);
  }

  const enrollments = (kind: 'student' | 'teacher') => {
    const firstTeacher = new Set<string>();
    return (row: Row) => {
      const section = row.get('section');
      const user = row.get('user');
      if (!required(ctx, row, 'section', 'enrollment') || !required(ctx, row, 'user', 'enrollment')) return;
      // SDS has no primary-teacher flag; the first teacher listed for a section is taken as primary.
      const primary = kind === 'teacher' && !firstTeacher.has(section);
      if (primary) firstTeacher.add(section);
      b.addEnrollment(intern.get(user), { classSourcedId: intern.get(section), role: kind, primary }, row.at('user'), [kind]);
    };
  };
  await readTable(ctx, file(V1_FILES.studentEnrollment), V1.studentEnrollment, enrollments('student'));
  await readTable(ctx, file(V1_FILES.teacherRoster), V1.teacherRoster, enrollments('teacher'));
  return variant;
}

/** Error for a blank required value; the row is then skipped. */
export function required(ctx: TableContext, row: Row, key: string, what: string): boolean {
  if (row.get(key) !== '') return true;
  ctx.sink.error('sds.missing-value', `${what}: a required value (${key}) is blank`, row.at(key));
  return false;
}
