import type { ClassSection, Enrollment, Org } from '../../../engine/model/people.js';
import type { Interner } from '../csv-util/intern.js';
import type { SeenIds } from '../csv-util/seen-ids.js';
import type { Ix } from './parse.js';
import { blank, type PlainRow, plainId, same } from './row-spans.js';
import type { RecordMaker } from './record-maker.js';
import { ENROLLMENT_ROLES, type DateReader } from './values.js';

/**
 * The fast lane for bulk enrollments.csv, the biggest file by far (eight million rows at a
 * million people). A row is read straight from the decoded text, without a field array, a
 * record or a value object: repeated columns (user, school, role, dates) are compared in place
 * with the previous row's text, and the class id is looked up once. The lane takes only rows
 * that the general path would accept silently (no trimming, blank status, known dates, every
 * reference resolved, no duplicate id) and has the same effect on the roster as it would;
 * every other row is declined and goes the general way, which reports it as before.
 */

export interface LaneTargets {
  classes: ReadonlyMap<string, ClassSection>;
  orgs: ReadonlyMap<string, Org>;
  /** The index of a person by sourcedId, or -1. */
  person(id: string): number;
  /** Keep an enrollment of the person at `owner` (placed in one go when the roster is built). */
  stage(owner: number, e: Enrollment): void;
}

const ROLES: readonly string[] = ENROLLMENT_ROLES;

export function enrollmentLane(ix: Ix, headerLength: number, seen: SeenIds, dates: DateReader, intern: Interner, maker: RecordMaker, t: LaneTargets): PlainRow | undefined {
  const col = (c: string) => ix[c] ?? -1;
  const iId = col('sourcedId');
  const iStatus = col('status');
  const iDlm = col('dateLastModified');
  const iClass = col('classSourcedId');
  const iSchool = col('schoolSourcedId');
  const iUser = col('userSourcedId');
  const iRole = col('role');
  const iPrimary = col('primary');
  const iBegin = col('beginDate');
  const iEnd = col('endDate');
  if (iId < 0 || iClass < 0 || iSchool < 0 || iUser < 0 || iRole < 0) return undefined;
  const classes = t.classes;
  let userRaw = '';
  let person = -1;
  let schoolRaw = '';
  let roleRaw = '';
  let role = '';
  let beginRaw = '';
  let begin: string | undefined;
  let endRaw = '';
  let end: string | undefined;
  // Rows come grouped by user: school, user, role, primary and dates repeat, the dates often
  // alternating (two semesters). When their span of the row is one of the last few accepted
  // rows' spans, one comparison covers them all.
  const repeated = [iSchool, iUser, iRole, iPrimary, iBegin, iEnd].filter((k) => k >= 0);
  const spanFrom = Math.min(...repeated);
  const spanTo = Math.max(...repeated) + 1;
  const K = 4;
  const spans: string[] = new Array<string>(K).fill('\0');
  const persons = new Int32Array(K).fill(-1);
  const roles: string[] = new Array<string>(K).fill('');
  const primaries: boolean[] = new Array<boolean>(K).fill(false);
  const begins: (string | undefined)[] = new Array<string | undefined>(K).fill(undefined);
  const ends: (string | undefined)[] = new Array<string | undefined>(K).fill(undefined);
  let slot = 0;

  return (row, line) => {
    // The exact field count; quoted rows go the general way (the span comparison reads raw text).
    if (row.quoted || row.count !== headerLength) return false;
    const text = row.text;
    const st = row.start;
    const et = row.end;
    if (!blank(row, iStatus) || !blank(row, iDlm)) return false;

    const id = plainId(row, iId, seen);
    if (id === undefined) return false;
    let s: number;
    let e: number;

    const spanS = st[spanFrom]!;
    const spanE = et[spanTo - 1]!;
    const span = text.substring(spanS, spanE);
    for (let j = 0; j < K; j++) {
      if (spans[j] !== span) continue;
      const cls = classes.get(text.substring(st[iClass]!, et[iClass]!));
      if (cls === undefined) return false;
      seen.set(id, line);
      t.stage(persons[j]!, maker.enrollment(cls.sourcedId, roles[j]!, primaries[j]!, id, begins[j], ends[j]));
      return true;
    }

    s = st[iUser]!;
    e = et[iUser]!;
    if (!same(text, s, e, userRaw)) {
      userRaw = text.substring(s, e);
      person = t.person(userRaw);
    }
    if (person < 0) return false;

    s = st[iSchool]!;
    e = et[iSchool]!;
    if (e === s) return false;
    if (!same(text, s, e, schoolRaw)) {
      const raw = text.substring(s, e);
      if (!t.orgs.has(raw)) return false;
      schoolRaw = raw;
    }

    s = st[iRole]!;
    e = et[iRole]!;
    if (e === s) return false;
    if (!same(text, s, e, roleRaw)) {
      const raw = text.substring(s, e);
      if (!ROLES.includes(raw)) return false;
      roleRaw = raw;
      role = intern.get(raw);
    }

    let primary = false;
    if (!blank(row, iPrimary)) {
      s = st[iPrimary]!;
      e = et[iPrimary]!;
      if (same(text, s, e, 'true')) primary = true;
      else if (!same(text, s, e, 'false')) return false;
    }

    let b: string | undefined;
    if (!blank(row, iBegin)) {
      s = st[iBegin]!;
      e = et[iBegin]!;
      if (!same(text, s, e, beginRaw)) {
        const raw = text.substring(s, e);
        const iso = dates.known(raw);
        if (iso === undefined) return false;
        beginRaw = raw;
        begin = intern.get(iso);
      }
      b = begin;
    }
    let en: string | undefined;
    if (!blank(row, iEnd)) {
      s = st[iEnd]!;
      e = et[iEnd]!;
      if (!same(text, s, e, endRaw)) {
        const raw = text.substring(s, e);
        const iso = dates.known(raw);
        if (iso === undefined) return false;
        endRaw = raw;
        end = intern.get(iso);
      }
      en = end;
    }

    const cls = classes.get(text.substring(st[iClass]!, et[iClass]!));
    if (cls === undefined) return false;

    seen.set(id, line);
    t.stage(person, maker.enrollment(cls.sourcedId, role, primary, id, b, en));
    slot = (slot + 1) % K;
    spans[slot] = span;
    persons[slot] = person;
    roles[slot] = role;
    primaries[slot] = primary;
    begins[slot] = b;
    ends[slot] = en;
    return true;
  };
}
