import { mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { readOneRosterCsv } from '../../providers/sis/oneroster-csv/index.js';
import { CACHE_VERSION } from '../../providers/sis/oneroster-csv/cache-file.js';
import { CHECKS_FILE } from '../../providers/sis/oneroster-csv/check-cache.js';
import { CACHE_FILE } from '../../providers/sis/oneroster-csv/enrollment-cache.js';

/**
 * The enrollments parse cache: a hit gives exactly the roster of a parse; a cache that is
 * corrupt, truncated or for other files is ignored (the file is parsed); an export with
 * warnings in enrollments.csv is not cached.
 */

const temps: string[] = [];
afterEach(async () => {
  for (const d of temps.splice(0)) await rm(d, { recursive: true, force: true });
});

const USERS_HEAD = 'sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,resourceSourcedIds,preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns\n';
const user = (id: string) => `${id},,,true,${id},,Given${id},Family,,${id},,,,,09,,,,,,,org-hs,`;
const role = (id: string, u: string) => `${id},,,${u},primary,student,,,org-hs,`;

async function writeSet(enrollments: string[], users = ['u1', 'u2', 'u3']): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rollcall-cache-'));
  temps.push(dir);
  const files: Record<string, string> = {
    'manifest.csv': 'propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\nfile.orgs,bulk\nfile.classes,bulk\nfile.users,bulk\nfile.roles,bulk\nfile.enrollments,bulk\n',
    'orgs.csv': 'sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\norg-d,,,District,district,D,\norg-hs,,,High,school,HS,org-d\n',
    'classes.csv': 'sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n' +
      'cls-1,,,Bio,,,BIO1,scheduled,,org-hs,,,,\ncls-2,,,Chem,,,CHE1,scheduled,,org-hs,,,,\n',
    'users.csv': USERS_HEAD + users.map(user).join('\n') + '\n',
    'roles.csv': 'sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId\n' + users.map((u, i) => role(`r${i}`, u)).join('\n') + '\n',
    'enrollments.csv': 'sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n' + enrollments.join('\n') + '\n',
  };
  for (const [f, text] of Object.entries(files)) await writeFile(path.join(dir, f), text);
  return dir;
}

/** Rewrite a file of the set through `edit`. */
async function editFile(file: string, edit: (text: string) => string): Promise<void> {
  await writeFile(file, edit(await readFile(file, 'utf8')));
}

async function cacheDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rollcall-cache-dir-'));
  temps.push(dir);
  return dir;
}

const ENR = [
  'e-1,,,cls-1,org-hs,u1,student,false,2026-08-20,2027-06-18',
  'e-2,,,cls-2,org-hs,u1,student,true,2026-08-20,2027-06-18',
  'e-3,,,cls-2,org-hs,u2,teacher,false,,',
  'e-4,,,cls-1,org-hs,u3,student,false,2026-08-20,',
  // Not year-first: read the general way, still silently.
  'e-5,,,cls-1,org-hs,u2,aide,false,08/20/2026,06/18/2027',
  'e-ünïcode-id-longer-than-twelve,,,cls-1,org-hs,u1,teacher,false,,',
];

/** Everything the reader returns. */
async function outcome(dir: string, cache?: string) {
  return readOneRosterCsv(dir, cache ? { cacheDir: cache } : {});
}

interface Layout {
  crc: number;
  chunks: { count: number; bytes: number }[];
}

/** Where the Int32 columns start in the payload (after the string chunks, padded to 4). */
const intsAt = (h: Layout) => ((8 + h.chunks.reduce((n, c) => n + c.bytes, 0) + 3) & ~3) - 8;

/** Rewrite a cache file with its CRC fixed up, after `patch` changed its payload (magic, payload, header, length, magic). */
async function patchCache(file: string, patch: (payload: Buffer, header: Layout) => void): Promise<void> {
  const buf = await readFile(file);
  const len = buf.readUInt32LE(buf.length - 12);
  const header = JSON.parse(buf.toString('utf8', buf.length - 12 - len, buf.length - 12)) as Layout;
  const payload = buf.subarray(8, buf.length - 12 - len);
  patch(payload, header);
  const json = Buffer.from(JSON.stringify({ ...header, crc: crc32(payload) }), 'utf8');
  const tail = Buffer.alloc(12);
  tail.writeUInt32LE(json.length, 0);
  buf.copy(tail, 4, 0, 8);
  await writeFile(file, Buffer.concat([buf.subarray(0, 8), payload, json, tail]));
}

/** Patch roles.bin and enrollments.bin so a roster read from them shows it: role q0, enrollment x-1 (both of u1). */
async function markRolesAndEnrollments(cache: string): Promise<void> {
  await patchCache(path.join(cache, 'roles.bin'), (payload) => payload.write('q', payload.indexOf('r0r1'), 'latin1'));
  await patchCache(path.join(cache, CACHE_FILE), (payload) => payload.write('x', payload.indexOf('e-1e-2'), 'latin1'));
}

/** A read of `dir` through the cache and a plain parse, as JSON (a failed read as its error). */
async function cachedAndPlain(dir: string, cache: string): Promise<{ cached: string; plain: string }> {
  const plain = JSON.stringify(await outcome(dir).catch((e: unknown) => e));
  const cached = JSON.stringify(await outcome(dir, cache).catch((e: unknown) => e));
  return { cached, plain };
}

/**
 * For each edit of `file` in a fresh set read once with a cache (roles and enrollments caches
 * then marked): the cached read matches a plain parse and shows none of `marked`, so the files
 * after `file` were parsed again.
 */
async function expectReadAgain(file: string, edits: [string, (t: string) => string][], marked: RegExp): Promise<void> {
  for (const [what, edit] of edits) {
    const dir = await writeSet(ENR);
    const cache = await cacheDir();
    await outcome(dir, cache);
    await markRolesAndEnrollments(cache);
    await editFile(path.join(dir, file), edit);
    const { cached, plain } = await cachedAndPlain(dir, cache);
    expect(cached, what).toBe(plain);
    expect(cached, what).not.toMatch(marked);
  }
}

describe('enrollments parse cache', () => {
  it('is written after a clean read and read back to the very same roster, warnings and digest', async () => {
    const dir = await writeSet(ENR);
    const cache = await cacheDir();
    const plain = await outcome(dir);
    const first = await outcome(dir, cache);
    expect((await readdir(cache)).sort()).toEqual([CHECKS_FILE, 'classes.bin', CACHE_FILE, 'roles.bin', 'users.bin']);
    const second = await outcome(dir, cache);
    expect(first).toEqual(plain);
    expect(second).toEqual(plain);
    // Same objects, field for field in the same order (what a snapshot or a plan would write).
    expect(JSON.stringify(second)).toBe(JSON.stringify(plain));
  });

  it('is what the second read uses (a valid cache with other ids shows them)', async () => {
    const dir = await writeSet(ENR);
    const cache = await cacheDir();
    await outcome(dir, cache);
    await patchCache(path.join(cache, CACHE_FILE), (payload) => {
      const i = payload.indexOf('e-1e-2');
      payload.write('x', i, 'latin1');
    });
    const r = await outcome(dir, cache);
    expect(r.roster.people.find((p) => p.sourcedId === 'u1')!.enrollments.map((e) => e.sourcedId)).toContain('x-1');
  });

  it('covers users.csv and roles.csv too, each used on the next read', async () => {
    const dir = await writeSet(ENR);
    const cache = await cacheDir();
    await outcome(dir, cache);
    await patchCache(path.join(cache, 'users.bin'), (payload) => payload.write('x', payload.indexOf('Givenu2'), 'latin1'));
    await patchCache(path.join(cache, 'roles.bin'), (payload) => payload.write('q', payload.indexOf('r0r1'), 'latin1'));
    const r = await outcome(dir, cache);
    const u2 = r.roster.people.find((p) => p.sourcedId === 'u2')!;
    expect(u2.givenName).toBe('xivenu2');
    expect(r.roster.people.find((p) => p.sourcedId === 'u1')!.roles.map((x) => x.sourcedId)).toEqual(['q0']);
  });

  it('keeps the roster order in users.bin, and refuses one that does not name each person once', async () => {
    const users = ['u3', 'u1', 'u2'];
    const dir = await writeSet(ENR, users);
    const cache = await cacheDir();
    const plain = await outcome(dir);
    expect(plain.roster.people.map((p) => p.sourcedId)).toEqual(['u1', 'u2', 'u3']);
    await outcome(dir, cache);
    const file = path.join(cache, 'users.bin');
    // The first column: file positions in roster order.
    const good = await readFile(file);
    await patchCache(file, (payload, h) => {
      expect([0, 1, 2].map((k) => payload.readInt32LE(intsAt(h) + 4 * k))).toEqual([1, 2, 0]);
    });
    expect(await outcome(dir, cache)).toEqual(plain);
    // u1 twice, u3 never: refused, parsed instead (and the cache rewritten).
    await patchCache(file, (payload, h) => payload.writeInt32LE(1, intsAt(h) + 4 * 2));
    expect(await outcome(dir, cache)).toEqual(plain);
    expect(await readFile(file)).toEqual(good);
    await patchCache(file, (payload, h) => payload.writeInt32LE(3, intsAt(h)));
    expect(await outcome(dir, cache)).toEqual(plain);
  });

  it('covers classes.csv, in roster order; a class out of order or a value out of range is refused', async () => {
    const dir = await writeSet(ENR);
    const classes = path.join(dir, 'classes.csv');
    // In the file: cls-2 before cls-1 (the roster sorts them).
    await editFile(classes, (t) => t.replace(/(cls-1,.*\n)(cls-2,.*\n)/, '$2$1'));
    const cache = await cacheDir();
    const plain = await outcome(dir);
    expect(plain.roster.classes.map((c) => c.sourcedId)).toEqual(['cls-1', 'cls-2']);
    await outcome(dir, cache);
    const file = path.join(cache, 'classes.bin');
    const good = await readFile(file);
    await patchCache(file, (payload) => payload.write('X', payload.indexOf('Chem'), 'latin1'));
    expect((await outcome(dir, cache)).roster.classes.map((c) => c.title)).toEqual(['Bio', 'Xhem']);
    // cls-1 and cls-2 swapped in the cache: not in roster order, refused.
    await writeFile(file, good);
    await patchCache(file, (payload) => {
      const i = payload.indexOf('cls-1');
      const j = payload.indexOf('cls-2');
      payload.write('2', i + 4, 'latin1');
      payload.write('1', j + 4, 'latin1');
    });
    expect(await outcome(dir, cache)).toEqual(plain);
    expect(await readFile(file)).toEqual(good);
    // A school index past the values: refused.
    await patchCache(file, (payload, h) => payload.writeInt32LE(99, intsAt(h)));
    expect(await outcome(dir, cache)).toEqual(plain);
    // The enrollments cache names classes by roster position (after two columns of a value per
    // row, the class of each pair): one out of range is refused, as is a pair out of range.
    await outcome(dir, cache);
    const enrollments = path.join(cache, CACHE_FILE);
    const goodEnrollments = await readFile(enrollments);
    await patchCache(enrollments, (payload, h) => payload.writeInt32LE(2, intsAt(h) + 4 * 2 * ENR.length));
    expect(await outcome(dir, cache)).toEqual(plain);
    expect(await readFile(enrollments)).toEqual(goodEnrollments);
    await patchCache(enrollments, (payload, h) => payload.writeInt32LE(ENR.length, intsAt(h) + 4 * ENR.length));
    expect(await outcome(dir, cache)).toEqual(plain);
  });

  it('is not used for classes.csv when it changed (same size), nor written when it has warnings', async () => {
    const dir = await writeSet(ENR);
    const cache = await cacheDir();
    await outcome(dir, cache);
    const classes = path.join(dir, 'classes.csv');
    await editFile(classes, (t) => t.replace('Chem', 'Chum'));
    const plain = await outcome(dir);
    expect(plain.roster.classes[1]!.title).toBe('Chum');
    expect(await outcome(dir, cache)).toEqual(plain);
    const warned = await cacheDir();
    await editFile(classes, (t) => t.replace('BIO1,scheduled', 'BIO1,Scheduled'));
    const r = await outcome(dir, warned);
    expect(r.warnings.some((w) => w.code === 'oneroster.enum-case')).toBe(true);
    expect(await readdir(warned)).not.toContain('classes.bin');
  });

  it('keeps the outcome of the roster checks, used while every file but enrollments.csv is the same', async () => {
    // u3 has no role, u1 and u2 share an email: warnings only the roster checks give.
    const dir = await writeSet(ENR, ['u1', 'u2', 'u3']);
    const roles = path.join(dir, 'roles.csv');
    await editFile(roles, (t) => t.replace(/r2,.*\n/, ''));
    const users = path.join(dir, 'users.csv');
    const sameEmail = (text: string) => text.replace(/(Family,,u[12],)(,,,,09)/g, '$1A@x.org$2');
    await editFile(users, sameEmail);
    const plain = await outcome(dir);
    expect(plain.warnings.map((w) => w.code)).toEqual(['oneroster.duplicate-email', 'oneroster.no-role']);
    const cache = await cacheDir();
    await outcome(dir, cache);
    const file = path.join(cache, CHECKS_FILE);
    const good = await readFile(file);
    expect(await outcome(dir, cache)).toEqual(plain);
    // Used: a changed summary shows.
    await patchCache(file, (payload) => payload.write('X', payload.indexOf('has no role'), 'latin1'));
    expect((await outcome(dir, cache)).warnings.map((w) => w.summary)).toContain('user u3 Xas no role at any org');
    // A bad severity: refused, the checks run (and rewrite it).
    await patchCache(file, (payload, h) => payload.writeInt32LE(7, intsAt(h)));
    expect(await outcome(dir, cache)).toEqual(plain);
    expect(await readFile(file)).toEqual(good);
    // Other enrollments: same outcome, still used.
    await patchCache(file, (payload) => payload.write('X', payload.indexOf('has no role'), 'latin1'));
    const enr = path.join(dir, 'enrollments.csv');
    await editFile(enr, (t) => t.replace(/e-5,.*\n/, ''));
    expect((await outcome(dir, cache)).warnings.map((w) => w.summary)).toContain('user u3 Xas no role at any org');
    // Another users.csv (u2 with its own email): not used.
    await editFile(users, (t) => t.replace('u2,A@x.org', 'u2,B@x.org'));
    const other = await outcome(dir);
    expect(other.warnings.map((w) => w.code)).toEqual(['oneroster.no-role']);
    expect(await outcome(dir, cache)).toEqual(other);
    // A demographics.csv, read after everything else, is in the key too.
    await editFile(users, (t) => t.replace(/Givenu[12],Family/g, 'Twin,Family'));
    await outcome(dir, cache);
    await writeFile(path.join(dir, 'demographics.csv'), 'sourcedId,status,dateLastModified,birthDate,sex\nu1,,,2010-01-02,male\nu2,,,2010-01-02,male\n');
    const twins = await outcome(dir);
    expect(twins.warnings.map((w) => w.code)).toContain('oneroster.duplicate-person');
    expect(await outcome(dir, cache)).toEqual(twins);
  });

  it('gives the roster of a parse when only roles.csv or enrollments.csv changed (people from the cache, the rest parsed)', async () => {
    const dir = await writeSet(ENR);
    const cache = await cacheDir();
    await outcome(dir, cache);
    const roles = path.join(dir, 'roles.csv');
    // u2 loses its role, u3 gets a second one.
    await editFile(roles, (t) => t.replace('r1,,,u2,primary,student,,,org-hs,\n', '').replace(/\n$/, '\nr9,,,u3,secondary,teacher,,,org-d,\n'));
    const plain = await outcome(dir);
    expect(plain.roster.people.map((p) => p.roles.length)).toEqual([1, 0, 2]);
    expect(await outcome(dir, cache)).toEqual(plain);
    expect(JSON.stringify(await outcome(dir, cache))).toBe(JSON.stringify(plain));
    const enr = path.join(dir, 'enrollments.csv');
    await editFile(enr, (t) => t.replace(/e-3,.*\n/, ''));
    const fewer = await outcome(dir);
    expect(fewer.roster.people[1]!.enrollments.length).toBe(1);
    expect(JSON.stringify(await outcome(dir, cache))).toBe(JSON.stringify(fewer));
    expect(JSON.stringify(await readOneRosterCsv(dir, { cacheDir: cache, cacheWrite: false, recordIds: false }))).toBe(JSON.stringify(await readOneRosterCsv(dir, { recordIds: false })));
  });

  it('is not used for users.csv when a changed users.csv has the same size', async () => {
    const dir = await writeSet(ENR);
    const cache = await cacheDir();
    await outcome(dir, cache);
    const users = path.join(dir, 'users.csv');
    await editFile(users, (t) => t.replace('Givenu2', 'Givenu9'));
    const plain = await outcome(dir);
    expect(plain.roster.people.find((p) => p.sourcedId === 'u2')!.givenName).toBe('Givenu9');
    expect(await outcome(dir, cache)).toEqual(plain);
  });

  it('keeps the roles and enrollments caches in use when users.csv changed but every id kept its place', async () => {
    const dir = await writeSet(ENR);
    const cache = await cacheDir();
    await outcome(dir, cache);
    const users = path.join(dir, 'users.csv');
    // A new name (another size: users.csv is parsed again) and a new grade for u2.
    await editFile(users, (t) => t.replace('Givenu2,Family,,u2,,,,,09', 'Renamed,Family,,u2,,,,,10'));
    const plain = await outcome(dir);
    expect(plain.roster.people[1]).toMatchObject({ givenName: 'Renamed', grades: ['10'] });
    expect(JSON.stringify(await outcome(dir, cache))).toBe(JSON.stringify(plain));
    // Used, not parsed again: what the patched caches hold shows in the roster.
    await markRolesAndEnrollments(cache);
    await editFile(users, (t) => t.replace('Renamed', 'Renamed again'));
    const r = await outcome(dir, cache);
    expect(r.roster.people[1]!.givenName).toBe('Renamed again');
    expect(r.roster.people[0]!.roles.map((x) => x.sourcedId)).toEqual(['q0']);
    expect(r.roster.people[0]!.enrollments.map((e) => e.sourcedId)).toContain('x-1');
  });

  it('parses roles.csv and enrollments.csv again when users.csv adds, drops, moves, deletes or breaks a user', async () => {
    const edits: [string, (t: string) => string][] = [
      ['a user added before others', (t) => t.replace(USERS_HEAD, USERS_HEAD + user('u0') + '\n')],
      ['a user dropped', (t) => t.replace(user('u2') + '\n', '')],
      ['two users swapped', (t) => t.replace(user('u1') + '\n' + user('u2'), user('u2') + '\n' + user('u1'))],
      ['a user to be deleted', (t) => t.replace(user('u2'), user('u2').replace('u2,,,', 'u2,tobedeleted,,'))],
      ['a user row without its id', (t) => t.replace(user('u2'), user('u2').replace(/^u2,/, ','))],
    ];
    await expectReadAgain('users.csv', edits, /"q0"|"x-1"/);
  });

  it('keeps the later caches in use when classes.csv changed but every class id stayed, and enrollments when roles.csv changed', async () => {
    const dir = await writeSet(ENR);
    const cache = await cacheDir();
    await outcome(dir, cache);
    const classes = path.join(dir, 'classes.csv');
    await editFile(classes, (t) => t.replace('Chem,', 'Chemistry,'));
    const plain = await outcome(dir);
    expect(plain.roster.classes[1]!.title).toBe('Chemistry');
    expect(JSON.stringify(await outcome(dir, cache))).toBe(JSON.stringify(plain));
    // users.bin, roles.bin and enrollments.bin are all read, not parsed again.
    await markRolesAndEnrollments(cache);
    await patchCache(path.join(cache, 'users.bin'), (payload) => payload.write('x', payload.indexOf('Givenu2'), 'latin1'));
    await editFile(classes, (t) => t.replace('Chemistry,', 'Chem 2,'));
    const r = await outcome(dir, cache);
    expect(r.roster.classes[1]!.title).toBe('Chem 2');
    expect(r.roster.people[1]!.givenName).toBe('xivenu2');
    expect(r.roster.people[0]!.roles.map((x) => x.sourcedId)).toEqual(['q0']);
    expect(r.roster.people[0]!.enrollments.map((e) => e.sourcedId)).toContain('x-1');
    // A new roles.csv is parsed; the enrollments cache still serves.
    await editFile(path.join(dir, 'roles.csv'), (t) => t.replace(/\n$/, '\nr9,,,u3,secondary,teacher,,,org-d,\n'));
    const again = await outcome(dir, cache);
    expect(again.roster.people[0]!.roles.map((x) => x.sourcedId)).toEqual(['r0']);
    expect(again.roster.people[2]!.roles.map((x) => x.sourcedId)).toEqual(['r2', 'r9']);
    expect(again.roster.people[0]!.enrollments.map((e) => e.sourcedId)).toContain('x-1');
  });

  it('parses enrollments.csv again when classes.csv adds, drops or breaks a class', async () => {
    const edits: [string, (t: string) => string][] = [
      ['a class added first', (t) => t.replace('cls-1,', 'cls-0,,,Art,,,ART1,scheduled,,org-hs,,,,\ncls-1,')],
      ['a class dropped', (t) => t.replace(/cls-2,.*\n/, '')],
      ['a class whose school is unknown', (t) => t.replace('CHE1,scheduled,,org-hs', 'CHE1,scheduled,,org-xx')],
    ];
    await expectReadAgain('classes.csv', edits, /"x-1"/);
  });

  it('keeps the later caches in use when only a course title changed, not when a course is dropped', async () => {
    const dir = await writeSet(ENR);
    await editFile(path.join(dir, 'manifest.csv'), (t) => t.replace('file.classes,bulk', 'file.courses,bulk\nfile.classes,bulk'));
    await writeFile(path.join(dir, 'courses.csv'), 'sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects,subjectCodes\ncrs-1,,,,Biology,BIO,,org-hs,,\ncrs-2,,,,Chemistry,CHE,,org-hs,,\n');
    await editFile(path.join(dir, 'classes.csv'), (t) => t.replace(',,,Bio,,,', ',,,Bio,,crs-1,').replace(',,,Chem,,,', ',,,Chem,,crs-2,'));
    const cache = await cacheDir();
    const first = await outcome(dir, cache);
    expect(first.warnings).toEqual([]);
    await markRolesAndEnrollments(cache);
    const courses = path.join(dir, 'courses.csv');
    await editFile(courses, (t) => t.replace('Chemistry', 'General Chemistry'));
    expect((await outcome(dir, cache)).roster.people[0]!.enrollments.map((e) => e.sourcedId)).toContain('x-1');
    await editFile(courses, (t) => t.replace(/crs-2,.*\n/, ''));
    const { cached, plain } = await cachedAndPlain(dir, cache);
    expect(cached).toBe(plain);
    expect(cached).not.toMatch(/"x-1"/);
  });

  it('keys on the file name too: people name the file they came from', async () => {
    const dir = await writeSet(ENR);
    const cache = await cacheDir();
    await outcome(dir, cache);
    await rename(path.join(dir, 'users.csv'), path.join(dir, 'Users.csv'));
    const plain = await outcome(dir);
    expect(plain.roster.people[0]!.source.file).toBe('Users.csv');
    expect(await outcome(dir, cache)).toEqual(plain);
  });

  it('is ignored when corrupt, truncated, of another version or for other files, and then rewritten', async () => {
    const dir = await writeSet(ENR);
    const cache = await cacheDir();
    const file = path.join(cache, CACHE_FILE);
    const plain = await outcome(dir);
    await outcome(dir, cache);
    const good = await readFile(file);

    const flipped = Buffer.from(good);
    flipped[flipped.length - 3] = flipped[flipped.length - 3]! ^ 0x20;
    await writeFile(file, flipped);
    expect(await outcome(dir, cache)).toEqual(plain);
    expect(await readFile(file)).toEqual(good);

    await writeFile(file, good.subarray(0, good.length - 5));
    expect(await outcome(dir, cache)).toEqual(plain);

    expect(good.toString('latin1')).toContain(`"v":${CACHE_VERSION}`);
    await writeFile(file, Buffer.from(good.toString('latin1').replace(`"v":${CACHE_VERSION}`, '"v":99'), 'latin1'));
    expect(await outcome(dir, cache)).toEqual(plain);

    // An index out of range, with a CRC that matches: still refused.
    await writeFile(file, good);
    await patchCache(file, (payload, h) => payload.writeInt32LE(99, intsAt(h)));
    expect(await outcome(dir, cache)).toEqual(plain);

    await writeFile(file, 'not a cache');
    expect(await outcome(dir, cache)).toEqual(plain);

    // The same enrollments.csv beside a users.csv in another order: the cache (which names
    // people by position) is for other files, so it is not used.
    await writeFile(file, good);
    const other = await writeSet(ENR, ['u3', 'u2', 'u1']);
    const otherPlain = await outcome(other);
    expect(await outcome(other, cache)).toEqual(otherPlain);
    expect(otherPlain.roster.people.find((p) => p.sourcedId === 'u1')!.enrollments).toEqual(plain.roster.people.find((p) => p.sourcedId === 'u1')!.enrollments);
  });

  it('is not written when enrollments.csv has warnings or errors', async () => {
    const warned = await writeSet([...ENR, 'e-9,,,cls-1,org-hs,u3,Student,false,,']);
    const cache = await cacheDir();
    const r = await outcome(warned, cache);
    expect(r.warnings.some((w) => w.code === 'oneroster.enum-case')).toBe(true);
    expect(await readdir(cache)).not.toContain(CACHE_FILE);
    // Also when warnings are only counted, not listed.
    const capped = await cacheDir();
    await readOneRosterCsv(warned, { cacheDir: capped, warningCap: 0 });
    expect(await readdir(capped)).not.toContain(CACHE_FILE);
    const other = await cacheDir();
    const broken = await writeSet([...ENR, 'e-9,,,cls-9,org-hs,u3,student,false,,']);
    await expect(outcome(broken, other)).rejects.toThrow();
    expect(await readdir(other)).toEqual([]);
  });

  it('gives the roster of a parse for generated exports (property)', async () => {
    const row = fc.record({
      cls: fc.constantFrom('cls-1', 'cls-2'),
      user: fc.constantFrom('u1', 'u2', 'u3'),
      role: fc.constantFrom('student', 'teacher', 'aide'),
      primary: fc.constantFrom('true', 'false', ''),
      begin: fc.constantFrom('', '2026-08-20', '2026-09-01', '20260820'),
      end: fc.constantFrom('', '2027-06-18'),
    });
    // Long lists too (a person's enrollments are sorted one way up to 64, another beyond), with
    // ids against the file's order (ids break ties of class and role only when they are kept).
    const rowsOf = fc.oneof(fc.array(row, { maxLength: 30 }), fc.array(row, { minLength: 65, maxLength: 160 }));
    // users.csv in any order: the caches hold people and their enrollments in roster order.
    const usersOf = fc.constantFrom<string[]>(['u1', 'u2', 'u3'], ['u3', 'u1', 'u2'], ['u2', 'u3', 'u1'], ['u3', 'u2', 'u1']);
    await fc.assert(
      fc.asyncProperty(rowsOf, fc.boolean(), usersOf, async (rows, reversed, users) => {
        const id = (i: number) => `e-${String(reversed ? rows.length - i : i).padStart(3, '0')}`;
        const dir = await writeSet(rows.map((r, i) => `${id(i)},,,${r.cls},org-hs,${r.user},${r.role},${r.primary},${r.begin},${r.end}`), users);
        const cache = await cacheDir();
        const plain = JSON.stringify(await outcome(dir));
        expect(JSON.stringify(await outcome(dir, cache))).toBe(plain);
        expect(JSON.stringify(await outcome(dir, cache))).toBe(plain);
        const noIds = JSON.stringify(await readOneRosterCsv(dir, { recordIds: false }));
        expect(JSON.stringify(await readOneRosterCsv(dir, { cacheDir: cache, cacheWrite: false, recordIds: false }))).toBe(noIds);
      }),
      { numRuns: 40 },
    );
  });
});
