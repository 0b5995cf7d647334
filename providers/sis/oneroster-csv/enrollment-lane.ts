import type { ClassSection, Enrollment, Org } from '../../../engine/model/people.js';
import type { Interner } from '../csv-util/intern.js';
import { ownString } from '../csv-util/intern.js';
import type { SeenIds } from '../csv-util/seen-ids.js';
import type { Ix } from './parse.js';
import { makeEnrollment } from './row-values.js';
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

export type PlainRow = (text: string, start: number, end: number, line: number) => boolean;

const ROLES: readonly string[] = ENROLLMENT_ROLES;

export function enrollmentLane(ix: Ix, headerLength: number, seen: SeenIds, dates: DateReader, intern: Interner, t: LaneTargets): PlainRow | undefined {
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
  // st[k]..st[k+1]-1 is field k.
  const st = new Int32Array(headerLength + 1);
  let userRaw = '';
  let person = -1;
  let schoolRaw = '';
  let roleRaw = '';
  let role = '';
  let beginRaw = '';
  let begin: string | undefined;
  let endRaw = '';
  let end: string | undefined;
  // substring + === measured ~2x faster than startsWith or a charCodeAt loop on V8 12.
  const same = (text: string, s: number, e: number, prev: string) => e - s === prev.length && text.substring(s, e) === prev;
  // Rows come grouped by user: school, user, role, primary and dates usually repeat together.
  // When their span of the row is the previous accepted row's, one comparison covers them all.
  const repeated = [iSchool, iUser, iRole, iPrimary, iBegin, iEnd].filter((k) => k >= 0);
  const spanFrom = Math.min(...repeated);
  const spanTo = Math.max(...repeated) + 1;
  let lastSpan = '';
  let lastPerson = -1;
  let lastRole = '';
  let lastPrimary = false;
  let lastB: string | undefined;
  let lastEn: string | undefined;
  const empty = (k: number) => k < 0 || st[k + 1]! - 1 === st[k]!;

  return (text, start, stop, line) => {
    // The exact field count and no stray CR: what the general path's shape checks accept.
    if (text.charCodeAt(stop - 1) === 13) return false;
    let n = 0;
    st[0] = start;
    for (let c = text.indexOf(',', start); c >= 0 && c < stop; c = text.indexOf(',', c + 1)) {
      if (++n >= headerLength) return false;
      st[n] = c + 1;
    }
    if (n !== headerLength - 1) return false;
    st[headerLength] = stop + 1;
    if (!empty(iStatus) || !empty(iDlm)) return false;

    let s = st[iId]!;
    let e = st[iId + 1]! - 1;
    if (e === s || edge(text.charCodeAt(s)) || edge(text.charCodeAt(e - 1))) return false;
    const id = ownString(text.substring(s, e));
    if (seen.get(id) !== undefined) return false;

    const spanS = st[spanFrom]!;
    const spanE = st[spanTo]! - 1;
    if (lastPerson >= 0 && spanE - spanS === lastSpan.length && text.substring(spanS, spanE) === lastSpan) {
      const cls = t.classes.get(text.substring(st[iClass]!, st[iClass + 1]! - 1));
      if (cls === undefined) return false;
      seen.set(id, line);
      t.stage(lastPerson, makeEnrollment(cls.sourcedId, lastRole, lastPrimary, id, lastB, lastEn));
      return true;
    }

    s = st[iUser]!;
    e = st[iUser + 1]! - 1;
    if (!same(text, s, e, userRaw)) {
      userRaw = text.substring(s, e);
      person = t.person(userRaw);
    }
    if (person < 0) return false;

    s = st[iSchool]!;
    e = st[iSchool + 1]! - 1;
    if (e === s) return false;
    if (!same(text, s, e, schoolRaw)) {
      const raw = text.substring(s, e);
      if (!t.orgs.has(raw)) return false;
      schoolRaw = raw;
    }

    s = st[iRole]!;
    e = st[iRole + 1]! - 1;
    if (e === s) return false;
    if (!same(text, s, e, roleRaw)) {
      const raw = text.substring(s, e);
      if (!ROLES.includes(raw)) return false;
      roleRaw = raw;
      role = intern.get(raw);
    }

    let primary = false;
    if (!empty(iPrimary)) {
      s = st[iPrimary]!;
      e = st[iPrimary + 1]! - 1;
      if (same(text, s, e, 'true')) primary = true;
      else if (!same(text, s, e, 'false')) return false;
    }

    let b: string | undefined;
    if (!empty(iBegin)) {
      s = st[iBegin]!;
      e = st[iBegin + 1]! - 1;
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
    if (!empty(iEnd)) {
      s = st[iEnd]!;
      e = st[iEnd + 1]! - 1;
      if (!same(text, s, e, endRaw)) {
        const raw = text.substring(s, e);
        const iso = dates.known(raw);
        if (iso === undefined) return false;
        endRaw = raw;
        end = intern.get(iso);
      }
      en = end;
    }

    const cls = t.classes.get(text.substring(st[iClass]!, st[iClass + 1]! - 1));
    if (cls === undefined) return false;

    seen.set(id, line);
    t.stage(person, makeEnrollment(cls.sourcedId, role, primary, id, b, en));
    lastSpan = text.substring(spanS, spanE);
    lastPerson = person;
    lastRole = role;
    lastPrimary = primary;
    lastB = b;
    lastEn = en;
    return true;
  };
}

/** A character trim() might remove: decline the row rather than decide. */
function edge(c: number): boolean {
  return c <= 32 || c >= 127;
}
