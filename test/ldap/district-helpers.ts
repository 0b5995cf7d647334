import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import type { PlanDocument } from '../../engine/model/plan.js';
import { runApply, type ApplyReport } from '../../engine/run/apply-run.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { CredentialStore, type CredentialRecord } from '../../engine/secrets/credential-store.js';
import { generateDistrict, PRESETS } from '../../scripts/generate-district.js';
import { col, peopleWithRole, readCsv, removePeople, scratchDistrict, writeCsv } from '../helpers/district.js';

/**
 * The example district, end to end against a real directory (issue #5 acceptance): a scratch
 * copy of examples/maplewood with a small generated roster, one ldap target pointed at a test
 * server, and helpers to run plan/apply and inspect the directory with ldapts directly.
 */

export const NOW = '2026-10-01T12:00:00.000Z';
export const LATER = '2026-10-02T12:00:00.000Z';
export const LATEST = '2026-10-03T12:00:00.000Z';

/** A scratch Maplewood with `people` generated people (same schools and codes as the example). */
export async function smallDistrict(prefix: string, people: number, groupPrefix = ''): Promise<string> {
  const dir = scratchDistrict(prefix);
  if (groupPrefix) {
    // AD group names (sAMAccountName) are unique domain-wide, and the test DC is shared with
    // other files that also make e.g. `mhs-students`: prefix every group name rule.
    const file = join(dir, 'policy', 'groups.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^(\s+name: ")/gm, `$1${groupPrefix}`));
  }
  rmSync(join(dir, 'sis'), { recursive: true, force: true });
  await generateDistrict({ ...PRESETS.maplewood!, people }, join(dir, 'sis'));
  return dir;
}

/** Replace (or add) target `name` in the scratch rollcall.yaml; other targets are left as they are. */
export function setTarget(dir: string, name: string, settings: Record<string, unknown>): void {
  const file = join(dir, 'rollcall.yaml');
  const doc = parseDocument(readFileSync(file, 'utf8'));
  doc.setIn(['targets', name], doc.createNode(settings));
  writeFileSync(file, doc.toString());
}

export interface DistrictRun {
  dir: string;
  target: string;
  env: NodeJS.ProcessEnv;
  credentials: CredentialStore;
}

/** A run context: env carries the bind credentials; initial passwords go to a store with a test key. */
export function districtRun(dir: string, target: string, bind: Record<string, string>): DistrictRun {
  const key = randomBytes(32);
  return { dir, target, env: { ...process.env, ...bind }, credentials: new CredentialStore(join(dir, '.rollcall', 'secrets'), key) };
}

export async function plan(run: DistrictRun, now: string): Promise<PlanDocument> {
  return (await runPlan({ dir: run.dir, now, targets: [run.target], env: run.env })).plan;
}

export async function apply(run: DistrictRun, p: PlanDocument, now: string): Promise<ApplyReport> {
  return runApply({ dir: run.dir, plan: p, accept: [], now: () => now, actor: 'test', lockTimeoutMs: 0, targets: [run.target], env: run.env, credentials: run.credentials });
}

export function credentialFor(run: DistrictRun, anchor: string): CredentialRecord | undefined {
  return run.credentials.readAll().filter((r) => r.anchor === anchor && r.target === run.target).at(-1);
}

/**
 * The memberships the plans asked for: start empty and replay every planned membership
 * change (add/remove, aggregated per group) in order. Group -> member anchors.
 */
export class MembershipModel {
  readonly groups = new Map<string, Set<string>>();

  replay(p: PlanDocument): void {
    for (const c of p.changes) {
      if (c.kind === 'group' && c.action === 'create' && !this.groups.has(c.key)) this.groups.set(c.key, new Set());
      if (c.kind !== 'membership') continue;
      const group = c.key.replace(/#unmanaged$/, '');
      const set = this.groups.get(group) ?? new Set<string>();
      this.groups.set(group, set);
      for (const m of c.members ?? []) {
        if (!m.anchor) continue;
        if (c.action === 'add') set.add(m.anchor);
        else if (c.action === 'remove') set.delete(m.anchor);
      }
    }
  }

  sorted(): Record<string, string[]> {
    return Object.fromEntries([...this.groups].sort(([a], [b]) => (a < b ? -1 : 1)).map(([g, s]) => [g, [...s].sort()]));
  }
}

/** An admin connection to the test directory. */
export async function adminClient(url: string, caPem: string, dn: string, password: string): Promise<Client> {
  const c = new Client({ url, tlsOptions: { ca: caPem }, timeout: 30_000 });
  await c.bind(dn, password);
  return c;
}

/**
 * Every group under `groupsBase` with its members as anchor values (read straight from the
 * directory, not through the provider). Members without the anchor attribute (e.g. the
 * openldap empty-group placeholder) are left out.
 */
export async function directoryGroups(c: Client, groupsBase: string, usersBase: string, groupClass: string, anchorAttr: string): Promise<Record<string, string[]>> {
  const people = await c.search(usersBase, { scope: 'sub', filter: `(${anchorAttr}=*)`, attributes: [anchorAttr], paged: { pageSize: 500 } });
  const anchorOf = new Map(people.searchEntries.map((e) => [e.dn.toLowerCase(), String(e[anchorAttr])]));
  const groups = await c.search(groupsBase, { scope: 'sub', filter: `(objectClass=${groupClass})`, attributes: ['cn', 'member'], paged: { pageSize: 500 } });
  const out: Record<string, string[]> = {};
  for (const g of groups.searchEntries) {
    const members = ([] as string[]).concat((g.member as string | string[] | undefined) ?? []);
    out[String(g.cn)] = members.map((m) => anchorOf.get(m.toLowerCase())).filter((a): a is string => a !== undefined).sort();
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Students per school from the SIS files: the `school-students` rule, computed independently. */
export function studentsBySchool(sisDir: string): Map<string, string[]> {
  const orgs = readCsv(join(sisDir, 'orgs.csv'));
  const code = new Map(orgs.rows.map((r) => [r[col(orgs, 'sourcedId')]!, r[col(orgs, 'identifier')]!]));
  const users = readCsv(join(sisDir, 'users.csv'));
  const enabled = new Set(users.rows.filter((r) => r[col(users, 'enabledUser')] === 'true').map((r) => r[col(users, 'sourcedId')]!));
  const roles = readCsv(join(sisDir, 'roles.csv'));
  const out = new Map<string, string[]>();
  for (const r of roles.rows) {
    const id = r[col(roles, 'userSourcedId')]!;
    if (r[col(roles, 'role')] !== 'student' || !enabled.has(id)) continue;
    const school = code.get(r[col(roles, 'orgSourcedId')]!)!;
    out.set(school, [...(out.get(school) ?? []), id]);
  }
  for (const [k, v] of out) out.set(k, [...new Set(v)].sort());
  return out;
}

/** The rows of `files` that mention `ids`, to put back later (re-enrollment). */
export function snapshotRows(sisDir: string, ids: ReadonlySet<string>): Record<string, string[][]> {
  const out: Record<string, string[][]> = {};
  for (const [f, key] of [['users.csv', 'sourcedId'], ['roles.csv', 'userSourcedId'], ['enrollments.csv', 'userSourcedId']] as const) {
    const t = readCsv(join(sisDir, f));
    out[f] = t.rows.filter((r) => ids.has(r[col(t, key)]!));
  }
  return out;
}

export function restoreRows(sisDir: string, rows: Record<string, string[][]>): void {
  for (const [f, extra] of Object.entries(rows)) {
    const t = readCsv(join(sisDir, f));
    t.rows.push(...extra);
    writeCsv(join(sisDir, f), t);
  }
}

/**
 * Enroll a new student by copying a template student's rows under a fresh sourcedId and
 * name (same school, grade and sections). Returns the new sourcedId.
 */
export function enrollCopyOf(sisDir: string, template: string, names: { givenName: string; familyName: string }): string {
  const id = `new-${randomBytes(6).toString('hex')}`;
  const rows = snapshotRows(sisDir, new Set([template]));
  const users = readCsv(join(sisDir, 'users.csv'));
  const u = rows['users.csv']![0]!.slice();
  u[col(users, 'sourcedId')] = id;
  u[col(users, 'givenName')] = names.givenName;
  u[col(users, 'familyName')] = names.familyName;
  u[col(users, 'identifier')] = String(9_000_000 + (parseInt(id.slice(-5), 16) % 999_999));
  for (const c of ['username', 'userIds', 'email', 'userMasterIdentifier', 'preferredGivenName', 'preferredFamilyName', 'preferredMiddleName', 'middleName']) {
    const i = users.header.indexOf(c);
    if (i >= 0) u[i] = '';
  }
  const roles = readCsv(join(sisDir, 'roles.csv'));
  const enr = readCsv(join(sisDir, 'enrollments.csv'));
  restoreRows(sisDir, {
    'users.csv': [u],
    'roles.csv': rows['roles.csv']!.map((r, i) => r.map((v, j) => (j === col(roles, 'userSourcedId') ? id : j === col(roles, 'sourcedId') ? `${id}-rol-${i}` : v))),
    'enrollments.csv': rows['enrollments.csv']!.map((r, i) => r.map((v, j) => (j === col(enr, 'userSourcedId') ? id : j === col(enr, 'sourcedId') ? `${id}-enr-${i}` : v))),
  });
  return id;
}

/** Student sourcedIds with the given grades, in file order. */
export function studentsInGrades(sisDir: string, grades: readonly string[]): string[] {
  const users = readCsv(join(sisDir, 'users.csv'));
  const roles = readCsv(join(sisDir, 'roles.csv'));
  const students = new Set(roles.rows.filter((r) => r[col(roles, 'role')] === 'student').map((r) => r[col(roles, 'userSourcedId')]!));
  return users.rows
    .filter((r) => students.has(r[col(users, 'sourcedId')]!) && r[col(users, 'enabledUser')] === 'true' && grades.includes(r[col(users, 'grades')]!))
    .map((r) => r[col(users, 'sourcedId')]!);
}

/** Bind as a user: null on success, else the server's message (closing the socket either way). */
export async function bindError(url: string, caPem: string, dn: string, password: string): Promise<string | null> {
  const c = new Client({ url, tlsOptions: { ca: caPem }, timeout: 10_000 });
  try {
    await c.bind(dn, password);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await c.unbind().catch(() => undefined);
  }
}

/** What differs between the profiles, for the shared acceptance flow below. */
export interface DirectoryFacts {
  /** The object's stable id as the profile defines it (objectGUID / entryUUID), as text. */
  id: string;
  enabled: boolean;
  dn: string;
  /** openldap: the `{SCHEME}` prefixes of userPassword values. */
  passwordSchemes?: string[];
}

export interface ProfileProbe {
  anchorAttr: string;
  groupClass: string;
  /** Look an account up by anchor, straight from the directory. */
  facts(c: Client, base: string, anchor: string): Promise<DirectoryFacts | null>;
}

export interface AcceptanceOptions {
  target: string;
  /** Starts (or finds) the server; returns the target settings, the admin bind and a stop hook. */
  server(): Promise<{ settings: Record<string, unknown>; url: string; caPem: string; bindDN: string; bindPassword: string; stop?: () => Promise<void> }>;
  probe: ProfileProbe;
  /** Prefix for every group name (see smallDistrict); '' keeps the example's names. */
  groupPrefix?: string;
  /** How many people the generated district has. */
  people: number;
  /** Checks on the new students' binds: young (no change at next logon) and older. */
  checkBinds(bind: (anchor: string, password: string) => Promise<string | null>, facts: (anchor: string) => Promise<DirectoryFacts>, young: string, older: string, run: DistrictRun): Promise<void>;
  /** Extra checks after the first apply (e.g. readIncremental), given the run. */
  afterFirstApply?(run: DistrictRun, admin: Client): Promise<void>;
  log: (line: string) => void;
}

/**
 * Issue #5's acceptance flow for the example district on a real directory:
 * plan -> apply -> plan is empty; withdrawing students disables and moves them; re-enrolling
 * restores the same objects; a new student binds with the initial password; group
 * memberships match the rules.
 */
export function districtAcceptance(o: AcceptanceOptions): void {
  let dir: string;
  let run: DistrictRun;
  let admin: Client;
  let stop: (() => Promise<void>) | undefined;
  let baseDN: string;
  let url: string;
  let caPem: string;
  const model = new MembershipModel();
  const withdrawn: string[] = [];
  const before = new Map<string, DirectoryFacts>();
  const timings: Record<string, number> = {};
  const time = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    try {
      return await f();
    } finally {
      timings[name] = Date.now() - t;
    }
  };
  const facts = async (anchor: string): Promise<DirectoryFacts> => {
    const f = await o.probe.facts(admin, baseDN, anchor);
    expect(f, `no entry with anchor ${anchor}`).not.toBeNull();
    return f!;
  };

  beforeAll(async () => {
    const s = await o.server();
    stop = s.stop;
    url = s.url;
    caPem = s.caPem;
    baseDN = String(s.settings.baseDN);
    dir = await smallDistrict(`rollcall-${o.target}-`, o.people, o.groupPrefix);
    setTarget(dir, o.target, s.settings);
    run = districtRun(dir, o.target, { ROLLCALL_TEST_BIND_DN: s.bindDN, ROLLCALL_TEST_BIND_PASSWORD: s.bindPassword });
    admin = await adminClient(url, caPem, s.bindDN, s.bindPassword);
  });

  afterAll(async () => {
    await admin?.unbind().catch(() => undefined);
    await stop?.();
    o.log(`${o.target} timings (ms): ${JSON.stringify(timings)}`);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('plan -> apply -> plan reports no changes; memberships match the rules', async () => {
    const first = await time('plan1', () => plan(run, NOW));
    const creates = first.changes.filter((c) => c.kind === 'account' && c.action === 'create');
    expect(creates.length).toBeGreaterThan(o.people * 0.8);
    expect(first.safety.ok).toBe(true);
    const report = await time('apply1', () => apply(run, first, NOW));
    expect(report.failed).toEqual([]);
    expect(report.applied).toBe(first.summary.total);
    o.log(`${o.target}: ${creates.length} accounts, ${first.summary.total} changes applied in ${timings.apply1} ms (${(creates.length / (timings.apply1! / 1000)).toFixed(1)} accounts/s incl. groups)`);
    model.replay(first);
    const again = await time('plan2', () => plan(run, LATER));
    expect(again.changes).toEqual([]);
    await expectGroups();
    await o.afterFirstApply?.(run, admin);
  });

  it('withdrawing students disables them and moves them to the Inactive OU', async () => {
    const sis = join(dir, 'sis');
    // Older students (grade 06+) so the re-enrollment and new-student steps can use young ones.
    const older = studentsInGrades(sis, ['06', '07', '08', '09', '10', '11', '12']);
    withdrawn.push(...older.filter((_, i) => i % 7 === 3).slice(0, 3));
    expect(withdrawn).toHaveLength(3);
    for (const a of withdrawn) before.set(a, await facts(a));
    const rows = snapshotRows(sis, new Set(withdrawn));
    writeFileSync(join(dir, 'withdrawn.json'), JSON.stringify(rows));
    removePeople(sis, new Set(withdrawn));
    const p = await plan(run, LATER);
    const disables = p.changes.filter((c) => c.action === 'disable');
    const moves = p.changes.filter((c) => c.action === 'move');
    expect(disables.map((c) => c.anchor).sort()).toEqual([...withdrawn].sort());
    expect(moves.map((c) => [c.anchor, c.after?.path])).toEqual(expect.arrayContaining(withdrawn.map((a) => [a, 'Inactive/Students'])));
    expect(moves).toHaveLength(3);
    const report = await time('apply-withdraw', () => apply(run, p, LATER));
    expect(report.failed).toEqual([]);
    model.replay(p);
    for (const a of withdrawn) {
      const f = await facts(a);
      expect(f.enabled).toBe(false);
      expect(f.id).toBe(before.get(a)!.id);
      expect(f.dn.toLowerCase()).toMatch(/^[^,]+,ou=students,ou=inactive,/);
      const cred = credentialFor(run, a);
      expect(cred?.password).toBeTruthy();
      expect(await bindError(url, caPem, f.dn, cred!.password), 'a disabled account must not bind').not.toBeNull();
    }
    expect((await plan(run, LATER)).changes).toEqual([]);
  });

  it('re-enrolling them restores the same objects, enabled, in their old OUs', async () => {
    const sis = join(dir, 'sis');
    restoreRows(sis, JSON.parse(readFileSync(join(dir, 'withdrawn.json'), 'utf8')) as Record<string, string[][]>);
    const p = await plan(run, LATER);
    expect(p.changes.filter((c) => c.kind === 'account' && c.action === 'create')).toEqual([]);
    expect(p.changes.filter((c) => c.action === 'enable').map((c) => c.anchor).sort()).toEqual([...withdrawn].sort());
    const report = await time('apply-reenroll', () => apply(run, p, LATER));
    expect(report.failed).toEqual([]);
    model.replay(p);
    for (const a of withdrawn) {
      const f = await facts(a);
      const was = before.get(a)!;
      expect(f.id).toBe(was.id);
      expect(f.enabled).toBe(true);
      expect(f.dn.toLowerCase()).toBe(was.dn.toLowerCase());
    }
    expect((await plan(run, LATER)).changes).toEqual([]);
  });

  it('new students can bind with their initial passwords', async () => {
    const sis = join(dir, 'sis');
    const youngTemplate = studentsInGrades(sis, ['KG', '01', '02'])[0]!;
    const olderTemplate = studentsInGrades(sis, ['09', '10', '11', '12'])[0]!;
    const young = enrollCopyOf(sis, youngTemplate, { givenName: 'Quinby', familyName: 'Newstart' });
    const older = enrollCopyOf(sis, olderTemplate, { givenName: 'Ravel', familyName: 'Latecomer' });
    const p = await plan(run, LATEST);
    expect(p.changes.filter((c) => c.kind === 'account').map((c) => `${c.anchor}:${c.action}`).sort()).toEqual([`${older}:create`, `${young}:create`].sort());
    const report = await time('apply-new', () => apply(run, p, LATEST));
    expect(report.failed).toEqual([]);
    model.replay(p);
    const bind = async (anchor: string, password: string): Promise<string | null> => bindError(url, caPem, (await facts(anchor)).dn, password);
    await o.checkBinds(bind, facts, young, older, run);
    expect((await plan(run, LATEST)).changes).toEqual([]);
  });

  it('group memberships still match the rules after all of that', async () => {
    await expectGroups();
    expect(peopleWithRole(join(dir, 'sis'), 'student').length).toBeGreaterThan(0);
  });

  async function expectGroups(): Promise<void> {
    const s = (await plan(run, LATEST)).changes.length;
    expect(s).toBe(0);
    const settings = parseDocument(readFileSync(join(dir, 'rollcall.yaml'), 'utf8')).getIn(['targets', o.target]) as { get(k: string): unknown };
    const groupsBase = `${String(settings.get('groupsBase'))},${baseDN}`;
    const usersBase = `${String(settings.get('usersBase'))},${baseDN}`;
    const actual = await directoryGroups(admin, groupsBase, usersBase, o.probe.groupClass, o.probe.anchorAttr);
    // Every group the plans made holds exactly the members the plans asked for...
    expect(actual).toEqual(model.sorted());
    // ...and, computed from the SIS files alone, each school's students group holds its students.
    const bySchool = studentsBySchool(join(dir, 'sis'));
    expect(bySchool.size).toBeGreaterThan(1);
    for (const [school, students] of bySchool) expect(actual[`${o.groupPrefix ?? ''}${school.toLowerCase()}-students`], school).toEqual(students);
  }
}
