import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Enrollment, PersonRole, Roster } from '../../engine/model/people.js';
import { readOneRosterCsv, type ReadOneRosterOptions } from '../../providers/sis/oneroster-csv/index.js';
import { isSharedEnrollments } from '../../engine/model/shared-enrollments.js';

/**
 * `recordIds: false`: a read whose roster is never a delta's base drops enrollment and role
 * ids, and records alike become one shared, frozen object. Every way enrollments are read (general
 * path, fast lane, parse cache; the worker thread in oneroster-enrollment-worker.test.ts) must give the roster of a read with ids, minus
 * the ids; a delta set and a read that writes the cache keep them.
 */

const temps: string[] = [];
afterEach(async () => {
  for (const d of temps.splice(0)) await rm(d, { recursive: true, force: true });
});

async function temp(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

const USERS_HEAD = 'sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,resourceSourcedIds,preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns\n';
const USERS = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'];

const ENR = [
  'e-01,,,cls-1,org-hs,u1,student,false,2026-08-20,2027-06-18',
  'e-02,,,cls-2,org-hs,u1,student,true,2026-08-20,2027-06-18',
  'e-03,,,cls-1,org-hs,u2,student,false,2026-08-20,2027-06-18',
  'e-04,,,cls-2,org-hs,u2,student,false,2026-08-20,2027-06-18',
  'e-05,,,cls-2,org-hs,u3,teacher,true,,',
  'e-06,,,cls-1,org-hs,u3,student,false,2026-08-20,',
  'e-07,,,cls-1,org-hs,u4,student,false,2026-08-20,2027-06-18',
  // Not year-first, and quoted: the general way, still silently.
  'e-08,,,cls-1,org-hs,u4,aide,false,08/20/2026,06/18/2027',
  '"e-09",,,"cls-2",org-hs,u4,student,false,2026-08-20,2027-06-18',
  // The same class twice for one person, differing only by the primary flag.
  'e-10,,,cls-1,org-hs,u1,student,true,2026-08-20,2027-06-18',
  // u5 and u6 are enrolled as u2 is (rows in another order): one shared list from the cache.
  'e-11,,,cls-2,org-hs,u5,student,false,2026-08-20,2027-06-18',
  'e-12,,,cls-1,org-hs,u5,student,false,2026-08-20,2027-06-18',
  'e-13,,,cls-1,org-hs,u6,student,false,2026-08-20,2027-06-18',
  'e-14,,,cls-2,org-hs,u6,student,false,2026-08-20,2027-06-18',
];

async function writeSet(enrollments = ENR): Promise<string> {
  const dir = await temp('rollcall-shared-');
  const files: Record<string, string> = {
    'manifest.csv': 'propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\nfile.orgs,bulk\nfile.classes,bulk\nfile.users,bulk\nfile.roles,bulk\nfile.enrollments,bulk\n',
    'orgs.csv': 'sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\norg-d,,,District,district,D,\norg-hs,,,High,school,HS,org-d\n',
    'classes.csv':
      'sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n' +
      'cls-1,,,Bio,,,BIO1,scheduled,,org-hs,,,,\ncls-2,,,Chem,,,CHE1,scheduled,,org-hs,,,,\n',
    'users.csv': USERS_HEAD + USERS.map((id) => `${id},,,true,${id},,Given${id},Family,,${id},,,,,09,,,,,,,org-hs,`).join('\n') + '\n',
    // Roles alike (u1, u2; u3, u4 with dates), and one quoted row the general way.
    'roles.csv':
      'sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId\n' +
      'r0,,,u1,primary,student,,,org-hs,\nr1,,,u2,primary,student,,,org-hs,\nr2,,,u3,primary,student,2026-08-20,2027-06-18,org-hs,\n"r3",,,u4,primary,student,2026-08-20,2027-06-18,org-hs,\nr4,,,u4,secondary,student,,,org-d,\nr5,,,u5,primary,student,,,org-hs,\nr6,,,u6,primary,student,,,org-hs,\n',
    'enrollments.csv': 'sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n' + enrollments.join('\n') + '\n',
  };
  for (const [f, text] of Object.entries(files)) await writeFile(path.join(dir, f), text);
  return dir;
}

const withoutIds = (r: Roster): Roster => ({
  ...r,
  people: r.people.map((p) => ({ ...p, enrollments: p.enrollments.map(({ sourcedId: _id, ...e }) => e), roles: p.roles.map(({ sourcedId: _id, ...x }) => x) })),
});
const all = (r: Roster): Enrollment[] => r.people.flatMap((p) => p.enrollments);
const roles = (r: Roster): PersonRole[] => r.people.flatMap((p) => p.roles);

/** Records with equal values are one object, frozen, without an id; and some are shared. */
function expectSharedBy<T extends { sourcedId?: string }>(records: readonly T[], valuesOf: (x: T) => unknown[]): void {
  const byValue = new Map<string, T>();
  for (const x of records) {
    expect(x.sourcedId).toBeUndefined();
    expect(Object.isFrozen(x)).toBe(true);
    const key = JSON.stringify(valuesOf(x));
    const seen = byValue.get(key);
    if (seen) expect(x).toBe(seen);
    else byValue.set(key, x);
  }
  expect(byValue.size).toBeLessThan(records.length);
}

function expectShared(r: Roster): void {
  expectSharedBy(all(r), (e) => [e.classSourcedId, e.role, e.primary, e.beginDate, e.endDate]);
  expectSharedBy(roles(r), (x) => [x.orgSourcedId, x.role, x.roleType, x.beginDate, x.endDate]);
}

describe('enrollments and roles without ids', () => {
  const ways: [string, ReadOneRosterOptions][] = [
    ['the general path', { fastLanes: false }],
    ['the fast lane', {}],
  ];
  // The worker thread runs from dist/: its case is in oneroster-enrollment-worker.test.ts.
  for (const [way, opts] of ways) {
    it(`${way}: the roster of a read with ids, minus the ids, enrollments alike shared`, async () => {
      const dir = await writeSet();
      const full = await readOneRosterCsv(dir, opts);
      expect(all(full.roster).every((e) => typeof e.sourcedId === 'string' && e.sourcedId !== '')).toBe(true);
      expect(roles(full.roster).every((x) => typeof x.sourcedId === 'string' && x.sourcedId !== '')).toBe(true);
      const lean = await readOneRosterCsv(dir, { ...opts, recordIds: false });
      expect(lean.roster).toEqual(withoutIds(full.roster));
      expect(lean.warnings).toEqual(full.warnings);
      expect(lean.digest).toBe(full.digest);
      expectShared(lean.roster);
    });
  }

  it('the parse cache: written with ids by a read that writes it, loaded shared by one that does not', async () => {
    const dir = await writeSet();
    const cacheDir = await temp('rollcall-shared-cache-');
    // A read that writes the cache keeps the ids, though asked not to: the cache stores them.
    const priming = await readOneRosterCsv(dir, { cacheDir, recordIds: false, workerMinBytes: Infinity });
    expect(all(priming.roster).every((e) => typeof e.sourcedId === 'string')).toBe(true);
    expect(roles(priming.roster).every((x) => typeof x.sourcedId === 'string')).toBe(true);
    const withIds = await readOneRosterCsv(dir, { cacheDir, cacheWrite: false });
    expect(withIds.roster).toEqual(priming.roster);
    const lean = await readOneRosterCsv(dir, { cacheDir, cacheWrite: false, recordIds: false });
    expect(lean.roster).toEqual(withoutIds(priming.roster));
    expectShared(lean.roster);
    // People enrolled alike hold one list, marked shared; other lists are their own and not
    // marked. With ids, every list is a person's own (a delta set edits it).
    const list = (r: Roster, id: string): Enrollment[] => r.people.find((p) => p.sourcedId === id)!.enrollments;
    expect(list(lean.roster, 'u5')).toBe(list(lean.roster, 'u2'));
    expect(list(lean.roster, 'u6')).toBe(list(lean.roster, 'u2'));
    expect(isSharedEnrollments(list(lean.roster, 'u2'))).toBe(true);
    expect(list(lean.roster, 'u1')).not.toBe(list(lean.roster, 'u2'));
    expect(isSharedEnrollments(list(lean.roster, 'u1'))).toBe(false);
    expect(list(withIds.roster, 'u5')).not.toBe(list(withIds.roster, 'u2'));
    expect(isSharedEnrollments(list(withIds.roster, 'u2'))).toBe(false);
  });

  it('a delta set keeps enrollment ids: it finds enrollments by them', async () => {
    const base = (await readOneRosterCsv(await writeSet())).roster;
    const dir = await temp('rollcall-shared-delta-');
    await writeFile(path.join(dir, 'manifest.csv'), 'propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\nfile.enrollments,delta\n');
    await writeFile(
      path.join(dir, 'enrollments.csv'),
      'sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n' +
        'e-01,tobedeleted,2026-09-01T00:00:00Z,cls-1,org-hs,u1,student,false,2026-08-20,2027-06-18\n' +
        'e-11,active,2026-09-01T00:00:00Z,cls-2,org-hs,u3,student,false,2026-08-20,2027-06-18\n',
    );
    const merged = (await readOneRosterCsv(dir, { base, recordIds: false })).roster;
    const ids = all(merged).map((e) => e.sourcedId);
    expect(ids).not.toContain('e-01');
    expect(ids).toContain('e-11');
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
  });
});
