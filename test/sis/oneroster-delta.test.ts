import { cp, mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../engine/model/errors.js';
import type { Roster } from '../../engine/model/people.js';
import { applyDelta, readOneRosterCsv, type RosterChanges } from '../../providers/sis/oneroster-csv/index.js';

const FIX = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'oneroster');
const temps: string[] = [];
afterEach(async () => {
  for (const d of temps.splice(0)) await rm(d, { recursive: true, force: true });
});

/** The roster without where-it-came-from: line numbers differ between a bulk and a delta file. */
function comparable(r: Roster): unknown {
  return { ...r, mode: 'x', people: r.people.map(({ source: _s, ...p }) => p) };
}

/** A writable copy of a fixture set, removed after the test. */
async function fixtureCopy(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `rollcall-${name}-`));
  temps.push(dir);
  await cp(path.join(FIX, name), dir, { recursive: true });
  return dir;
}

describe('delta set applied to a bulk base', () => {
  it('upserts, removes tobedeleted records and lets the latest dateLastModified win', async () => {
    const base = (await readOneRosterCsv(path.join(FIX, 'v12-bulk'))).roster;
    const { roster } = await readOneRosterCsv(path.join(FIX, 'v12-delta'), { base });
    expect(roster.mode).toBe('delta');
    expect(roster.people.map((p) => p.sourcedId)).toEqual(['u-a1', 'u-s1', 'u-s2', 'u-s3', 'u-s4', 'u-t1']);
    const s1 = roster.people.find((p) => p.sourcedId === 'u-s1')!;
    // The 09-02 row wins although the 09-01 row comes after it.
    expect(s1.preferredGivenName).toBe('Sasha');
    expect(s1.grades).toEqual(['10']);
    expect(s1.source).toEqual({ file: 'users.csv', line: 2 });
    // Roles and enrollments the delta does not touch are kept across the user update.
    expect(s1.roles.map((r) => r.sourcedId)).toEqual(['r-s1', 'r-s1-aide']);
    expect(s1.enrollments.map((e) => e.sourcedId)).toEqual(['e-2']);
    const t1 = roster.people.find((p) => p.sourcedId === 'u-t1')!;
    expect(t1.roles.map((r) => r.sourcedId)).toEqual(['r-t1-hs', 'r-t1-es', 'r-t1-sci']);
    expect(t1.enrollments.map((e) => e.sourcedId)).toEqual(['e-1']);
    const s4 = roster.people.find((p) => p.sourcedId === 'u-s4')!;
    expect(s4.roles).toEqual([{ role: 'student', orgSourcedId: 'org-es', roleType: 'primary', beginDate: '2026-09-01', sourcedId: 'r-s4' }]);
    expect(s4.enrollments).toEqual([{ classSourcedId: 'cls-read-k', role: 'student', primary: false, beginDate: '2026-09-01', sourcedId: 'e-5' }]);
    // Untouched tables come from the base.
    expect(roster.orgs).toEqual(base.orgs);
    expect(roster.classes).toEqual(base.classes);
    // The base is not modified (applyDelta is pure).
    expect(base.people.find((p) => p.sourcedId === 'u-s1')!.preferredGivenName).toBe('Lex');
  });

  it('reports a delta record pointing at a user neither the base nor the delta has', async () => {
    const base = (await readOneRosterCsv(path.join(FIX, 'v12-bulk'))).roster;
    const dir = await fixtureCopy('v12-delta');
    const roles = await readFile(path.join(dir, 'roles.csv'), 'utf8');
    await writeFile(path.join(dir, 'roles.csv'), roles.replace('u-t1,secondary', 'u-ghost,secondary'));
    const err = await readOneRosterCsv(dir, { base }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    const d = (err as InputError).diagnostics.find((x) => x.code === 'oneroster.dangling-ref');
    expect(d?.source).toEqual({ file: 'roles.csv', line: 4, column: 4 });
    expect(d?.summary).toContain('u-ghost');
  });

  it('a bulk set read with a base (a zip is offered one) must still have orgs.csv and users.csv', async () => {
    const base = (await readOneRosterCsv(path.join(FIX, 'v12-bulk'))).roster;
    const dir = await fixtureCopy('v12-bulk');
    await rm(path.join(dir, 'users.csv'));
    const manifest = await readFile(path.join(dir, 'manifest.csv'), 'utf8');
    await writeFile(path.join(dir, 'manifest.csv'), manifest.replace(/file\.users,bulk/, 'file.users,absent'));
    const err = await readOneRosterCsv(dir, { base }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).diagnostics.map((d) => d.code)).toContain('oneroster.missing-file');
  });

  it('applyDelta: a bulk table replaces, a delta table merges; row order does not matter', () => {
    const base: Roster = {
      sourceFormat: 'oneroster-1.2-csv',
      mode: 'bulk',
      orgs: [{ sourcedId: 'o1', name: 'One', type: 'school', identifier: '1' }],
      people: [],
      classes: [],
      academicSessions: [],
    };
    const rec = (id: string, status: 'active' | 'tobedeleted', dlm: string, name?: string) => ({
      sourcedId: id,
      status,
      dateLastModified: dlm,
      source: { file: 'orgs.csv', line: 1 },
      ...(name ? { value: { sourcedId: id, name, type: 'school', identifier: id } } : {}),
    });
    const rows = [rec('o2', 'active', '2026-01-02', 'Two v2'), rec('o2', 'active', '2026-01-01', 'Two v1'), rec('o1', 'tobedeleted', '2026-01-01')];
    const delta = (records: typeof rows): RosterChanges => ({ sourceFormat: 'oneroster-1.2-csv', rolesFromUsers: false, orgs: { mode: 'delta', records } });
    const a = applyDelta(base, delta(rows));
    const b = applyDelta(base, delta([...rows].reverse()));
    expect(a).toEqual(b);
    expect(a.orgs.map((o) => `${o.sourcedId}:${o.name}`)).toEqual(['o2:Two v2']);
    const bulk = applyDelta(base, { sourceFormat: 'oneroster-1.2-csv', rolesFromUsers: false, orgs: { mode: 'bulk', records: [rec('o3', 'active', '', 'Three')] } });
    expect(bulk.orgs.map((o) => o.sourcedId)).toEqual(['o3']);
    expect(base.orgs.map((o) => o.sourcedId)).toEqual(['o1']);
  });
});

// ---- property: bulk(A) + delta(A->B) == bulk(B) ----

interface User { given: string; family: string; grade: string; enabled: boolean; pref: string; school: 'S1' | 'S2'; role: 'student' | 'teacher'; second: boolean }
interface World { users: Map<string, User>; classes: Map<string, { title: string; school: 'S1' | 'S2' }>; enrollments: Map<string, { user: string; cls: string }> }

const USER_IDS = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7'];
const CLASS_IDS = ['c0', 'c1', 'c2'];

const userArb: fc.Arbitrary<User> = fc.record({
  given: fc.constantFrom('Ana', 'Bo', 'Chloé', 'Dmitri', 'Eun-ji'),
  family: fc.constantFrom('Ng', "O'Neil", 'Smith, Jr', 'Łukasz', 'Quote"Name'),
  grade: fc.constantFrom('KG', '01', '09', '12'),
  enabled: fc.boolean(),
  pref: fc.constantFrom('', 'Sam', 'Lex'),
  school: fc.constantFrom('S1' as const, 'S2' as const),
  role: fc.constantFrom('student' as const, 'teacher' as const),
  second: fc.boolean(),
});

const worldArb: fc.Arbitrary<World> = fc
  .record({
    users: fc.array(fc.option(userArb, { nil: undefined }), { minLength: USER_IDS.length, maxLength: USER_IDS.length }),
    classes: fc.array(fc.option(fc.record({ title: fc.constantFrom('Math', 'Art, Music'), school: fc.constantFrom('S1' as const, 'S2' as const) }), { nil: undefined }), {
      minLength: CLASS_IDS.length,
      maxLength: CLASS_IDS.length,
    }),
    enrolled: fc.array(fc.boolean(), { minLength: USER_IDS.length * CLASS_IDS.length, maxLength: USER_IDS.length * CLASS_IDS.length }),
  })
  .map(({ users, classes, enrolled }) => {
    const w: World = { users: new Map(), classes: new Map(), enrollments: new Map() };
    users.forEach((u, i) => u && w.users.set(USER_IDS[i]!, u));
    classes.forEach((c, i) => c && w.classes.set(CLASS_IDS[i]!, c));
    USER_IDS.forEach((u, i) =>
      CLASS_IDS.forEach((c, j) => {
        if (enrolled[i * CLASS_IDS.length + j] && w.users.has(u) && w.classes.has(c)) w.enrollments.set(`e-${u}-${c}`, { user: u, cls: c });
      }),
    );
    return w;
  });

const q = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const line = (cells: string[]) => cells.map(q).join(',');

const H = {
  users: 'sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,resourceSourcedIds,preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns',
  roles: 'sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId',
  classes: 'sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods',
  enrollments: 'sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate',
};

type Rows = Record<'users' | 'roles' | 'classes' | 'enrollments', Map<string, string[]>>;

/** Every record of a world as CSV cells after sourcedId/status/dateLastModified. */
function rowsOf(w: World): Rows {
  const rows: Rows = { users: new Map(), roles: new Map(), classes: new Map(), enrollments: new Map() };
  for (const [id, u] of w.users) {
    rows.users.set(id, [String(u.enabled), id, '', u.given, u.family, '', id.toUpperCase(), `${id}@x.example`, '', '', '', u.role === 'student' ? u.grade : '', '', '', '', u.pref, '', '', u.school, '']);
    rows.roles.set(`r-${id}`, [id, 'primary', u.role, '', '', u.school, '']);
    if (u.second) rows.roles.set(`r-${id}-2`, [id, 'secondary', 'aide', '', '', 'D', '']);
  }
  for (const [id, c] of w.classes) rows.classes.set(id, [c.title, '', '', id.toUpperCase(), 'scheduled', '', c.school, 'T1', '', '', '']);
  for (const [id, e] of w.enrollments) rows.enrollments.set(id, [e.cls, w.classes.get(e.cls)!.school, e.user, w.users.get(e.user)!.role === 'teacher' ? 'teacher' : 'student', 'false', '', '']);
  return rows;
}

const MANIFEST = (mode: 'bulk' | 'delta') =>
  ['propertyName,value', 'manifest.version,1.0', 'oneroster.version,1.2', `file.orgs,${mode === 'bulk' ? 'bulk' : 'absent'}`, `file.academicSessions,${mode === 'bulk' ? 'bulk' : 'absent'}`,
    `file.classes,${mode}`, `file.users,${mode}`, `file.roles,${mode}`, `file.enrollments,${mode}`, 'file.courses,absent', 'file.demographics,absent'].join('\n') + '\n';

async function writeBulk(dir: string, w: World): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'manifest.csv'), MANIFEST('bulk'));
  await writeFile(path.join(dir, 'orgs.csv'), 'sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\nD,,,District,district,D,\nS1,,,School 1,school,S1,D\nS2,,,School 2,school,S2,D\n');
  await writeFile(path.join(dir, 'academicSessions.csv'), 'sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear\nT1,,,Term,term,2026-08-20,2027-06-18,,2027\n');
  const rows = rowsOf(w);
  for (const t of ['users', 'roles', 'classes', 'enrollments'] as const) {
    // Rows in reverse order: the roster must not depend on it.
    const body = [...rows[t]].reverse().map(([id, cells]) => line([id, '', '', ...cells]) + '\n').join('');
    await writeFile(path.join(dir, `${t}.csv`), H[t] + '\n' + body);
  }
}

/** The delta from A to B: changed and new records active, vanished ones tobedeleted, plus stale older versions. */
async function writeDelta(dir: string, a: World, b: World, staleFirst: boolean): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'manifest.csv'), MANIFEST('delta'));
  const ra = rowsOf(a);
  const rb = rowsOf(b);
  for (const t of ['users', 'roles', 'classes', 'enrollments'] as const) {
    const out: string[] = [];
    for (const [id, cells] of rb[t]) {
      const old = ra[t].get(id);
      if (old && old.join('\0') === cells.join('\0')) continue;
      const fresh = line([id, 'active', '2026-09-02T10:00:00.000Z', ...cells]);
      // An older version of the record, earlier dateLastModified: must lose whatever its position.
      const stale = line([id, 'active', '2026-09-01T10:00:00.000Z', ...(old ?? cells).map((c, k) => (k === 3 && t === 'users' ? c + 'OLD' : c))]);
      out.push(...(staleFirst ? [stale, fresh] : [fresh, stale]));
    }
    for (const id of ra[t].keys()) if (!rb[t].has(id)) out.push(line([id, 'tobedeleted', '2026-09-02T10:00:00.000Z', ...H[t].split(',').slice(3).map(() => '')]));
    await writeFile(path.join(dir, `${t}.csv`), H[t] + '\n' + out.map((l) => l + '\n').join(''));
  }
}

describe('property: a delta after a bulk equals the equivalent bulk', () => {
  it('bulk(A) + delta(A->B) == bulk(B)', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'rollcall-prop-'));
    temps.push(root);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(worldArb, worldArb, fc.boolean(), async (a, b, staleFirst) => {
        const dir = path.join(root, String(n++));
        await writeBulk(path.join(dir, 'a'), a);
        await writeBulk(path.join(dir, 'b'), b);
        await writeDelta(path.join(dir, 'd'), a, b, staleFirst);
        const base = (await readOneRosterCsv(path.join(dir, 'a'))).roster;
        const want = (await readOneRosterCsv(path.join(dir, 'b'))).roster;
        const got = await readOneRosterCsv(path.join(dir, 'd'), { base });
        expect(got.roster.mode).toBe('delta');
        expect(comparable(got.roster)).toEqual(comparable(want));
      }),
      { numRuns: 40 },
    );
  });
});
