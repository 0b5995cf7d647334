import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Diagnostic } from '../../engine/model/diagnostics.js';
import { InputError } from '../../engine/model/errors.js';
import type { Person } from '../../engine/model/people.js';
import { oneRosterCsvSource, readOneRosterCsv } from '../../providers/sis/oneroster-csv/index.js';

const FIX = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'oneroster');
const temps: string[] = [];
afterEach(async () => {
  for (const d of temps.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A writable copy of a fixture set. */
async function copySet(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rollcall-or-'));
  temps.push(dir);
  await cp(path.join(FIX, name), dir, { recursive: true });
  return dir;
}

async function edit(dir: string, file: string, fn: (text: string) => string): Promise<void> {
  const p = path.join(dir, file);
  await writeFile(p, fn(await readFile(p, 'utf8')));
}

async function errorsOf(dir: string): Promise<Diagnostic[]> {
  try {
    await readOneRosterCsv(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).diagnostics.filter((d) => d.severity === 'error');
  }
  throw new Error('expected an InputError');
}

function person(people: Person[], id: string): Person {
  const p = people.find((x) => x.sourcedId === id);
  if (!p) throw new Error(`no person ${id}`);
  return p;
}

describe('OneRoster 1.2 bulk set', () => {
  it('normalizes people, roles, names, grades and enrollments', async () => {
    const { roster } = await readOneRosterCsv(path.join(FIX, 'v12-bulk'));
    expect(roster.sourceFormat).toBe('oneroster-1.2-csv');
    expect(roster.mode).toBe('bulk');
    expect(roster.people.map((p) => p.sourcedId)).toEqual(['u-a1', 'u-g1', 'u-s1', 'u-s2', 'u-s3', 'u-t1']);
    const t1 = person(roster.people, 'u-t1');
    expect(t1.roles).toEqual([
      { role: 'teacher', orgSourcedId: 'org-hs', roleType: 'primary', beginDate: '2026-08-20', sourcedId: 'r-t1-hs' },
      // Day-first dates in roles.csv are recognised from 20/08/2026.
      { role: 'teacher', orgSourcedId: 'org-es', roleType: 'secondary', beginDate: '2026-08-20', endDate: '2027-06-15', sourcedId: 'r-t1-es' },
    ]);
    expect(t1.preferredGivenName).toBe('Kay');
    expect(t1.userIds).toEqual([{ type: 'LDAP', identifier: 't1' }, { type: 'LTI', identifier: '15' }]);
    expect(t1.enrollments.map((e) => [e.classSourcedId, e.role, e.primary])).toEqual([
      ['cls-bio-1', 'teacher', true],
      ['cls-read-k', 'teacher', false],
    ]);
    const s1 = person(roster.people, 'u-s1');
    expect(s1.grades).toEqual(['09']);
    expect(s1.roles.map((r) => `${r.roleType}:${r.role}@${r.orgSourcedId}`)).toEqual(['primary:student@org-hs', 'secondary:aide@org-sci']);
    expect(person(roster.people, 'u-s2')).toMatchObject({ givenName: 'Bảo', familyName: 'Nguyễn', grades: ['KG'], enabledUser: true });
    expect(person(roster.people, 'u-s3')).toMatchObject({ enabledUser: false, grades: ['01'], preferredFamilyName: 'Ryan', source: { file: 'users.csv', line: 5 } });
    expect(roster.classes).toEqual([
      { sourcedId: 'cls-bio-1', title: 'Biology - P1', classCode: 'BIO1-1', schoolSourcedId: 'org-hs', courseSourcedId: 'crs-bio', termSourcedIds: ['t-fall', 't-spring'] },
      { sourcedId: 'cls-read-k', title: 'Reading K', classCode: 'RD-K', schoolSourcedId: 'org-es', courseSourcedId: 'crs-read', termSourcedIds: ['t-fall'] },
    ]);
    expect(roster.academicSessions.find((s) => s.sourcedId === 'sy-2027')).toMatchObject({ schoolYear: 2027, startDate: '2026-08-20', endDate: '2027-06-18' });
    expect(roster.orgs.find((o) => o.sourcedId === 'org-sci')).toEqual({ sourcedId: 'org-sci', name: 'Science Department', type: 'department', identifier: 'SCI', parentSourcedId: 'org-hs' });
  });

  it('reports header quirks as warnings with file:line:column, and ignores userprofiles/demographics quietly', async () => {
    const { warnings } = await readOneRosterCsv(path.join(FIX, 'v12-bulk'));
    const w = (code: string) => warnings.filter((d) => d.code === code).map((d) => `${d.source?.file}:${d.source?.line}:${d.source?.column}`);
    expect(w('csv.bom')).toEqual(['users.csv:1:1']);
    expect(w('csv.header-misspelt')).toEqual(['roles.csv:1:3', 'users.csv:1:18', 'users.csv:1:19', 'users.csv:1:20']);
    expect(warnings.find((d) => d.code === 'csv.header-misspelt' && d.source?.column === 18)?.summary).toContain('prefferedGivenName');
    expect(w('csv.header-empty')).toEqual(['roles.csv:1:10', 'roles.csv:1:11']);
    expect(warnings.some((d) => /userprofiles|demographics/i.test(d.source?.file ?? ''))).toBe(false);
  });

  it('a userIds value out of {type:id} form is a warning at its cell that does not quote it (it is often an address)', async () => {
    const dir = await copySet('v12-bulk');
    await edit(dir, 'users.csv', (t) => t.replace('{LDAP:s1}', 'alex.zhou@maple.example'));
    const { roster, warnings } = await readOneRosterCsv(dir);
    const w = warnings.find((d) => d.code === 'oneroster.userids-format');
    expect(w?.source).toEqual({ file: 'users.csv', line: 3, column: 6 });
    expect(w?.summary).not.toContain('alex.zhou');
    expect(person(roster.people, 'u-s1').userIds).toEqual([{ type: '', identifier: 'alex.zhou@maple.example' }]);
  });

  it('reads a .zip (entries inside a folder) exactly like the folder', async () => {
    const a = await readOneRosterCsv(path.join(FIX, 'v12-bulk'));
    const b = await readOneRosterCsv(path.join(FIX, 'v12-bulk.zip'));
    expect(b.roster).toEqual(a.roster);
    expect(b.digest).toBe(a.digest);
    expect(a.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('digest changes when any byte read changes', async () => {
    const dir = await copySet('v12-bulk');
    const before = (await readOneRosterCsv(dir)).digest;
    await edit(dir, 'classes.csv', (t) => t.replace('Lab 1', 'Lab 2'));
    expect((await readOneRosterCsv(dir)).digest).not.toBe(before);
  });

  it('reports progress at most once a second, with counts and no names', async () => {
    let now = 0;
    const spy = vi.spyOn(Date, 'now').mockImplementation(() => (now += 600));
    const seen: { at: number; rows: number; totalRows: number; message: string }[] = [];
    try {
      await readOneRosterCsv(path.join(FIX, 'v12-bulk'), { progress: (p) => seen.push({ at: now, ...p }) });
    } finally {
      spy.mockRestore();
    }
    expect(seen.length).toBeGreaterThan(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.at - seen[i - 1]!.at).toBeGreaterThanOrEqual(1000);
    expect(seen.at(-1)!.totalRows).toBeGreaterThanOrEqual(seen[0]!.totalRows);
    for (const p of seen) expect(p.message).toMatch(/^reading [\w.]+\.csv: [\d,]+ rows \([\d,]+ in total\)$/);
  });

  it('is the SisSource the registry loads', async () => {
    const messages: string[] = [];
    const r = await oneRosterCsvSource.read({ location: path.join(FIX, 'v12-bulk'), settings: { skipEnrollments: true }, env: {}, progress: (m) => messages.push(m) });
    expect(r.roster.people.every((p) => p.enrollments.length === 0)).toBe(true);
    expect(messages.every((m) => !/Kyung|Zhou/.test(m))).toBe(true);
  });
});

describe('OneRoster 1.1 bulk set', () => {
  it('takes roles from users.csv, excludes tobedeleted rows and parses quirky values', async () => {
    const { roster, warnings } = await readOneRosterCsv(path.join(FIX, 'v11-bulk'));
    expect(roster.sourceFormat).toBe('oneroster-1.1-csv');
    expect(roster.people.map((p) => p.sourcedId)).toEqual(['usr-p-1', 'usr-s-1', 'usr-s-2', 'usr-s-4', 'usr-t-1']);
    expect(person(roster.people, 'usr-t-1').roles).toEqual([
      { role: 'teacher', orgSourcedId: 'org-sch-1', roleType: 'primary' },
      { role: 'teacher', orgSourcedId: 'org-sch-2', roleType: 'secondary' },
    ]);
    expect(person(roster.people, 'usr-p-1').userIds).toEqual([
      { type: 'LDAP', identifier: '12' },
      { type: 'LTI', identifier: '15' },
      { type: 'Fed', identifier: '23' },
    ]);
    expect(person(roster.people, 'usr-s-2')).toMatchObject({ givenName: 'José', familyName: 'Núñez', grades: ['KG'] });
    expect(person(roster.people, 'usr-s-4')).toMatchObject({ familyName: "O'Brien", grades: ['09'], enabledUser: false });
    expect(roster.classes.map((c) => c.sourcedId)).toEqual(['cls-1', 'cls-3']);
    expect(roster.academicSessions.map((s) => s.sourcedId)).toEqual(['as-syr-2023', 'as-trm-1', 'as-trm-2']);
    expect(roster.academicSessions.find((s) => s.sourcedId === 'as-trm-2')).toMatchObject({ startDate: '2023-01-05', endDate: '2023-06-15' });
    // The enrollment in the tobedeleted class is dropped, with a warning at its row.
    expect(person(roster.people, 'usr-s-1').enrollments.map((e) => e.classSourcedId)).toEqual(['cls-1']);
    const dropped = warnings.find((d) => d.code === 'oneroster.ref-deleted');
    expect(dropped?.source).toEqual({ file: 'enrollments.csv', line: 4, column: 4 });
    expect(warnings.find((d) => d.code === 'oneroster.ambiguous-date')?.source).toEqual({ file: 'academicSessions.csv', line: 5, column: 6 });
    expect(warnings.filter((d) => d.code === 'csv.header-misspelt').map((d) => d.summary)).toEqual([
      'users.csv: header "userId" read as "userIds"',
      'users.csv: header "agents" read as "agentSourcedIds"',
    ]);
    expect(warnings.some((d) => d.code === 'csv.header-extension' && d.source?.file === 'users.csv')).toBe(true);
    expect(warnings.some((d) => d.code === 'csv.header-order' && d.source?.file === 'users.csv')).toBe(true);
    expect(warnings.some((d) => d.code === 'oneroster.bulk-status' && d.summary.includes('1 tobedeleted'))).toBe(true);
  });

  it('without a manifest, infers a bulk set from the files present and says so', async () => {
    const dir = await copySet('v11-bulk');
    await rm(path.join(dir, 'manifest.csv'));
    const { roster, warnings } = await readOneRosterCsv(dir);
    expect(roster.sourceFormat).toBe('oneroster-1.1-csv');
    expect(roster.people).toHaveLength(5);
    expect(warnings).toContainEqual(expect.objectContaining({ code: 'oneroster.no-manifest' }));
  });

  it('a 1.2 manifest over a 1.1 users.csv layout (no roles.csv) reads roles from users.csv, with a warning', async () => {
    const dir = await copySet('v11-bulk');
    await edit(dir, 'manifest.csv', (t) => t.replace('oneroster.version,1.1', 'oneroster.version,1.2'));
    const { roster, warnings } = await readOneRosterCsv(dir);
    expect(roster.sourceFormat).toBe('oneroster-1.2-csv');
    expect(person(roster.people, 'usr-t-1').roles.map((r) => r.orgSourcedId)).toEqual(['org-sch-1', 'org-sch-2']);
    expect(warnings).toContainEqual(expect.objectContaining({ code: 'oneroster.roles-from-users', source: { file: 'users.csv', line: 1 } }));
  });

  it('a 1.2 set with neither roles.csv nor 1.1 role columns is an error', async () => {
    const dir = await copySet('v12-bulk');
    await rm(path.join(dir, 'roles.csv'));
    await edit(dir, 'manifest.csv', (t) => t.replace('file.roles,bulk', 'file.roles,absent'));
    const errs = await errorsOf(dir);
    expect(errs).toContainEqual(expect.objectContaining({ code: 'oneroster.missing-file', source: { file: 'manifest.csv', line: 20 } }));
  });

  it('accepts header case differences with a warning', async () => {
    const dir = await copySet('v11-bulk');
    await edit(dir, 'users.csv', (t) => t.replace('givenName,familyName', 'GivenName,FAMILYNAME'));
    const { roster, warnings } = await readOneRosterCsv(dir);
    expect(person(roster.people, 'usr-s-1').familyName).toBe('Jones');
    expect(warnings.filter((d) => d.code === 'csv.header-case').map((d) => `${d.source?.line}:${d.source?.column}`)).toEqual(['1:9', '1:10']);
  });
});

describe('bad input: errors carry file, line and the offending id', () => {
  it('broken quoting', async () => {
    const dir = await copySet('v12-bulk');
    await edit(dir, 'users.csv', (t) => t.replace('"{LDAP:t1},{LTI:15}"', '"{LDAP:t1},{LTI:15}'));
    const errs = await errorsOf(dir);
    expect(errs.some((d) => d.code === 'csv.quoting' && d.source?.file === 'users.csv' && d.source.line === 2)).toBe(true);
  });

  it('a quote followed by junk is located to the column', async () => {
    const dir = await copySet('v12-bulk');
    await edit(dir, 'classes.csv', (t) => t.replace('"t-fall,t-spring"', '"t-fall,t-spring"x'));
    const errs = await errorsOf(dir);
    const q = errs.find((d) => d.code === 'csv.quoting');
    expect(q?.source?.file).toBe('classes.csv');
    expect(q?.source?.line).toBe(2);
  });

  it('missing required column', async () => {
    const dir = await copySet('v12-bulk');
    await edit(dir, 'enrollments.csv', (t) => t.replace('classSourcedId,', 'klassId,'));
    const errs = await errorsOf(dir);
    expect(errs).toContainEqual(expect.objectContaining({ code: 'csv.missing-column', source: { file: 'enrollments.csv', line: 1 } }));
    expect(errs.find((d) => d.code === 'csv.missing-column')?.summary).toContain('classSourcedId');
  });

  it('duplicate sourcedId names both lines', async () => {
    const dir = await copySet('v12-bulk');
    await edit(dir, 'users.csv', (t) => t.replace('u-a1,', 'u-s2,'));
    const errs = await errorsOf(dir);
    const dup = errs.find((d) => d.code === 'oneroster.duplicate-sourcedid');
    expect(dup?.source).toEqual({ file: 'users.csv', line: 7, column: 1 });
    expect(dup?.summary).toContain('"u-s2" (first at line 4)');
  });

  it('dangling references: role -> org, enrollment -> class and user, class -> school', async () => {
    const dir = await copySet('v12-bulk');
    await edit(dir, 'roles.csv', (t) => t.replace('u-g1,primary,guardian,,,org-hs', 'u-g1,primary,guardian,,,org-gone'));
    await edit(dir, 'enrollments.csv', (t) => t.replace('e-4,,,cls-read-k,org-es,u-t1', 'e-4,,,cls-nope,org-es,u-nobody'));
    await edit(dir, 'classes.csv', (t) => t.replace('Room 4,org-es', 'Room 4,org-closed'));
    const errs = await errorsOf(dir);
    const refs = errs.filter((d) => d.code === 'oneroster.dangling-ref').map((d) => `${d.source?.file}:${d.source?.line}:${d.source?.column} ${d.summary}`);
    expect(refs).toEqual([
      'classes.csv:3:10 class cls-read-k references school "org-closed", which is not in the set',
      'enrollments.csv:5:4 enrollment e-4 references class "cls-nope", which is not in the set',
      'enrollments.csv:5:6 enrollment e-4 references user "u-nobody", which is not in the set',
      'roles.csv:8:9 role r-g1 references org "org-gone", which is not in the set',
    ]);
  });

  it('a student with no school', async () => {
    const dir = await copySet('v12-bulk');
    await edit(dir, 'roles.csv', (t) => t.replace('r-s2,,,u-s2,primary,student,,,org-es', 'r-s2,,,u-s2,primary,student,,,org-d'));
    const errs = await errorsOf(dir);
    const e = errs.find((d) => d.code === 'oneroster.student-without-school');
    expect(e?.source).toEqual({ file: 'users.csv', line: 4 });
    expect(e?.summary).toContain('u-s2');
    expect(e?.summary).toContain('org "org-d" is a district');
  });

  it('a student in a department under a school has that school', async () => {
    const dir = await copySet('v12-bulk');
    await edit(dir, 'roles.csv', (t) => t.replace('r-s1,,,u-s1,primary,student,,,org-hs', 'r-s1,,,u-s1,primary,student,,,org-sci'));
    await expect(readOneRosterCsv(dir)).resolves.toBeDefined();
  });

  it('invalid enums: status=inactive, bad roleType, bad enabledUser', async () => {
    const dir = await copySet('v12-bulk');
    await edit(dir, 'orgs.csv', (t) => t.replace('org-es,,,', 'org-es,inactive,2023-05-01,'));
    await edit(dir, 'roles.csv', (t) => t.replace('u-s3,primary,', 'u-s3,main,'));
    await edit(dir, 'users.csv', (t) => t.replace('u-g1,,,true,', 'u-g1,,,yes,'));
    const errs = await errorsOf(dir);
    const got = errs.filter((d) => d.code === 'oneroster.invalid-enum').map((d) => `${d.source?.file}:${d.source?.line}:${d.source?.column}`);
    expect(got).toEqual(['orgs.csv:4:2', 'roles.csv:7:5', 'users.csv:6:4']);
    expect(errs.find((d) => d.source?.file === 'orgs.csv')?.summary).toContain('orgs org-es: invalid status "inactive"');
  });

  it('a Latin-1 file is detected and named, at the first bad byte', async () => {
    const dir = await copySet('v11-bulk');
    const text = await readFile(path.join(dir, 'users.csv'), 'utf8');
    await writeFile(path.join(dir, 'users.csv'), Buffer.from(text, 'latin1'));
    const errs = await errorsOf(dir);
    const e = errs.find((d) => d.code === 'csv.encoding');
    expect(e?.summary).toContain('ISO-8859-1 (Latin-1)');
    expect(e?.source).toEqual({ file: 'users.csv', line: 5, column: 85 });
  });

  it('Windows-1252 punctuation is named as such', async () => {
    const dir = await copySet('v11-bulk');
    const text = (await readFile(path.join(dir, 'users.csv'), 'utf8')).replace("O'Brien", 'O\u2019Brien');
    await writeFile(path.join(dir, 'users.csv'), Buffer.from(text.replace('\u2019', '\x92'), 'latin1'));
    const e = (await errorsOf(dir)).find((d) => d.code === 'csv.encoding');
    expect(e?.summary).toContain('Windows-1252');
    expect(e?.source?.line).toBe(5);
  });

  it('a UTF-16 file is detected and named', async () => {
    const dir = await copySet('v12-bulk');
    const text = await readFile(path.join(dir, 'orgs.csv'), 'utf8');
    await writeFile(path.join(dir, 'orgs.csv'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const e = (await errorsOf(dir)).find((d) => d.code === 'csv.encoding');
    expect(e?.summary).toContain('UTF-16LE');
    expect(e?.source).toEqual({ file: 'orgs.csv', line: 1, column: 1 });
  });

  it('reports every error of a run, across files', async () => {
    const dir = await copySet('v12-bulk');
    await edit(dir, 'orgs.csv', (t) => t.replace('org-es,,,', 'org-es,inactive,,'));
    await edit(dir, 'users.csv', (t) => t.replace('u-a1,', 'u-s2,'));
    await edit(dir, 'courses.csv', (t) => t.replace('org-es,,', 'org-xx,,'));
    const where = (await errorsOf(dir)).map((d) => `${d.source?.file}:${d.source?.line} ${d.code}`);
    // roles.csv too: u-a1's role now points at a user whose row became the duplicate.
    expect(where).toEqual([
      'courses.csv:3 oneroster.dangling-ref',
      'orgs.csv:4 oneroster.invalid-enum',
      'roles.csv:9 oneroster.dangling-ref',
      'users.csv:7 oneroster.duplicate-sourcedid',
    ]);
  });

  it('a delta set without a base is refused', async () => {
    const dir = await copySet('v12-bulk');
    await edit(dir, 'manifest.csv', (t) => t.replace('file.users,bulk', 'file.users,delta'));
    const errs = await errorsOf(dir);
    expect(errs).toContainEqual(expect.objectContaining({ code: 'oneroster.delta-without-base', source: { file: 'manifest.csv', line: 24 } }));
  });

  it('a file the manifest lists but the set lacks', async () => {
    const dir = await copySet('v12-bulk');
    await rm(path.join(dir, 'courses.csv'));
    const errs = await errorsOf(dir);
    expect(errs).toContainEqual(expect.objectContaining({ code: 'oneroster.missing-file', source: { file: 'manifest.csv', line: 8 } }));
  });
});

describe('data warnings', () => {
  it('same email on two people, identical names and birth facts, enabledUser as 1/0', async () => {
    const dir = await copySet('v12-bulk');
    await edit(dir, 'users.csv', (t) =>
      t
        .replace('grace.zhou@family.example', 'AZHOU@maple.example')
        .replace('u-a1,,,true,dlee,,Dana,Lee', 'u-a1,,,1,dlee,,Alex,Zhou'),
    );
    await edit(dir, 'demographics.csv', (t) => t + 'u-a1,,,2011-04-17,other,,,,,,,,,,,\r\n');
    const { warnings } = await readOneRosterCsv(dir);
    const by = (code: string) => warnings.filter((d) => d.code === code);
    expect(by('oneroster.duplicate-email')).toEqual([
      // People are compared in sourcedId order, so the report is the same whatever the row order.
      expect.objectContaining({ source: { file: 'users.csv', line: 3 }, summary: expect.stringContaining('user u-s1 has the same email as user u-g1 (users.csv:6)') }),
    ]);
    expect(by('oneroster.duplicate-person')).toEqual([
      expect.objectContaining({ source: { file: 'users.csv', line: 3 }, summary: expect.stringContaining('user u-s1 has the same names and birth facts as user u-a1 (users.csv:7)') }),
    ]);
    expect(by('oneroster.boolean-numeric').map((d) => d.source)).toEqual([{ file: 'users.csv', line: 7, column: 4 }]);
  });
});
