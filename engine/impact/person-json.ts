import type { Person } from '../model/people.js';

/**
 * The canonical JSON of a person's record as the impact's population prints it (keys sorted;
 * no `source`; roles and enrollments without their own ids), written straight from the fields
 * of the record rollcall's readers make, byte for byte what canonicalJson of the stripped copy
 * gives (property-tested). A record of any other shape (a field unknown here, a value of
 * another type) gives undefined, and the caller takes the general path. At a million people the
 * general path was a third of `plan --base`: it copies each record, its roles and enrollments
 * into fresh key-sorted objects before stringifying.
 */
export function personJson(p: Person, memo?: PrintMemo): string | undefined {
  if (!known(p, PERSON_KEYS)) return undefined;
  const parts: string[] = [];
  // Sorted order: email, enabledUser, enrollments, familyName, givenName, grades, identifier,
  // middleName, preferredFamilyName, preferredGivenName, preferredMiddleName, roles,
  // sisUsername, sourcedId, userIds.
  if (!str(parts, 'email', p.email) || !bool(parts, 'enabledUser', p.enabledUser)) return undefined;
  if (!list(parts, 'enrollments', p.enrollments, memo ? memo.enrollment : enrollmentJson)) return undefined;
  if (!str(parts, 'familyName', p.familyName) || !str(parts, 'givenName', p.givenName)) return undefined;
  if (!list(parts, 'grades', p.grades, (g) => (typeof g === 'string' ? quote(g) : undefined))) return undefined;
  for (const k of ['identifier', 'middleName', 'preferredFamilyName', 'preferredGivenName', 'preferredMiddleName'] as const) if (!str(parts, k, p[k])) return undefined;
  if (!list(parts, 'roles', p.roles, roleJson)) return undefined;
  if (!str(parts, 'sisUsername', p.sisUsername) || !str(parts, 'sourcedId', p.sourcedId)) return undefined;
  if (!list(parts, 'userIds', p.userIds, userIdJson)) return undefined;
  return `{${parts.join(',')}}`;
}

/**
 * What a population's prints share, for one roster: readers give people enrolled alike one
 * object per kind of enrollment (same class, role, dates), so each kind's text is written
 * once. The bench's 100,000 people have 78,288 kinds for 892,734 enrollments: their population
 * takes 1.75-2.1 s instead of 2.1-2.7 s in-process. At a million people (about ten times the
 * kinds) a lookup waits on memory as long as writing the text takes, and the kept texts would
 * cost an estimated 130 MB: past `limit` kinds the memo lets go of them and writes every text.
 * Keeping the text of whole shared lists was measured too: no faster, 30 MB more at 100,000.
 * Nothing changes a roster's records after the read, so an object met again writes the same text.
 */
export class PrintMemo {
  private kinds: Map<object, string> | null = new Map();
  /** `limit`: kinds kept at most (tests lower it). */
  constructor(private readonly limit = KIND_LIMIT) {}

  readonly enrollment = (e: unknown): string | undefined => {
    const kinds = this.kinds;
    // An enrollment with its own record id is its row's own object: met once, not kept.
    if (kinds === null || !isRecord(e) || e.sourcedId !== undefined) return enrollmentJson(e);
    let t = kinds.get(e);
    if (t === undefined) {
      t = enrollmentJson(e);
      if (t !== undefined) kinds.set(e, t);
      if (kinds.size > this.limit) this.kinds = null;
    }
    return t;
  };
}

const KIND_LIMIT = 1 << 18;

const PERSON_KEYS: ReadonlySet<string> = new Set(['sourcedId', 'enabledUser', 'sisUsername', 'identifier', 'userIds', 'givenName', 'familyName', 'middleName', 'preferredGivenName', 'preferredFamilyName', 'preferredMiddleName', 'email', 'grades', 'roles', 'enrollments', 'source']);
const ROLE_KEYS: ReadonlySet<string> = new Set(['role', 'orgSourcedId', 'roleType', 'beginDate', 'endDate', 'sourcedId']);
const ENROLLMENT_KEYS: ReadonlySet<string> = new Set(['classSourcedId', 'role', 'primary', 'beginDate', 'endDate', 'sourcedId']);
const USER_ID_KEYS: ReadonlySet<string> = new Set(['type', 'identifier']);

function enrollmentJson(e: unknown): string | undefined {
  if (!isRecord(e) || !known(e, ENROLLMENT_KEYS) || !(e.sourcedId === undefined || typeof e.sourcedId === 'string')) return undefined;
  const f: string[] = [];
  if (!str(f, 'beginDate', e.beginDate) || !str(f, 'classSourcedId', e.classSourcedId) || !str(f, 'endDate', e.endDate) || !bool(f, 'primary', e.primary) || !str(f, 'role', e.role)) return undefined;
  return `{${f.join(',')}}`;
}

function roleJson(r: unknown): string | undefined {
  if (!isRecord(r) || !known(r, ROLE_KEYS) || !(r.sourcedId === undefined || typeof r.sourcedId === 'string')) return undefined;
  const f: string[] = [];
  if (!str(f, 'beginDate', r.beginDate) || !str(f, 'endDate', r.endDate) || !str(f, 'orgSourcedId', r.orgSourcedId) || !str(f, 'role', r.role) || !str(f, 'roleType', r.roleType)) return undefined;
  return `{${f.join(',')}}`;
}

function userIdJson(u: unknown): string | undefined {
  if (!isRecord(u) || !known(u, USER_ID_KEYS)) return undefined;
  const f: string[] = [];
  if (!str(f, 'identifier', u.identifier) || !str(f, 'type', u.type)) return undefined;
  return `{${f.join(',')}}`;
}

/** Appends `"key":[...]`, each item by `item` (undefined: not of the known shape); nothing for undefined; false for a non-array. */
function list(parts: string[], key: string, v: unknown, item: (x: unknown) => string | undefined): boolean {
  if (v === undefined) return true;
  if (!Array.isArray(v)) return false;
  const items = new Array<string>(v.length);
  for (let i = 0; i < v.length; i++) {
    const t = item(v[i]);
    if (t === undefined) return false;
    items[i] = t;
  }
  parts.push(`"${key}":[${items.join(',')}]`);
  return true;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Every own enumerable key is one of `keys` (none the canonical form would write otherwise). */
function known(o: object, keys: ReadonlySet<string>): boolean {
  for (const k of Object.keys(o)) if (!keys.has(k)) return false;
  return true;
}

/** Appends `"key":"value"` for a string, nothing for undefined (as JSON.stringify drops it); false for any other value. */
function str(parts: string[], key: string, v: unknown): boolean {
  if (v === undefined) return true;
  if (typeof v !== 'string') return false;
  parts.push(`"${key}":${quote(v)}`);
  return true;
}

function bool(parts: string[], key: string, v: unknown): boolean {
  if (v === undefined) return true;
  if (typeof v !== 'boolean') return false;
  parts.push(`"${key}":${v ? 'true' : 'false'}`);
  return true;
}

/** Characters JSON.stringify writes escaped (quote, backslash, controls, surrogates: lone ones are). */
// eslint-disable-next-line no-control-regex -- control characters are what JSON escapes
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A string as JSON writes it; most need no escaping. */
function quote(s: string): string {
  return ESCAPED.test(s) ? JSON.stringify(s) : `"${s}"`;
}
