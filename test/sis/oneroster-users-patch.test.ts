import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { readOneRosterCsv } from '../../providers/sis/oneroster-csv/index.js';
import { patchStats, ROW_FIELDS } from '../../providers/sis/oneroster-csv/users-patch.js';

/**
 * A plan of a new users.csv that refresh has not parsed yet patches the users cache of the
 * export it did parse, when only a few rows changed (users-patch.ts). Whatever it does, the
 * roster, warnings and digest are those of a full parse; these tests also check when the patch
 * is taken and when the file is parsed instead.
 */

const temps: string[] = [];
afterEach(async () => {
  for (const d of temps.splice(0)) await rm(d, { recursive: true, force: true });
});

const USERS_HEAD = 'sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,resourceSourcedIds,preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns';

interface UserRow {
  id: string;
  enabled: string;
  given: string;
  family: string;
  middle: string;
  email: string;
  grade: string;
  preferred: string;
}

const csvField = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const userLine = (u: UserRow) =>
  [u.id, '', '', u.enabled, u.id, '', u.given, u.family, u.middle, u.id, u.email, '', '', '', u.grade, '', '', '', u.preferred, '', '', 'org-hs', ''].map(csvField).join(',');

function baseUsers(n: number): UserRow[] {
  return Array.from({ length: n }, (_, i) => {
    const id = `u${String((i * 7919) % 1000).padStart(3, '0')}-${i}`; // ids not in file order
    return { id, enabled: 'true', given: `Given${i}`, family: 'Family', middle: '', email: `${id}@example.org`, grade: '09', preferred: '' };
  });
}

async function writeSet(users: UserRow[], usersText?: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rollcall-patch-'));
  temps.push(dir);
  const files: Record<string, string> = {
    'manifest.csv': 'propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\nfile.orgs,bulk\nfile.classes,bulk\nfile.users,bulk\nfile.roles,bulk\nfile.enrollments,bulk\n',
    'orgs.csv': 'sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\norg-d,,,District,district,D,\norg-hs,,,High,school,HS,org-d\n',
    'classes.csv': 'sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\ncls-1,,,Bio,,,BIO1,scheduled,,org-hs,,,,\n',
    'users.csv': usersText ?? `${USERS_HEAD}\n${users.map(userLine).join('\n')}\n`,
    'roles.csv': 'sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId\n' + users.map((u, i) => `r${i},,,${u.id},primary,student,,,org-hs,`).join('\n') + '\n',
    'enrollments.csv': 'sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n' + users.map((u, i) => `e${i},,,cls-1,org-hs,${u.id},student,false,,`).join('\n') + '\n',
  };
  for (const [f, text] of Object.entries(files)) await writeFile(path.join(dir, f), text);
  return dir;
}

async function cacheDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rollcall-patch-cache-'));
  temps.push(dir);
  return dir;
}

/** The outcome of a read as text: the roster, warnings and digest, or the error it stops with. */
async function settled(read: Promise<unknown>): Promise<string> {
  try {
    return JSON.stringify(await read);
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

/** A plan's read (writes no cache, keeps no record ids) and what a full parse gives. */
async function planRead(dir: string, cache: string): Promise<{ got: string; want: string; patched: boolean }> {
  const before = patchStats.patched;
  const got = await settled(readOneRosterCsv(dir, { cacheDir: cache, cacheWrite: false, recordIds: false }));
  const patched = patchStats.patched > before;
  const want = await settled(readOneRosterCsv(dir, { recordIds: false }));
  return { got, want, patched };
}

/** The set read by refresh (which writes the caches), then users.csv rewritten by `edit`. */
async function primedThenEdited(users: UserRow[], edit: (text: string) => string, usersText?: string): Promise<{ dir: string; cache: string }> {
  const dir = await writeSet(users, usersText);
  const cache = await cacheDir();
  await readOneRosterCsv(dir, { cacheDir: cache });
  const file = path.join(dir, 'users.csv');
  await writeFile(file, edit(await readFile(file, 'utf8')));
  return { dir, cache };
}

describe('the users cache patched from a line diff', () => {
  it('gives the roster of a parse for a few changed rows (property)', async () => {
    const edit = fc.record({
      at: fc.nat(),
      given: fc.constantFrom('Zoë', 'Ana María', 'O\'Brien', 'Smith, Jr', 'Li "Leo"', 'Given'),
      family: fc.constantFrom('Nguyễn', 'Family', 'García-López', 'Ødegård'),
      middle: fc.constantFrom('', 'Q'),
      email: fc.constantFrom('', 'changed@example.org'),
      grade: fc.constantFrom('09', '10', 'KG', '12'),
      enabled: fc.constantFrom('true', 'false'),
      preferred: fc.constantFrom('', 'Sam'),
    });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 40, max: 90 }), fc.array(edit, { minLength: 1, maxLength: 2 }), fc.constantFrom('\n', '\r\n'), async (n, edits, eol) => {
        const users = baseUsers(n);
        const text = (rows: UserRow[]) => `${USERS_HEAD}${eol}${rows.map(userLine).join(eol)}${eol}`;
        const { dir, cache } = await primedThenEdited(users, () => {
          const next = users.map((u) => ({ ...u }));
          for (const e of edits) {
            const u = next[e.at % n]!;
            Object.assign(u, { given: e.given, family: e.family, middle: e.middle, email: e.email || u.email, grade: e.grade, enabled: e.enabled, preferred: e.preferred });
          }
          return text(next);
        }, text(users));
        const { got, want, patched } = await planRead(dir, cache);
        expect(got).toBe(want);
        // Every drawn edit is clean, ids and lines unchanged: the patch is taken, unless the
        // edits happened to leave every line as it was.
        const unchanged = (await readFile(path.join(dir, 'users.csv'), 'utf8')) === text(users);
        expect(patched).toBe(!unchanged);
      }),
      { numRuns: 30 },
    );
  });

  it('parses the file whole, with the same outcome, when a changed row could read differently', async () => {
    const users = baseUsers(60);
    const row = (i: number) => userLine(users[i]!);
    const edits: [string, (t: string) => string][] = [
      ['an id changed', (t) => t.replace(row(5), row(5).replace(users[5]!.id, 'zz-new'))],
      ['a row to be deleted', (t) => t.replace(row(5), row(5).replace(`${users[5]!.id},,,`, `${users[5]!.id},tobedeleted,,`))],
      ['enabledUser as 1 (a warning)', (t) => t.replace(row(5), row(5).replace(',true,', ',1,'))],
      ['a grade no one knows (a warning)', (t) => t.replace(row(5), row(5).replace(',09,', ',Z9,'))],
      ['a primary org not in the set (an error)', (t) => t.replace(row(5), row(5).replace(',org-hs,', ',org-nowhere,'))],
      ['a line added', (t) => `${t}${userLine({ ...users[0]!, id: 'zz-added' })}\n`],
      ['a field opened across lines', (t) => t.replace(row(5), row(5).replace('Given5', '"Given\nFive"'))],
      ['a quote opened on one changed line and closed on the next', (t) => t.replace(row(5), row(5).replace('Given5', '"Given5')).replace(row(6), row(6).replace('Given6', 'Given6"'))],
      ['the header reordered', (t) => t.replace(USERS_HEAD, USERS_HEAD.replace('givenName,familyName', 'familyName,givenName'))],
      ['too many rows changed', (t) => t.replace(/,Family,/g, ',Other,')],
    ];
    for (const [what, edit] of edits) {
      const { dir, cache } = await primedThenEdited(users, edit);
      const { got, want, patched } = await planRead(dir, cache);
      expect(got, what).toBe(want);
      expect(patched, what).toBe(false);
    }
  });

  it('copies every field a row decides: all of a parsed person but its id, roles, enrollments and source', async () => {
    const dir = await writeSet(baseUsers(3));
    const person = (await readOneRosterCsv(dir)).roster.people[0]!;
    expect([...ROW_FIELDS, 'sourcedId', 'roles', 'enrollments', 'source'].sort()).toEqual(Object.keys(person).sort());
  });

  it('is not offered when the export refresh parsed had a row across lines; refresh itself parses and rewrites', async () => {
    const users = baseUsers(40);
    const text = `${USERS_HEAD}\n${users.map(userLine).join('\n')}\n`.replace('Given3', '"Given\nThree"');
    const dir = await writeSet(users, text);
    const cache = await cacheDir();
    await readOneRosterCsv(dir, { cacheDir: cache });
    const file = path.join(dir, 'users.csv');
    await writeFile(file, text.replace('Given7', 'Seven'));
    const first = await planRead(dir, cache);
    expect(first.got).toBe(first.want);
    expect(first.patched).toBe(false);

    // A clean export: refresh (a writing read) parses the changed file and stores it whole;
    // the next plan's read is then a plain hit, not a patch.
    const clean = await primedThenEdited(users, (t) => t.replace('Given7', 'Seven'));
    const before = patchStats.patched;
    await readOneRosterCsv(clean.dir, { cacheDir: clean.cache });
    expect(patchStats.patched).toBe(before);
    const again = await planRead(clean.dir, clean.cache);
    expect(again.got).toBe(again.want);
    expect(again.patched).toBe(false);
  });
});
