import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../engine/model/errors.js';
import { SeenIds } from '../../providers/sis/csv-util/seen-ids.js';
import { readOneRosterCsv } from '../../providers/sis/oneroster-csv/index.js';
import { byCode, sortedOrder, valuesBySourcedId } from '../../providers/sis/oneroster-csv/order.js';

/**
 * The fast paths for district-scale reads (sorted-id duplicate check, key sort, per-column
 * last-value caches) must give exactly the answers of the plain ones.
 */

const temps: string[] = [];
afterEach(async () => {
  for (const d of temps.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('SeenIds', () => {
  it('answers like a Map of first lines, for sorted, unsorted and repeating ids', () => {
    const ids = fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'aa', 'b0', ''), { maxLength: 40 });
    fc.assert(
      fc.property(ids, fc.boolean(), fc.integer({ min: 1, max: 5 }), (list, sort, chunk) => {
        // A sorted run with an id out of order after it, often across packed chunks.
        const seq = sort ? [...[...list].sort(byCode), ...list.slice(0, 3)] : list;
        const fast = new SeenIds(chunk);
        const model = new Map<string, number>();
        seq.forEach((id, i) => {
          const line = i + 2;
          expect(fast.get(id)).toBe(model.get(id));
          if (model.get(id) === undefined) {
            model.set(id, line);
            fast.set(id, line);
          }
        });
      }),
    );
  });
});

describe('valuesBySourcedId', () => {
  it('orders like a byCode sort, whether or not the keys came sorted', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ maxLength: 6 }), { maxLength: 50 }), fc.boolean(), (keys, presort) => {
        const list = presort ? [...keys].sort(byCode) : keys;
        const map = new Map(list.map((k) => [k, { sourcedId: k }]));
        expect(valuesBySourcedId(map).map((v) => v.sourcedId)).toEqual([...keys].sort(byCode));
      }),
    );
  });
});

describe('sortedOrder (radix by prefix, then comparison)', () => {
  it('orders indices like a byCode sort: shared prefixes, short keys, non-ASCII, surrogates', () => {
    const key = fc.string({ unit: fc.constantFrom('a', 'b', '-', '0', 'é', '\uffff', '\ud83d', '\ude00', 'Z'), maxLength: 9 });
    fc.assert(
      fc.property(fc.uniqueArray(key, { maxLength: 120 }), (keys) => {
        expect(Array.from(sortedOrder(keys), (i) => keys[i])).toEqual([...keys].sort(byCode));
      }),
    );
  });

  it('is what valuesBySourcedId uses for large unsorted maps', () => {
    const keys = Array.from({ length: 6000 }, (_, i) => `${((i * 7919) % 6000).toString(16)}-${i % 7}`);
    const map = new Map(keys.map((k) => [k, { sourcedId: k }]));
    expect(valuesBySourcedId(map).map((v) => v.sourcedId)).toEqual([...new Set(keys)].sort(byCode));
  });
});

const ORGS = 'sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\norg-d,,,District,district,D,\norg-hs,,,High,school,HS,org-d\n';
const CLASSES = 'sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n' +
  'cls-1,,,Bio,,,BIO1,scheduled,,org-hs,,,,\ncls-2,,,Chem,,,CHE1,scheduled,,org-hs,,,,\n';
const USERS_HEAD = 'sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,resourceSourcedIds,preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns\n';
const ROLES_HEAD = 'sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId\n';
const ENR_HEAD = 'sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n';

/** A small 1.2 bulk set; users/roles/enrollments rows as given (without headers), and optionally other files. */
async function writeSet(users: string[], roles: string[], enrollments: string[], more: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rollcall-scale-'));
  temps.push(dir);
  const files: Record<string, string> = {
    'manifest.csv': 'propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\nfile.orgs,bulk\nfile.classes,bulk\nfile.users,bulk\nfile.roles,bulk\nfile.enrollments,bulk\n',
    'orgs.csv': ORGS,
    'classes.csv': CLASSES,
    'users.csv': USERS_HEAD + users.join('\n') + '\n',
    'roles.csv': ROLES_HEAD + roles.join('\n') + '\n',
    'enrollments.csv': ENR_HEAD + enrollments.join('\n') + '\n',
    ...more,
  };
  for (const [f, text] of Object.entries(files)) await writeFile(path.join(dir, f), text);
  return dir;
}

const user = (id: string) => `${id},,,true,${id},,Given${id},Family,,${id},,,,,09,,,,,,,org-hs,`;
const role = (id: string, u: string) => `${id},,,${u},primary,student,,,org-hs,`;

describe('enrollments at scale: fast paths keep the plain answers', () => {
  it('a duplicate id right after itself, and one after the file stops being sorted, name the first line', async () => {
    const dir = await writeSet(
      [user('u1'), user('u2')],
      [role('r1', 'u1'), role('r2', 'u2')],
      [
        'e-1,,,cls-1,org-hs,u1,student,false,,',
        'e-2,,,cls-2,org-hs,u1,student,false,,',
        'e-2,,,cls-1,org-hs,u2,student,false,,',
        'e-3,,,cls-2,org-hs,u2,student,false,,',
        'e-1,,,cls-2,org-hs,u2,student,false,,',
      ],
    );
    const err = await readOneRosterCsv(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    const dups = (err as InputError).diagnostics.filter((d) => d.code === 'oneroster.duplicate-sourcedid');
    expect(dups.map((d) => [d.source?.line, d.summary])).toEqual([
      [4, expect.stringContaining('"e-2" (first at line 3)')],
      [6, expect.stringContaining('"e-1" (first at line 2)')],
    ]);
  });

  it('repeated values are cached without changing meaning: learned slash dates, case-variant roles, bad dates', async () => {
    const dir = await writeSet(
      [user('u1'), user('u2')],
      [role('r1', 'u1'), role('r2', 'u2')],
      [
        'e-1,,,cls-1,org-hs,u1,student,false,2026-08-20,2027-06-18',
        'e-2,,,cls-2,org-hs,u1,student,false,2026-08-20,2027-06-18',
        // Ambiguous before the order is known (read month-first), then 20/08 reveals day-first.
        'e-3,,,cls-1,org-hs,u2,Student,false,05/06/2026,',
        'e-4,,,cls-2,org-hs,u2,Student,false,20/08/2026,05/06/2027',
      ],
    );
    const { roster, warnings } = await readOneRosterCsv(dir);
    const byId = new Map(roster.people.map((p) => [p.sourcedId, p]));
    expect(byId.get('u1')!.enrollments).toEqual([
      { classSourcedId: 'cls-1', role: 'student', primary: false, beginDate: '2026-08-20', endDate: '2027-06-18', sourcedId: 'e-1' },
      { classSourcedId: 'cls-2', role: 'student', primary: false, beginDate: '2026-08-20', endDate: '2027-06-18', sourcedId: 'e-2' },
    ]);
    expect(byId.get('u2')!.enrollments).toEqual([
      { classSourcedId: 'cls-1', role: 'student', primary: false, beginDate: '2026-05-06', sourcedId: 'e-3' },
      // The order is learned per column: endDate has seen no unambiguous date, so month-first.
      { classSourcedId: 'cls-2', role: 'student', primary: false, beginDate: '2026-08-20', endDate: '2027-05-06', sourcedId: 'e-4' },
    ]);
    // Every case-variant row is still reported (not just the first one the cache saw).
    expect(warnings.filter((w) => w.code === 'oneroster.enum-case' && w.source?.file === 'enrollments.csv').map((w) => w.source?.line)).toEqual([4, 5]);

    const bad = await writeSet(
      [user('u1')],
      [role('r1', 'u1')],
      ['e-1,,,cls-1,org-hs,u1,student,false,2026-02-30,', 'e-2,,,cls-2,org-hs,u1,student,false,2026-02-30,'],
    );
    const err = await readOneRosterCsv(bad).catch((e: unknown) => e);
    expect((err as InputError).diagnostics.filter((d) => d.code === 'oneroster.invalid-date').map((d) => d.source?.line)).toEqual([2, 3]);
  });

  it('the roster does not depend on row order (sorted and shuffled exports read the same)', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `u${String(i).padStart(2, '0')}`);
    const enr = ids.flatMap((u, i) => [
      `e-${String(2 * i).padStart(3, '0')},,,cls-1,org-hs,${u},student,false,2026-08-20,`,
      `e-${String(2 * i + 1).padStart(3, '0')},,,cls-2,org-hs,${u},student,true,2026-08-20,`,
    ]);
    const sorted = await writeSet(ids.map(user), ids.map((u, i) => role(`r${String(i).padStart(2, '0')}`, u)), enr);
    const rev = await writeSet([...ids].reverse().map(user), ids.map((u, i) => role(`r${String(i).padStart(2, '0')}`, u)).reverse(), [...enr].reverse());
    const a = (await readOneRosterCsv(sorted)).roster;
    const b = (await readOneRosterCsv(rev)).roster;
    // Source lines differ by construction; everything else must be identical.
    const strip = (r: typeof a) => r.people.map(({ source: _s, ...p }) => p);
    expect(strip(b)).toEqual(strip(a));
    expect(a.people.map((p) => p.sourcedId)).toEqual(ids);
    expect(a.people[3]!.enrollments.map((e) => e.classSourcedId)).toEqual(['cls-1', 'cls-2']);
  });

  it('skipEnrollments leaves every enrollment list empty and still reads people and roles', async () => {
    const dir = await writeSet([user('u1')], [role('r1', 'u1')], ['e-1,,,cls-1,org-hs,u1,student,false,,']);
    const { roster } = await readOneRosterCsv(dir, { skipEnrollments: true });
    expect(roster.people.map((p) => [p.sourcedId, p.roles.length, p.enrollments.length])).toEqual([['u1', 1, 0]]);
  });
});

describe('the enrollments fast lane', () => {
  // Rows built from parts that are each either plain or one of the quirks the general path
  // reports or normalizes; the lane must decline every row it cannot take silently.
  const part = <T>(plain: T, ...odd: T[]) => fc.oneof({ weight: 4, arbitrary: fc.constant(plain) }, fc.constantFrom(plain, ...odd));
  const row = fc.record({
    id: fc.constantFrom('e-1', 'e-2', 'e-3', 'e-4', 'e-5', 'e-6', 'e-7', ' e-8', 'e-9 ', ''),
    status: part('', 'active', 'tobedeleted', 'Active', 'gone'),
    dlm: part('', '2026-01-01'),
    cls: part('cls-1', 'cls-2', 'cls-9', ' cls-1', ''),
    school: part('org-hs', 'org-d', 'org-x', 'org-hs ', ''),
    user: part('u1', 'u2', 'u3', 'u9', ' u1', ''),
    role: part('student', 'teacher', 'Student', 'ext:tutor', 'pupil', ''),
    primary: part('false', 'true', '', 'TRUE', '1', 'maybe'),
    begin: part('2026-08-20', '', '2026-08-21', '08/20/2026', '20/08/2026', '05/06/2026', '2026-02-30', ' 2026-08-20'),
    end: part('2027-06-18', '', '20270618', 'never'),
    tail: part('', ',', '\r', ',x'),
  });
  const line = (r: { id: string; status: string; dlm: string; cls: string; school: string; user: string; role: string; primary: string; begin: string; end: string; tail: string }) =>
    `${r.id},${r.status},${r.dlm},${r.cls},${r.school},${r.user},${r.role},${r.primary},${r.begin},${r.end}${r.tail}`;

  it('gives the same roster, warnings and errors as the general path', async () => {
    const users = ['u1', 'u2', 'u3'];
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 25 }), async (rows) => {
        const dir = await writeSet(users.map(user), users.map((u, i) => role(`r${i}`, u)), rows.map(line));
        const outcome = async (fastLanes: boolean) => {
          try {
            const r = await readOneRosterCsv(dir, { fastLanes });
            return { roster: r.roster, warnings: r.warnings };
          } catch (e) {
            return { errors: (e as InputError).diagnostics };
          }
        };
        expect(await outcome(true)).toEqual(await outcome(false));
      }),
      { numRuns: 150 },
    );
  });
});

describe('the users and roles fast lanes', () => {
  const part = <T>(plain: T, ...odd: T[]) => fc.oneof({ weight: 4, arbitrary: fc.constant(plain) }, fc.constantFrom(plain, ...odd));
  const outcome = async (dir: string, fastLanes: boolean) => {
    try {
      const r = await readOneRosterCsv(dir, { fastLanes });
      return { roster: r.roster, warnings: r.warnings };
    } catch (e) {
      return { errors: (e as InputError).diagnostics };
    }
  };
  const userRow = fc.record({
    id: fc.constantFrom('u1', 'u2', 'u3', 'u4', 'u5', ' u6', 'u7 ', '', 'a-long-user-id-0001'),
    status: part('', 'active', 'tobedeleted', 'gone'),
    dlm: part('', '2026-01-01'),
    enabled: part('true', 'false', '', 'TRUE', '1', 'no'),
    username: part('user', ' user ', '"a,b"', ''),
    userIds: part('"{SIS:1},{State:22}"', '', '{SIS:1}', '"{SIS:1}, {X:2}"', ' ', 'bare', '"{a:b:c}"', '{:x}', '"{SIS:1},,{X:2}"', '"{ SIS : 1 }"', '"{x:{y}"'),
    given: part('Zoë', '', ' ', '"Smith, Jr"', 'A-very-long-given-name'),
    family: part('Family', '', ' '),
    email: part('', 'z@example.org', ' z@example.org '),
    grades: part('09', '', 'K', '"09,10"', 'Grade 3', 'weird', '"09,,10"', ' ', '","'),
    org: part('org-hs', '', 'org-x', ' org-hs', 'org-d'),
    tail: part('', ',', '\r', ',x'),
  });
  const userLine = (r: { id: string; status: string; dlm: string; enabled: string; username: string; userIds: string; given: string; family: string; email: string; grades: string; org: string; tail: string }) =>
    `${r.id},${r.status},${r.dlm},${r.enabled},${r.username},${r.userIds},${r.given},${r.family},,${r.id},${r.email},,,,${r.grades},,,,,,,${r.org},${r.tail}`;
  const roleRow = fc.record({
    id: fc.constantFrom('r1', 'r2', 'r3', 'r4', ' r5', '', 'a-long-role-id-00001'),
    status: part('', 'active', 'tobedeleted'),
    dlm: part('', '2026-01-01'),
    user: part('u1', 'u2', 'u9', ' u1', ''),
    type: part('primary', 'secondary', 'Primary', 'other', ''),
    role: part('student', 'teacher', 'Student', 'ext:tutor', 'pupil', ' student', ''),
    begin: part('', '2026-08-20', '08/20/2026', '20/08/2026', '2026-02-30', ' 2026-08-20'),
    end: part('', '2027-06-18', '20270618', 'never'),
    org: part('org-hs', 'org-d', 'org-x', ' org-hs', ''),
    tail: part('', ',', '\r', ',x'),
  });
  const roleLine = (r: { id: string; status: string; dlm: string; user: string; type: string; role: string; begin: string; end: string; org: string; tail: string }) =>
    `${r.id},${r.status},${r.dlm},${r.user},${r.type},${r.role},${r.begin},${r.end},${r.org},${r.tail}`;

  it('users.csv: the same roster, warnings and errors as the general path', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(userRow, { minLength: 1, maxLength: 12 }), async (rows) => {
        const ids = [...new Set(rows.map((r) => r.id.trim()).filter((id) => id !== ''))];
        const dir = await writeSet(rows.map(userLine), ids.map((u, i) => role(`r${i}`, u)), []);
        expect(await outcome(dir, true)).toEqual(await outcome(dir, false));
      }),
      { numRuns: 150 },
    );
  });

  it('roles.csv: the same roster, warnings and errors as the general path', async () => {
    const users = ['u1', 'u2', 'u3'];
    await fc.assert(
      fc.asyncProperty(fc.array(roleRow, { minLength: 1, maxLength: 15 }), async (rows) => {
        const dir = await writeSet(users.map(user), rows.map(roleLine), []);
        expect(await outcome(dir, true)).toEqual(await outcome(dir, false));
      }),
      { numRuns: 150 },
    );
  });

  it('classes.csv: the same roster, warnings and errors as the general path', async () => {
    const classRow = fc.record({
      id: fc.constantFrom('cls-1', 'cls-2', 'cls-3', ' cls-4', '', 'a-long-class-id-0001'),
      status: part('', 'active', 'tobedeleted'),
      dlm: part('', '2026-01-01'),
      title: part('Bio', '"Bio, Honors"', '', ' '),
      course: part('crs-1', '', 'crs-9', ' crs-1'),
      type: part('scheduled', 'homeroom', '', 'Scheduled', 'ext:lab', 'lecture'),
      school: part('org-hs', 'org-d', 'org-x', ' org-hs', ''),
      terms: part('t1', '"t1,t2"', '', 't9', '"t1, t2"', ' t1', '","'),
      tail: part('', ',', '\r', ',x'),
    });
    const sets = fc.constantFrom<Record<string, string>>(
      {},
      { 'courses.csv': 'sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects,subjectCodes\ncrs-1,,,,Bio,B,,org-hs,,\n' },
      { 'academicSessions.csv': 'sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear\nt1,,,Fall,term,2026-08-01,2026-12-20,,2027\nt2,,,Spring,term,2027-01-05,2027-06-01,,2027\n' },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(classRow, { minLength: 1, maxLength: 12 }), sets, async (rows, more) => {
        const manifest = 'propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\nfile.orgs,bulk\nfile.classes,bulk\nfile.users,bulk\nfile.roles,bulk\nfile.enrollments,bulk\n' +
          Object.keys(more).map((f) => `file.${f.replace('.csv', '')},bulk\n`).join('');
        const classes = CLASSES.split('\n')[0] + '\n' + rows.map((r) => `${r.id},${r.status},${r.dlm},${r.title},,${r.course},C,${r.type},,${r.school},${r.terms},,,${r.tail}`).join('\n') + '\n';
        const dir = await writeSet(['u1'].map(user), [role('r1', 'u1')], [], { ...more, 'manifest.csv': manifest, 'classes.csv': classes });
        expect(await outcome(dir, true)).toEqual(await outcome(dir, false));
      }),
      { numRuns: 150 },
    );
  });
});
