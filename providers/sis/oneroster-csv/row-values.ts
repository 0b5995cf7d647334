import type { AcademicSession, ClassSection, Enrollment, Org, Person, PersonRole } from '../../../engine/model/people.js';
import { normalizeGrade } from '../csv-util/grades.js';
import { type Interner, ownString } from '../csv-util/intern.js';
import type { Ix, ParseCtx } from './parse.js';
import type { CourseValue, EnrollmentValue, RoleValue, UserValue } from './records.js';
import {
  at, boolValue, CLASS_TYPES, ENROLLMENT_ROLES, enumValue, listValue, ORG_TYPES, SESSION_TYPES, USER_ROLES, userIdsValue, type Where,
} from './values.js';

/**
 * One function per OneRoster file turning a row (columns already bound by name) into the
 * model value. Field problems go to the sink with file:line:column; undefined drops the row.
 */

const s = (row: string[], ix: Ix, c: string): string => {
  const i = ix[c];
  return i !== undefined && i >= 0 ? (row[i] ?? '') : '';
};

/** A field that is kept in the roster: copied so it does not pin the parser's chunk string. */
const k = (row: string[], ix: Ix, c: string): string => ownString(s(row, ix, c));

function required(ctx: ParseCtx, w: Where, column: string, v: string): boolean {
  if (v.trim() !== '') return true;
  ctx.sink.error('oneroster.missing-value', `${w.id}: ${column} is required`, at(w, column));
  return false;
}

export function orgValue(ctx: ParseCtx) {
  return (row: string[], w: Where, ix: Ix): Org | undefined => {
    const name = s(row, ix, 'name');
    const typeRaw = s(row, ix, 'type').trim();
    if (!required(ctx, w, 'type', typeRaw)) return undefined;
    const type = enumValue(ctx.sink, w, 'type', typeRaw, ORG_TYPES, true);
    if (!type) return undefined;
    const parent = s(row, ix, 'parentSourcedId').trim();
    return {
      sourcedId: w.sourcedId,
      name,
      type: ctx.intern.get(type),
      identifier: k(row, ix, 'identifier'),
      ...(parent ? { parentSourcedId: ctx.intern.get(parent) } : {}),
    };
  };
}

export function sessionValue(ctx: ParseCtx) {
  return (row: string[], w: Where, ix: Ix): AcademicSession | undefined => {
    const typeRaw = s(row, ix, 'type').trim();
    if (!required(ctx, w, 'type', typeRaw)) return undefined;
    const type = enumValue(ctx.sink, w, 'type', typeRaw, SESSION_TYPES, true);
    const start = ctx.dates.date(w, 'startDate', s(row, ix, 'startDate').trim());
    const end = ctx.dates.date(w, 'endDate', s(row, ix, 'endDate').trim());
    if (!type || start === null || end === null) return undefined;
    if (start === undefined || end === undefined) {
      required(ctx, w, start === undefined ? 'startDate' : 'endDate', '');
      return undefined;
    }
    const yRaw = s(row, ix, 'schoolYear').trim();
    let schoolYear: number;
    if (/^\d{4}$/.test(yRaw)) schoolYear = +yRaw;
    else if (yRaw === '') {
      schoolYear = +end.slice(0, 4);
      ctx.sink.warn('oneroster.missing-value', `${w.id}: schoolYear is blank; taken from endDate as ${schoolYear}`, at(w, 'schoolYear'));
    } else {
      ctx.sink.error('oneroster.invalid-value', `${w.id}: schoolYear "${yRaw}" is not a year (YYYY)`, at(w, 'schoolYear'));
      return undefined;
    }
    const parent = s(row, ix, 'parentSourcedId').trim();
    return {
      sourcedId: w.sourcedId,
      title: k(row, ix, 'title'),
      type: ctx.intern.get(type),
      startDate: ctx.intern.get(start),
      endDate: ctx.intern.get(end),
      schoolYear,
      ...(parent ? { parentSourcedId: ctx.intern.get(parent) } : {}),
    };
  };
}

export function courseValue(ctx: ParseCtx) {
  return (row: string[], w: Where, ix: Ix): CourseValue | undefined => {
    const org = s(row, ix, 'orgSourcedId').trim();
    if (!required(ctx, w, 'orgSourcedId', org)) return undefined;
    return { orgSourcedId: ctx.intern.get(org) };
  };
}

export function classValue(ctx: ParseCtx) {
  return (row: string[], w: Where, ix: Ix): ClassSection | undefined => {
    const school = s(row, ix, 'schoolSourcedId').trim();
    if (!required(ctx, w, 'schoolSourcedId', school)) return undefined;
    const ct = s(row, ix, 'classType').trim();
    if (ct !== '' && !enumValue(ctx.sink, w, 'classType', ct, CLASS_TYPES, true)) return undefined;
    return {
      sourcedId: w.sourcedId,
      title: k(row, ix, 'title'),
      classCode: k(row, ix, 'classCode'),
      schoolSourcedId: ctx.intern.get(school),
      courseSourcedId: ctx.intern.get(s(row, ix, 'courseSourcedId').trim()),
      termSourcedIds: listValue(s(row, ix, 'termSourcedIds')).map((t) => ctx.intern.get(t)),
    };
  };
}

export function userValue(ctx: ParseCtx) {
  return (row: string[], w: Where, ix: Ix): UserValue | undefined => {
    const { sink, intern } = ctx;
    const enabledUser = boolValue(sink, w, 'enabledUser', s(row, ix, 'enabledUser'), true);
    if (enabledUser === undefined) return undefined;
    if (s(row, ix, 'enabledUser').trim() === '') sink.warn('oneroster.missing-value', `${w.id}: enabledUser is blank; read as true`, at(w, 'enabledUser'));
    const grades = listValue(s(row, ix, 'grades')).map((g) => {
      const n = normalizeGrade(g);
      if (n === undefined) sink.warn('oneroster.grade', `${w.id}: grade "${g}" is not a known grade code; kept as is`, at(w, 'grades'));
      return intern.get(n ?? g);
    });
    const roles: PersonRole[] = [];
    if (ctx.rolesFromUsers) {
      const roleRaw = s(row, ix, 'role').trim();
      if (!required(ctx, w, 'role', roleRaw)) return undefined;
      const role = enumValue(sink, w, 'role', roleRaw, USER_ROLES, true);
      if (!role) return undefined;
      const orgs = listValue(s(row, ix, 'orgSourcedIds'));
      if (orgs.length === 0 && !required(ctx, w, 'orgSourcedIds', '')) return undefined;
      orgs.forEach((o, k) => roles.push({ role: intern.get(role), orgSourcedId: intern.get(o), roleType: k === 0 ? 'primary' : 'secondary' }));
    }
    const person: Person = {
      sourcedId: w.sourcedId,
      enabledUser,
      sisUsername: k(row, ix, 'username'),
      identifier: k(row, ix, 'identifier'),
      userIds: userIdsValue(sink, w, s(row, ix, 'userIds'), (t) => intern.get(t)),
      givenName: k(row, ix, 'givenName'),
      familyName: k(row, ix, 'familyName'),
      middleName: k(row, ix, 'middleName'),
      preferredGivenName: k(row, ix, 'preferredGivenName'),
      preferredFamilyName: k(row, ix, 'preferredFamilyName'),
      preferredMiddleName: k(row, ix, 'preferredMiddleName'),
      email: ownString(s(row, ix, 'email').trim()),
      grades,
      roles,
      enrollments: [],
      source: { file: w.file, line: w.line },
    };
    if (person.givenName.trim() === '' && person.familyName.trim() === '') {
      sink.error('oneroster.missing-value', `${w.id}: givenName and familyName are both blank`, at(w, 'givenName'));
      return undefined;
    }
    const primaryOrg = s(row, ix, 'primaryOrgSourcedId').trim();
    return { person, ...(primaryOrg ? { primaryOrgSourcedId: intern.get(primaryOrg) } : {}) };
  };
}

export function roleValue(ctx: ParseCtx) {
  return (row: string[], w: Where, ix: Ix): RoleValue | undefined => {
    const { sink, intern } = ctx;
    const user = s(row, ix, 'userSourcedId').trim();
    const org = s(row, ix, 'orgSourcedId').trim();
    const roleRaw = s(row, ix, 'role').trim();
    const typeRaw = s(row, ix, 'roleType').trim();
    // Check every required field (not just the first missing one), without a per-row array.
    let ok = required(ctx, w, 'userSourcedId', user);
    ok = required(ctx, w, 'orgSourcedId', org) && ok;
    ok = required(ctx, w, 'role', roleRaw) && ok;
    ok = required(ctx, w, 'roleType', typeRaw) && ok;
    if (!ok) return undefined;
    const role = enumValue(sink, w, 'role', roleRaw, USER_ROLES, true);
    const roleType = enumValue(sink, w, 'roleType', typeRaw, ['primary', 'secondary'], false) as 'primary' | 'secondary' | undefined;
    const begin = ctx.dates.date(w, 'beginDate', s(row, ix, 'beginDate').trim());
    const end = ctx.dates.date(w, 'endDate', s(row, ix, 'endDate').trim());
    if (!role || !roleType || begin === null || end === null) return undefined;
    const r = ctx.records.role(intern.get(role), intern.get(org), roleType, w.sourcedId, begin && intern.get(begin), end && intern.get(end));
    return { userSourcedId: user, role: r };
  };
}

export function enrollmentValue(ctx: ParseCtx) {
  // Rows come grouped by user (or class), so school, role and dates repeat from one row to the
  // next: a comparison with the previous raw value skips the intern map and the date parser.
  const school = new LastValue(ctx.intern);
  const roles = new LastValue(ctx.intern);
  const begins = new LastValue(ctx.intern);
  const ends = new LastValue(ctx.intern);
  return (row: string[], w: Where, ix: Ix): EnrollmentValue | undefined => {
    const { sink, intern } = ctx;
    const cls = s(row, ix, 'classSourcedId').trim();
    const user = s(row, ix, 'userSourcedId').trim();
    const schoolRaw = s(row, ix, 'schoolSourcedId').trim();
    const roleRaw = s(row, ix, 'role').trim();
    let ok = required(ctx, w, 'classSourcedId', cls);
    ok = required(ctx, w, 'userSourcedId', user) && ok;
    ok = required(ctx, w, 'schoolSourcedId', schoolRaw) && ok;
    ok = required(ctx, w, 'role', roleRaw) && ok;
    if (!ok) return undefined;
    let role = roles.hit(roleRaw);
    if (role === undefined) {
      if (ENROLLMENT_ROLES.includes(roleRaw as (typeof ENROLLMENT_ROLES)[number])) role = roles.keep(roleRaw, roleRaw);
      else {
        const v = enumValue(sink, w, 'role', roleRaw, ENROLLMENT_ROLES, true);
        role = v && intern.get(v);
      }
    }
    const primary = boolValue(sink, w, 'primary', s(row, ix, 'primary'), false);
    const b = s(row, ix, 'beginDate');
    const e = s(row, ix, 'endDate');
    const begin = b === '' ? undefined : (begins.hit(b) ?? cachedDate(begins, b, ctx.dates.date(w, 'beginDate', b.trim())));
    const end = e === '' ? undefined : (ends.hit(e) ?? cachedDate(ends, e, ctx.dates.date(w, 'endDate', e.trim())));
    if (!role || primary === undefined || begin === null || end === null) return undefined;
    const enrollment = ctx.records.enrollment(intern.get(cls), role, primary, w.sourcedId, begin, end);
    return { userSourcedId: user, schoolSourcedId: school.hit(schoolRaw) ?? school.keep(schoolRaw, schoolRaw), enrollment };
  };
}

/** The previous raw value of a column and its interned result. */
class LastValue {
  private raw: string | undefined;
  private value = '';
  constructor(readonly intern: Interner) {}
  hit(raw: string): string | undefined {
    return raw === this.raw ? this.value : undefined;
  }
  keep(raw: string, value: string): string {
    this.raw = raw;
    this.value = this.intern.get(value);
    return this.value;
  }
}

/**
 * Remember a parsed date only when it cannot change meaning later: year-first values. A slash
 * date's day/month order is learned as the file goes (values.ts DateReader).
 */
function cachedDate(last: LastValue, raw: string, iso: string | undefined | null): string | undefined | null {
  if (iso === null || iso === undefined) return iso;
  if (/^\d{4}/.test(raw)) return last.keep(raw, iso);
  return last.intern.get(iso);
}

/**
 * One object literal per combination of optional dates, so every enrollment is created with
 * its final shape: adding a property later moves V8 objects to a separate property store,
 * ~40 bytes more each, which counts at eight million enrollments.
 */
export function makeEnrollment(classSourcedId: string, role: string, primary: boolean, sourcedId: string, beginDate: string | undefined, endDate: string | undefined): Enrollment {
  if (beginDate && endDate) return { classSourcedId, role, primary, beginDate, endDate, sourcedId };
  if (beginDate) return { classSourcedId, role, primary, beginDate, sourcedId };
  if (endDate) return { classSourcedId, role, primary, endDate, sourcedId };
  return { classSourcedId, role, primary, sourcedId };
}
