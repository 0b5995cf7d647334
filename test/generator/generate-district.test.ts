import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRESETS, csvField, generateDistrict, parseArgs, type DistrictSpec } from '../../scripts/generate-district.js';

/**
 * Headers copied from the OneRoster 1.2 CSV binding's tables (IMS Final Release, 2022-09-19),
 * written out here independently of the generator so a drift in either is caught.
 */
const SPEC_HEADERS: Record<string, string> = {
  'orgs.csv': 'sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId',
  'academicSessions.csv': 'sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear',
  'courses.csv': 'sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects,subjectCodes',
  'classes.csv': 'sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods',
  'users.csv': 'sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,resourceSourcedIds,preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns',
  'roles.csv': 'sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId',
  'enrollments.csv': 'sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate',
  'manifest.csv': 'propertyName,value',
};

type Row = Record<string, string>;

async function readCsv(dir: string, file: string): Promise<{ header: string[]; rows: Row[] }> {
  const text = await readFile(join(dir, file), 'utf8');
  const parsed = Papa.parse<Row>(text, { header: true, skipEmptyLines: true });
  expect(parsed.errors, `${file} parses cleanly`).toEqual([]);
  return { header: parsed.meta.fields ?? [], rows: parsed.data };
}

function byId(rows: Row[]): Map<string, Row> {
  const m = new Map<string, Row>();
  for (const r of rows) {
    expect(m.has(r.sourcedId!), `duplicate sourcedId ${r.sourcedId}`).toBe(false);
    m.set(r.sourcedId!, r);
  }
  return m;
}

const dirs: string[] = [];
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'rollcall-gen-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const SMALL: DistrictSpec = { people: 3000, seed: 42, schoolYear: 2027, districtName: 'Test District, Inc.', domain: 'test.k12.example' };

describe('generateDistrict', () => {
  let dir = '';
  let result: Awaited<ReturnType<typeof generateDistrict>>;
  beforeAll(async () => {
    dir = await tmp();
    result = await generateDistrict(SMALL, dir);
  });

  it('is deterministic: the same spec gives identical bytes, another seed does not', async () => {
    const again = await tmp();
    await generateDistrict(SMALL, again);
    for (const f of result.files) {
      expect((await readFile(join(again, f))).equals(await readFile(join(dir, f))), f).toBe(true);
    }
    const other = await tmp();
    await generateDistrict({ ...SMALL, seed: 43 }, other);
    expect((await readFile(join(other, 'users.csv'))).equals(await readFile(join(dir, 'users.csv')))).toBe(false);
  });

  it('writes exactly the spec headers, a 1.2 bulk manifest, and no status/dateLastModified values', async () => {
    expect((await readdir(dir)).sort()).toEqual(Object.keys(SPEC_HEADERS).sort());
    for (const [file, header] of Object.entries(SPEC_HEADERS)) {
      const text = await readFile(join(dir, file), 'utf8');
      expect(text.slice(0, text.indexOf('\n')), file).toBe(header);
      if (file === 'manifest.csv') continue;
      const { rows } = await readCsv(dir, file);
      expect(rows.length, file).toBeGreaterThan(0);
      expect(rows.every((r) => r.status === '' && r.dateLastModified === ''), file).toBe(true);
      expect(rows.every((r) => Object.keys(r).length === header.split(',').length), `${file} field counts`).toBe(true);
    }
    const manifest = new Map((await readCsv(dir, 'manifest.csv')).rows.map((r) => [r.propertyName!, r.value!]));
    expect(manifest.get('oneroster.version')).toBe('1.2');
    expect(manifest.get('manifest.version')).toBe('1.0');
    for (const f of ['orgs', 'users', 'roles', 'classes', 'courses', 'academicSessions', 'enrollments']) expect(manifest.get(`file.${f}`)).toBe('bulk');
    expect(manifest.get('file.demographics')).toBe('absent');
  });

  it('resolves every reference', async () => {
    const orgs = byId((await readCsv(dir, 'orgs.csv')).rows);
    const users = byId((await readCsv(dir, 'users.csv')).rows);
    const roles = (await readCsv(dir, 'roles.csv')).rows;
    const classes = byId((await readCsv(dir, 'classes.csv')).rows);
    const courses = byId((await readCsv(dir, 'courses.csv')).rows);
    const sessions = byId((await readCsv(dir, 'academicSessions.csv')).rows);
    const enrollments = (await readCsv(dir, 'enrollments.csv')).rows;
    byId(roles);
    byId(enrollments);
    const isSchool = (id: string | undefined) => orgs.get(id ?? '')?.type === 'school';

    for (const o of orgs.values()) if (o.parentSourcedId) expect(orgs.has(o.parentSourcedId)).toBe(true);
    for (const r of roles) {
      expect(users.has(r.userSourcedId!), `role ${r.sourcedId} user`).toBe(true);
      expect(orgs.has(r.orgSourcedId!), `role ${r.sourcedId} org`).toBe(true);
    }
    for (const u of users.values()) expect(orgs.has(u.primaryOrgSourcedId!), `user primary org`).toBe(true);
    for (const c of classes.values()) {
      expect(isSchool(c.schoolSourcedId), `class ${c.sourcedId} school`).toBe(true);
      expect(courses.has(c.courseSourcedId!)).toBe(true);
      for (const t of c.termSourcedIds!.split(',')) expect(sessions.has(t), `term ${t}`).toBe(true);
    }
    for (const c of courses.values()) {
      expect(orgs.has(c.orgSourcedId!)).toBe(true);
      expect(sessions.get(c.schoolYearSourcedId!)?.type).toBe('schoolYear');
    }
    for (const e of enrollments) {
      const cls = classes.get(e.classSourcedId!);
      expect(cls, `enrollment ${e.sourcedId} class`).toBeDefined();
      expect(users.has(e.userSourcedId!), `enrollment ${e.sourcedId} user`).toBe(true);
      expect(e.schoolSourcedId).toBe(cls!.schoolSourcedId);
      expect(e.beginDate! < e.endDate!).toBe(true);
    }
    // Each user has exactly one primary role; every student's is at a school.
    const primary = new Map<string, Row>();
    for (const r of roles.filter((x) => x.roleType === 'primary')) {
      expect(primary.has(r.userSourcedId!)).toBe(false);
      primary.set(r.userSourcedId!, r);
    }
    expect(primary.size).toBe(users.size);
    for (const r of primary.values()) if (r.role === 'student') expect(isSchool(r.orgSourcedId)).toBe(true);
  });

  it('has a realistic district: role mix, grades, enrollments per student, teachers on several sections', async () => {
    expect(result.people).toBe(SMALL.people);
    const users = (await readCsv(dir, 'users.csv')).rows;
    expect(users).toHaveLength(SMALL.people);
    const roles = (await readCsv(dir, 'roles.csv')).rows.filter((r) => r.roleType === 'primary');
    const count = (role: string) => roles.filter((r) => r.role === role).length;
    expect(count('student') / SMALL.people).toBeCloseTo(0.92, 2);
    expect(count('teacher') / SMALL.people).toBeCloseTo(0.06, 2);
    for (const role of ['aide', 'principal', 'counselor']) expect(count(role), role).toBeGreaterThan(0);

    const enrollments = (await readCsv(dir, 'enrollments.csv')).rows;
    expect(result.enrollments).toBe(enrollments.length);
    const perUser = new Map<string, number>();
    for (const e of enrollments) perUser.set(e.userSourcedId!, (perUser.get(e.userSourcedId!) ?? 0) + 1);
    const avg = (grades: string[]) => {
      const xs = users.filter((u) => grades.includes(u.grades!)).map((u) => perUser.get(u.sourcedId!) ?? 0);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    expect(avg(['KG', '01', '02', '03', '04', '05'])).toBeGreaterThanOrEqual(1);
    expect(avg(['KG', '01', '02', '03', '04', '05'])).toBeLessThanOrEqual(2);
    expect(avg(['06', '07', '08'])).toBeGreaterThanOrEqual(7.5);
    expect(avg(['09', '10', '11', '12'])).toBeGreaterThanOrEqual(7.5);
    const teacherSections = roles.filter((r) => r.role === 'teacher').map((r) => perUser.get(r.userSourcedId!) ?? 0);
    expect(teacherSections.filter((n) => n >= 3).length).toBeGreaterThan(teacherSections.length / 3);
    // Every class has exactly one primary teacher.
    const primaries = new Map<string, number>();
    for (const e of enrollments.filter((x) => x.role === 'teacher' && x.primary === 'true')) primaries.set(e.classSourcedId!, (primaries.get(e.classSourcedId!) ?? 0) + 1);
    const classes = (await readCsv(dir, 'classes.csv')).rows;
    expect(classes.every((c) => primaries.get(c.sourcedId!) === 1)).toBe(true);
    expect(new Set(classes.map((c) => c.classCode)).size).toBe(classes.length);

    const codes = new Set(users.map((u) => u.grades));
    for (const g of ['KG', '01', '05', '06', '08', '09', '12']) expect(codes.has(g), g).toBe(true);
  });

  it('has names that exercise transliteration and collisions', async () => {
    const users = (await readCsv(dir, 'users.csv')).rows;
    const full = users.map((u) => `${u.givenName} ${u.middleName} ${u.familyName}`);
    const some = (re: RegExp) => full.filter((n) => re.test(n)).length;
    expect(some(/\p{Script=Cyrillic}/u), 'Cyrillic').toBeGreaterThan(0);
    expect(some(/\p{Script=Han}/u), 'Han').toBeGreaterThan(0);
    expect(some(/\p{Script=Hangul}/u), 'Hangul').toBeGreaterThan(0);
    expect(some(/\p{Script=Arabic}/u), 'Arabic').toBeGreaterThan(0);
    expect(some(/[À-ɏḀ-ỿ]/u), 'Latin diacritics').toBeGreaterThan(100);
    expect(some(/['\u2019]/u), 'apostrophes').toBeGreaterThan(0);
    expect(users.some((u) => /-/.test(u.familyName!)), 'hyphenated').toBe(true);
    expect(users.some((u) => / /.test(u.familyName!)), 'multi-part surname').toBe(true);
    const seen = new Map<string, number>();
    for (const u of users) seen.set(`${u.givenName}|${u.familyName}`, (seen.get(`${u.givenName}|${u.familyName}`) ?? 0) + 1);
    expect([...seen.values()].filter((n) => n > 1).length, 'same-name people').toBeGreaterThan(10);
    expect(users.filter((u) => u.enabledUser === 'false').length).toBeGreaterThan(0);
    expect(users.every((u) => u.enabledUser === 'true' || u.enabledUser === 'false')).toBe(true);
    expect(users.filter((u) => u.preferredGivenName !== '').length).toBeGreaterThan(20);
    expect(new Set(users.map((u) => u.username)).size).toBe(users.length);
    expect(users.some((u) => u.userIds!.includes(','))).toBe(true);
  });

  it('rejects bad specs', async () => {
    await expect(generateDistrict({ ...SMALL, people: 5 }, await tmp())).rejects.toThrow(/people/);
    await expect(generateDistrict({ ...SMALL, schools: [{ code: 'A', name: 'A', level: 'high' }, { code: 'A', name: 'B', level: 'middle' }] }, await tmp())).rejects.toThrow(/duplicate school code/);
  });
});

describe('csvField', () => {
  it('quotes only what RFC 4180 requires, doubling inner quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField("O'Brien")).toBe("O'Brien");
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });
});

describe('CLI arguments', () => {
  it('takes a preset or a size, and requires --out', () => {
    expect(parseArgs(['--preset', 'maplewood', '--out', 'x']).spec.people).toBe(2000);
    expect(parseArgs(['--people=5000', '--seed', '9', '--out', 'x']).spec).toMatchObject({ people: 5000, seed: 9 });
    expect(() => parseArgs(['--preset', 'maplewood'])).toThrow(/--out/);
    expect(() => parseArgs(['--preset', 'nope', '--out', 'x'])).toThrow(/unknown preset/);
  });
});

describe('the Maplewood example', () => {
  it('regenerating the preset reproduces examples/maplewood/sis byte for byte', async () => {
    const committed = resolve(import.meta.dirname, '../../examples/maplewood/sis');
    const out = await tmp();
    const r = await generateDistrict(PRESETS.maplewood!, out);
    expect((await readdir(committed)).sort()).toEqual([...r.files].sort());
    for (const f of r.files) {
      expect((await readFile(join(out, f))).equals(await readFile(join(committed, f))), `${f} differs: run node dist/scripts/generate-district.js --preset maplewood --out examples/maplewood/sis`).toBe(true);
    }
  });

  it('matches the policy: four schools by code, the 2026-27 year', async () => {
    const committed = resolve(import.meta.dirname, '../../examples/maplewood/sis');
    const orgs = (await readCsv(committed, 'orgs.csv')).rows;
    expect(orgs.filter((o) => o.type === 'school').map((o) => o.identifier).sort()).toEqual(['CMS', 'MHS', 'MPE', 'OHE']);
    const year = (await readCsv(committed, 'academicSessions.csv')).rows.find((s) => s.type === 'schoolYear');
    expect(year).toMatchObject({ schoolYear: '2027', startDate: '2026-08-17', endDate: '2027-06-12' });
  });
});
