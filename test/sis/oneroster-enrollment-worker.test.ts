import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { InputError } from '../../engine/model/errors.js';
import type { readOneRosterCsv as ReadFn } from '../../providers/sis/oneroster-csv/index.js';
import type { workerStats as Stats } from '../../providers/sis/oneroster-csv/enrollment-worker-client.js';

/**
 * enrollments.csv read on a worker thread must give exactly what the in-thread read gives:
 * roster, warnings, errors and their order. The worker runs only from compiled JavaScript, so
 * this imports the build in dist/ (CI builds before the tests).
 */

const dist = fileURLToPath(new URL('../../dist/providers/sis/oneroster-csv/', import.meta.url));
const built = existsSync(path.join(dist, 'enrollment-worker.js'));
if (!built) console.warn('oneroster-enrollment-worker.test: dist/ has no enrollment-worker.js; run `npm run build` first (worker tests skipped)');

async function load(): Promise<{ read: typeof ReadFn; stats: typeof Stats }> {
  const { readOneRosterCsv } = (await import(path.join(dist, 'index.js'))) as { readOneRosterCsv: typeof ReadFn };
  const { workerStats } = (await import(path.join(dist, 'enrollment-worker-client.js'))) as { workerStats: typeof Stats };
  return { read: readOneRosterCsv, stats: workerStats };
}

const temps: string[] = [];
afterEach(async () => {
  for (const d of temps.splice(0)) await rm(d, { recursive: true, force: true });
});

const ORGS = 'sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\norg-d,,,District,district,D,\norg-hs,,,High,school,HS,org-d\norg-ms,,,Middle,school,MS,org-d\n';
const CLASSES_HEAD = 'sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n';
const USERS_HEAD = 'sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,resourceSourcedIds,preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns\n';
const ROLES_HEAD = 'sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId\n';
const ENR_HEAD = 'sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate';

async function writeSet(users: string[], classes: string[], enrollments: string, enrHead = ENR_HEAD): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rollcall-worker-'));
  temps.push(dir);
  const files: Record<string, string> = {
    'manifest.csv': 'propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\nfile.orgs,bulk\nfile.classes,bulk\nfile.users,bulk\nfile.roles,bulk\nfile.enrollments,bulk\n',
    'orgs.csv': ORGS,
    'classes.csv': CLASSES_HEAD + classes.map((c) => `${c},,,Title ${c},,,${c},scheduled,,org-hs,,,,`).join('\n') + '\n',
    'users.csv': USERS_HEAD + users.map((u) => `${u},,,true,${u},,Given,Family,,${u},,,,,09,,,,,,,org-hs,`).join('\n') + '\n',
    'roles.csv': ROLES_HEAD + users.map((u, i) => `r${i},,,${u},primary,student,,,org-hs,`).join('\n') + '\n',
    'enrollments.csv': `${enrHead}\n${enrollments}`,
  };
  for (const [f, text] of Object.entries(files)) await writeFile(path.join(dir, f), text);
  return dir;
}

async function outcome(read: typeof ReadFn, dir: string, opts: Parameters<typeof ReadFn>[1]): Promise<unknown> {
  try {
    const r = await read(dir, opts);
    return { roster: r.roster, warnings: r.warnings, digest: r.digest };
  } catch (e) {
    return { errors: (e as InputError).diagnostics };
  }
}

/** The three reads agree, and the worker read really went through the worker. */
async function expectSame(dir: string): Promise<unknown> {
  const { read, stats } = await load();
  const before = stats.replays;
  const onWorker = await outcome(read, dir, { workerMinBytes: 0 });
  expect(stats.replays, 'the worker path did not run').toBe(before + 1);
  const inThread = await outcome(read, dir, { workerMinBytes: Infinity });
  expect(stats.replays).toBe(before + 1);
  expect(onWorker).toEqual(inThread);
  expect(onWorker).toEqual(await outcome(read, dir, { fastLanes: false }));
  return onWorker;
}

describe.skipIf(!built)('enrollments.csv on a worker thread', () => {
  const part = <T>(plain: T, ...odd: T[]) => fc.oneof({ weight: 4, arbitrary: fc.constant(plain) }, fc.constantFrom(plain, ...odd));
  const row = fc.record({
    id: fc.constantFrom('e-1', 'e-2', 'e-3', 'e-4', 'e-5', 'e-6', 'e-7', ' e-8', 'e-9 ', '', '"e-10"'),
    status: part('', 'active', 'tobedeleted', 'gone'),
    dlm: part('', '2026-01-01'),
    cls: part('cls-1', 'cls-2', 'cls-9', ' cls-1', ''),
    school: part('org-hs', 'org-ms', 'org-x', 'org-hs ', ''),
    user: part('u1', 'u2', 'u3', 'u9', ' u1', ''),
    role: part('student', 'teacher', 'Student', 'pupil', ''),
    primary: part('false', 'true', '', 'TRUE', 'maybe'),
    begin: part('2026-08-20', '', '2026-08-21', '08/20/2026', '20/08/2026', '2026-02-30', ' 2026-08-20'),
    end: part('2027-06-18', '', 'never'),
    tail: part('', ',', '\r', ',x', '\n', '\n\n'),
  });
  type Row = typeof row extends fc.Arbitrary<infer R> ? R : never;
  const line = (r: Row) => `${r.id},${r.status},${r.dlm},${r.cls},${r.school},${r.user},${r.role},${r.primary},${r.begin},${r.end}${r.tail}`;

  it('gives the roster, warnings and errors of the in-thread read, quirky rows included', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 25 }), fc.boolean(), async (rows, ext) => {
        const head = ext ? `${ENR_HEAD},ext_note` : ENR_HEAD;
        const body = rows.map((r, i) => line(r) + (ext && i % 3 === 0 ? ',n' : '')).join('\n') + '\n';
        await expectSame(await writeSet(['u1', 'u2', 'u3'], ['cls-1', 'cls-2'], body, head));
      }),
      { numRuns: 40 },
    );
  });

  it('a file of many batches: tables grow across them, declined and unresolved rows keep their place', async () => {
    const users = Array.from({ length: 3000 }, (_, i) => `user-${String(i).padStart(5, '0')}`);
    const classes = Array.from({ length: 400 }, (_, i) => `class-${String(i).padStart(4, '0')}`);
    const lines: string[] = [];
    let n = 0;
    for (let u = 0; u < users.length; u++) {
      for (let j = 0; j < 9; j++) {
        const k = n++;
        const id = `enr-${String(k).padStart(7, '0')}`;
        let cls = classes[(u * 7 + j * 13) % classes.length]!;
        let usr = users[u]!;
        let school = j % 2 ? 'org-hs' : 'org-ms';
        let role = j === 0 && u % 10 === 0 ? 'teacher' : 'student';
        let begin = j % 2 ? '2026-08-20' : '2027-01-10';
        let theId = id;
        // Quirks, spread over the whole file (so over many batches).
        if (k % 997 === 5) cls = 'class-missing';
        if (k % 1409 === 7) usr = 'user-missing';
        if (k % 1601 === 9) school = 'org-nowhere';
        if (k % 1213 === 11) role = 'Student';
        if (k % 2003 === 13) begin = `20${String(26 + (k % 7))}-0${1 + (k % 9)}-1${k % 10}`;
        if (k % 1499 === 17) theId = `enr-${String(k - 1).padStart(7, '0')}`;
        if (k % 2999 === 19) theId = 'enr-0000003';
        if (k % 1777 === 21) begin = '09/01/2026';
        let text = `${theId},,,${cls},${school},${usr},${role},${j % 3 ? 'false' : 'true'},${begin},2027-06-18`;
        if (k % 1901 === 23) text = `"${theId}",,,${cls},${school},${usr},${role},false,${begin},`;
        if (k % 2311 === 25) text += ',extra';
        if (k % 2503 === 27) text = `${theId},active,,${cls},${school},${usr},${role},false,,`;
        if (k % 2609 === 29) text = ` ${theId},,,${cls},${school},${usr},${role},false,,`;
        lines.push(text);
        if (k % 3001 === 31) lines.push('');
      }
    }
    const dir = await writeSet(users, classes, lines.join('\n') + '\n');
    const res = (await expectSame(dir)) as { errors?: { code: string }[] };
    // The set fails with every kind of quirk planted (the comparisons above cover their order).
    expect([...new Set(res.errors?.map((d) => d.code))].sort()).toEqual([
      'csv.blank-line',
      'csv.field-count',
      'oneroster.ambiguous-date',
      'oneroster.bulk-status',
      'oneroster.dangling-ref',
      'oneroster.duplicate-sourcedid',
      'oneroster.enum-case',
    ]);
  });

  it('a clean file reads the same (every row through the worker)', async () => {
    const users = Array.from({ length: 500 }, (_, i) => `u${String(i).padStart(4, '0')}`);
    const classes = ['cls-1', 'cls-2', 'cls-3'];
    const body = users.flatMap((u, i) => classes.map((c, j) => `e${String(i * 3 + j).padStart(6, '0')},,,${c},org-hs,${u},student,${j === 0},2026-08-20,2027-06-18`)).join('\n') + '\n';
    const res = (await expectSame(await writeSet(users, classes, body))) as { roster: { people: { enrollments: unknown[] }[] } };
    expect(res.roster.people.every((p) => p.enrollments.length === 3)).toBe(true);
  });

  it('without record ids: the worker gives the in-thread roster minus the ids, enrollments alike shared', async () => {
    const { read, stats } = await load();
    const users = Array.from({ length: 200 }, (_, i) => `u${String(i).padStart(4, '0')}`);
    const classes = ['cls-1', 'cls-2', 'cls-3'];
    const body = users.flatMap((u, i) => classes.map((c, j) => `e${String(i * 3 + j).padStart(6, '0')},,,${c},org-hs,${u},student,${j === 0},2026-08-20,2027-06-18`)).join('\n') + '\n';
    const dir = await writeSet(users, classes, body);
    type Lean = { roster: { people: { enrollments: Record<string, unknown>[]; roles: Record<string, unknown>[] }[] } };
    const before = stats.replays;
    const lean = (await read(dir, { workerMinBytes: 0, recordIds: false })) as unknown as Lean;
    expect(stats.replays, 'the worker path did not run').toBe(before + 1);
    const full = (await read(dir, { workerMinBytes: Infinity })) as unknown as Lean;
    const stripped = full.roster.people.map((p) => ({ ...p, enrollments: p.enrollments.map(({ sourcedId: _id, ...e }) => e), roles: p.roles.map(({ sourcedId: _id, ...r }) => r) }));
    expect(lean.roster.people).toEqual(stripped);
    const distinct = new Set(lean.roster.people.flatMap((p) => p.enrollments));
    expect(distinct.size).toBe(3); // one object per class (the primary flag follows the class here)
    expect([...distinct].every((e) => Object.isFrozen(e) && e.sourcedId === undefined)).toBe(true);
  });
});
