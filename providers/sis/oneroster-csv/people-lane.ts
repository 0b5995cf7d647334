import type { Org, Person, PersonRole } from '../../../engine/model/people.js';
import { normalizeGrade } from '../csv-util/grades.js';
import { type Interner, ownString } from '../csv-util/intern.js';
import type { SeenIds } from '../csv-util/seen-ids.js';
import type { Ix } from './parse.js';
import type { RecordMaker } from './record-maker.js';
import { blank, field, is, plainId, type PlainRow } from './row-spans.js';
import { type DateReader, listValue, USER_ROLES } from './values.js';

/**
 * Fast lanes for bulk users.csv and roles.csv (1.2 layout: roles from roles.csv), like the
 * enrollments lane: a row is read from field offsets into the decoded text, and only the fields
 * the roster keeps become strings. The lanes take only rows the general path would accept
 * without a word (blank status, known values, every reference resolved, no duplicate id), and
 * build the very objects it would (row-values.ts userValue and roleValue, bulk-builder.ts user
 * and role); every other row is declined and goes the general way, which reports it as before.
 */

export interface PeopleTargets {
  orgs: ReadonlyMap<string, Org>;
  /** Add a person read from users.csv (what BulkBuilder.user does for a clean row). */
  addPerson(p: Person): void;
  /** The index of a person by sourcedId, or -1. */
  person(id: string): number;
  /** Give the person at `owner` a role read from roles.csv (what BulkBuilder.role does). */
  addRole(owner: number, r: PersonRole): void;
}

export function userLane(ix: Ix, headerLength: number, seen: SeenIds, intern: Interner, file: string, t: PeopleTargets): PlainRow | undefined {
  const col = (c: string) => ix[c] ?? -1;
  const iId = col('sourcedId');
  const iStatus = col('status');
  const iDlm = col('dateLastModified');
  const iEnabled = col('enabledUser');
  const iUsername = col('username');
  const iIdentifier = col('identifier');
  const iUserIds = col('userIds');
  const iGiven = col('givenName');
  const iFamily = col('familyName');
  const iMiddle = col('middleName');
  const iPGiven = col('preferredGivenName');
  const iPFamily = col('preferredFamilyName');
  const iPMiddle = col('preferredMiddleName');
  const iEmail = col('email');
  const iGrades = col('grades');
  const iPrimaryOrg = col('primaryOrgSourcedId');
  if (iId < 0 || iEnabled < 0) return undefined;
  // Grade lists repeat (a school's grades): raw list -> its interned codes, or null when a
  // grade is unknown (the general path warns about it).
  const grades = new Map<string, readonly string[] | null>();
  const gradesOf = (raw: string): readonly string[] | null => {
    let g = grades.get(raw);
    if (g === undefined) {
      const codes: string[] = [];
      for (const v of listValue(raw)) {
        const n = normalizeGrade(v);
        if (n === undefined) {
          codes.length = 0;
          break;
        }
        codes.push(intern.get(n));
      }
      g = codes.length || raw === '' ? codes : null;
      if (grades.size < 4096) grades.set(ownString(raw), g);
    }
    return g;
  };

  return (row, line) => {
    if (row.count !== headerLength) return false;
    if (!blank(row, iStatus) || !blank(row, iDlm)) return false;
    let enabledUser: boolean;
    if (is(row, iEnabled, 'true')) enabledUser = true;
    else if (is(row, iEnabled, 'false')) enabledUser = false;
    else return false;
    const given = field(row, iGiven);
    const family = field(row, iFamily);
    if (given.trim() === '' && family.trim() === '') return false;
    let primaryOrg = '';
    if (!blank(row, iPrimaryOrg)) {
      primaryOrg = field(row, iPrimaryOrg).trim();
      if (primaryOrg !== '' && !t.orgs.has(primaryOrg)) return false;
    }
    const gradeList = blank(row, iGrades) ? [] : gradesOf(field(row, iGrades));
    if (gradeList === null) return false;
    const userIds = blank(row, iUserIds) ? [] : parseUserIds(field(row, iUserIds), intern);
    if (userIds === undefined) return false;
    const id = plainId(row, iId, seen);
    if (id === undefined) return false;
    seen.set(id, line);
    // The literal of row-values.ts userValue, field for field and in its order.
    t.addPerson({
      sourcedId: id,
      enabledUser,
      sisUsername: ownString(field(row, iUsername)),
      identifier: ownString(field(row, iIdentifier)),
      userIds,
      givenName: ownString(given),
      familyName: ownString(family),
      middleName: ownString(field(row, iMiddle)),
      preferredGivenName: ownString(field(row, iPGiven)),
      preferredFamilyName: ownString(field(row, iPFamily)),
      preferredMiddleName: ownString(field(row, iPMiddle)),
      email: ownString(field(row, iEmail).trim()),
      grades: gradeList.length ? gradeList.slice() : [],
      roles: [],
      enrollments: [],
      source: { file, line },
    });
    return true;
  };
}

/**
 * `{type:id},{type:id}` exactly (what values.ts userIdsValue reads without a warning), as its
 * list; undefined for anything else.
 */
function parseUserIds(raw: string, intern: Interner): { type: string; identifier: string }[] | undefined {
  const out: { type: string; identifier: string }[] = [];
  let p = 0;
  for (;;) {
    if (raw.charCodeAt(p) !== 123) return undefined;
    const colon = raw.indexOf(':', p + 1);
    const close = raw.indexOf('}', p + 1);
    if (colon < 0 || close < 0 || colon > close) return undefined;
    const open = raw.indexOf('{', p + 1);
    if (open >= 0 && open < close) return undefined;
    out.push({ type: intern.get(raw.substring(p + 1, colon).trim()), identifier: ownString(raw.substring(colon + 1, close).trim()) });
    p = close + 1;
    if (p === raw.length) return out.slice(); // push() over-allocates: keep an exact array, as the general path does
    if (raw.charCodeAt(p) !== 44) return undefined;
    p++;
  }
}

const ROLE_NAMES: readonly string[] = USER_ROLES;

export function roleLane(ix: Ix, headerLength: number, seen: SeenIds, dates: DateReader, intern: Interner, records: RecordMaker, t: PeopleTargets): PlainRow | undefined {
  const col = (c: string) => ix[c] ?? -1;
  const iId = col('sourcedId');
  const iStatus = col('status');
  const iDlm = col('dateLastModified');
  const iUser = col('userSourcedId');
  const iOrg = col('orgSourcedId');
  const iRole = col('role');
  const iType = col('roleType');
  const iBegin = col('beginDate');
  const iEnd = col('endDate');
  if (iId < 0 || iUser < 0 || iOrg < 0 || iRole < 0 || iType < 0) return undefined;
  // Rows come grouped by user: look each user up once per run.
  let userRaw = '';
  let owner = -1;

  return (row, line) => {
    if (row.count !== headerLength) return false;
    if (!blank(row, iStatus) || !blank(row, iDlm)) return false;
    let roleType: 'primary' | 'secondary';
    if (is(row, iType, 'primary')) roleType = 'primary';
    else if (is(row, iType, 'secondary')) roleType = 'secondary';
    else return false;
    const user = field(row, iUser);
    if (user !== userRaw) {
      userRaw = user;
      owner = user === '' || user.trim() !== user ? -1 : t.person(user);
    }
    if (owner < 0) return false;
    const org = field(row, iOrg);
    if (org === '' || org.trim() !== org || !t.orgs.has(org)) return false;
    const roleRaw = field(row, iRole);
    if (!ROLE_NAMES.includes(roleRaw)) return false;
    let begin: string | undefined;
    if (!blank(row, iBegin)) {
      begin = dates.known(field(row, iBegin));
      if (begin === undefined) return false;
    }
    let end: string | undefined;
    if (!blank(row, iEnd)) {
      end = dates.known(field(row, iEnd));
      if (end === undefined) return false;
    }
    const id = plainId(row, iId, seen);
    if (id === undefined) return false;
    seen.set(id, line);
    t.addRole(owner, records.role(intern.get(roleRaw), intern.get(org), roleType, id, begin && intern.get(begin), end && intern.get(end)));
    return true;
  };
}
