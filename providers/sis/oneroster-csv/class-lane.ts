import type { AcademicSession, ClassSection, Org } from '../../../engine/model/people.js';
import type { Interner } from '../csv-util/intern.js';
import { ownString } from '../csv-util/intern.js';
import type { SeenIds } from '../csv-util/seen-ids.js';
import type { Ix } from './parse.js';
import { blank, field, is, plainId, type PlainRow } from './row-spans.js';
import { listValue } from './values.js';

/**
 * The fast lane for bulk classes.csv, like the users lane (people-lane.ts): it takes only rows
 * the general path would accept without a word (row-values.ts classValue, then refs.ts
 * checkClass against orgs, courses and terms already read) and makes the same ClassSection;
 * every other row goes the general way.
 */

export interface ClassTargets {
  orgs: ReadonlyMap<string, Org>;
  /** undefined when courses.csv / academicSessions.csv is absent (nothing to check against). */
  courses: ReadonlySet<string> | undefined;
  sessions: ReadonlyMap<string, AcademicSession> | undefined;
  addClass(c: ClassSection): void;
}

export function classLane(ix: Ix, headerLength: number, seen: SeenIds, intern: Interner, t: ClassTargets): PlainRow | undefined {
  const col = (c: string) => ix[c] ?? -1;
  const iId = col('sourcedId');
  const iStatus = col('status');
  const iDlm = col('dateLastModified');
  const iTitle = col('title');
  const iCode = col('classCode');
  const iType = col('classType');
  const iSchool = col('schoolSourcedId');
  const iCourse = col('courseSourcedId');
  const iTerms = col('termSourcedIds');
  if (iId < 0 || iSchool < 0) return undefined;
  // Classes of a school come together, with the same few term lists.
  let termsRaw = '\0';
  let terms: readonly string[] | null = null;

  return (row, line) => {
    if (row.count !== headerLength) return false;
    if (!blank(row, iStatus) || !blank(row, iDlm)) return false;
    if (!blank(row, iType) && !is(row, iType, 'homeroom') && !is(row, iType, 'scheduled')) return false;
    const school = field(row, iSchool);
    if (school === '' || school.trim() !== school || t.orgs.get(school)?.type !== 'school') return false;
    const course = field(row, iCourse);
    if (course.trim() !== course || (t.courses && course !== '' && !t.courses.has(course))) return false;
    const raw = field(row, iTerms);
    if (raw !== termsRaw) {
      termsRaw = raw;
      terms = listValue(raw).map((x) => intern.get(x));
      if (t.sessions && !terms.every((x) => t.sessions!.has(x))) terms = null;
    }
    if (terms === null) return false;
    const id = plainId(row, iId, seen);
    if (id === undefined) return false;
    seen.set(id, line);
    // The literal of row-values.ts classValue, field for field and in its order.
    t.addClass({
      sourcedId: id,
      title: ownString(field(row, iTitle)),
      classCode: ownString(field(row, iCode)),
      schoolSourcedId: intern.get(school),
      courseSourcedId: intern.get(course),
      termSourcedIds: terms.slice(),
    });
    return true;
  };
}
