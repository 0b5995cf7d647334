import type { Ix } from '../oneroster-csv/parse.js';
import type { RestVersion } from './settings.js';

/**
 * JSON records of the REST binding -> the flat rows the CSV binding's field parsers read
 * (oneroster-csv/row-values.ts), so both bindings share one set of field rules (enums,
 * booleans, dates, grades, required fields) and give the same Roster. What differs is only
 * the JSON shape: references are `{sourcedId, href, type}` objects, lists are arrays, 1.2
 * says `preferredFirstName` where CSV says `preferredGivenName`, and 1.2 users carry their
 * roles inline. Shape problems are reported through `bad`, with the JSON field's name.
 */

export type Json = Record<string, unknown>;
export type Bad = (severity: 'error' | 'warning', field: string, summary: string) => void;

export interface RowMap {
  ix: Ix;
  row(rec: Json, bad: Bad): string[];
}

type Getter = (rec: Json, bad: Bad) => string;

function rowMap(cols: Record<string, Getter>): RowMap {
  const names = Object.keys(cols);
  const getters = Object.values(cols);
  const ix: Ix = {};
  names.forEach((n, i) => (ix[n] = i));
  return { ix, row: (rec, bad) => getters.map((g) => g(rec, bad)) };
}

/** A scalar field as the CSV text it would be; booleans and numbers as their JSON text. */
export const text = (key: string): Getter => (rec, bad) => {
  const v = rec[key];
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  bad('error', key, `${key} is ${Array.isArray(v) ? 'an array' : 'an object'}; expected a string`);
  return '';
};

/** The first of several spellings present (spec name first). */
const either = (...keys: string[]): Getter => (rec, bad) => {
  for (const k of keys) if (rec[k] !== undefined && rec[k] !== null) return text(k)(rec, bad);
  return '';
};

function refId(v: unknown, key: string, type: string, bad: Bad): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') {
    bad('warning', key, `${key} is a bare string; the REST binding sends a {sourcedId, href, type} reference`);
    return v.trim();
  }
  if (typeof v !== 'object' || Array.isArray(v)) {
    bad('error', key, `${key} is not a {sourcedId, href, type} reference`);
    return '';
  }
  const r = v as Json;
  if (typeof r.sourcedId !== 'string' || r.sourcedId.trim() === '') {
    bad('error', key, `${key} reference has no sourcedId`);
    return '';
  }
  if (typeof r.type === 'string' && r.type !== type && !(type === 'academicSession' && r.type === 'term')) {
    bad('warning', key, `${key} reference has type "${r.type}"; expected "${type}"`);
  }
  return r.sourcedId.trim();
}

/** A `{sourcedId, href, type}` reference -> its sourcedId. */
export const ref = (key: string, type: string): Getter => (rec, bad) => refId(rec[key], key, type, bad);

/** An array of references -> the CSV list form (comma-joined ids). */
const refs = (key: string, type: string): Getter => (rec, bad) => {
  const v = rec[key];
  if (v === undefined || v === null) return '';
  if (!Array.isArray(v)) {
    bad('error', key, `${key} is not an array of references`);
    return '';
  }
  return v.map((x, k) => refId(x, `${key}[${k}]`, type, bad)).filter((s) => s !== '').join(',');
};

/** An array of strings (grades) -> the CSV list form; a comma string is accepted as is. */
const list = (key: string): Getter => (rec, bad) => {
  const v = rec[key];
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' && typeof x !== 'number')) {
    bad('error', key, `${key} is not an array of strings`);
    return '';
  }
  return v.map(String).join(',');
};

const always = (value: string): Getter => () => value;

export const ORGS = rowMap({ name: text('name'), type: text('type'), identifier: text('identifier'), parentSourcedId: ref('parent', 'org') });

export const SESSIONS = rowMap({
  title: text('title'),
  type: text('type'),
  startDate: text('startDate'),
  endDate: text('endDate'),
  schoolYear: text('schoolYear'),
  parentSourcedId: ref('parent', 'academicSession'),
});

export const COURSES = rowMap({ title: text('title'), orgSourcedId: ref('org', 'org') });

export const CLASSES = rowMap({
  title: text('title'),
  classCode: text('classCode'),
  classType: text('classType'),
  schoolSourcedId: ref('school', 'org'),
  courseSourcedId: ref('course', 'course'),
  termSourcedIds: refs('terms', 'academicSession'),
});

const userCols = {
  enabledUser: text('enabledUser'),
  username: text('username'),
  identifier: text('identifier'),
  // userIds are structured in JSON: read directly (userIdsOf), not through the CSV `{type:id}` text.
  userIds: always(''),
  givenName: text('givenName'),
  familyName: text('familyName'),
  middleName: text('middleName'),
  email: text('email'),
  grades: list('grades'),
};

export const USERS: Record<RestVersion, RowMap> = {
  '1.1': rowMap({ ...userCols, role: text('role'), orgSourcedIds: refs('orgs', 'org') }),
  '1.2': rowMap({
    ...userCols,
    preferredGivenName: either('preferredFirstName', 'preferredGivenName'),
    preferredMiddleName: text('preferredMiddleName'),
    preferredFamilyName: either('preferredLastName', 'preferredFamilyName'),
    primaryOrgSourcedId: ref('primaryOrg', 'org'),
  }),
};

/** One entry of a 1.2 user's `roles[]` (RoleDType); the caller fills in the user's id. */
export const ROLES = rowMap({
  userSourcedId: always(''),
  orgSourcedId: ref('org', 'org'),
  role: text('role'),
  roleType: text('roleType'),
  beginDate: text('beginDate'),
  endDate: text('endDate'),
});

export const ENROLLMENTS = rowMap({
  classSourcedId: ref('class', 'class'),
  userSourcedId: ref('user', 'user'),
  schoolSourcedId: ref('school', 'org'),
  role: text('role'),
  primary: text('primary'),
  beginDate: text('beginDate'),
  endDate: text('endDate'),
});

/** `userIds: [{type, identifier}]` (UserIdDType); malformed entries are reported and skipped. */
export function userIdsOf(rec: Json, bad: Bad): { type: string; identifier: string }[] {
  const v = rec.userIds;
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    bad('warning', 'userIds', 'userIds is not an array of {type, identifier}; ignored');
    return [];
  }
  const out: { type: string; identifier: string }[] = [];
  v.forEach((x, k) => {
    const u = x as Json;
    if (typeof x === 'object' && x !== null && typeof u.type === 'string' && (typeof u.identifier === 'string' || typeof u.identifier === 'number')) {
      out.push({ type: u.type.trim(), identifier: String(u.identifier).trim() });
    } else bad('warning', `userIds[${k}]`, `userIds[${k}] is not a {type, identifier} object; ignored`);
  });
  return out;
}
