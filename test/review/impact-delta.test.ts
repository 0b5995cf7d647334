import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runImpact } from '../../engine/impact/run-impact.js';
import { runVerify } from '../../engine/impact/run-verify.js';
import { runExplain } from '../../engine/explain/run-explain.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { runPasswordSheet } from '../../engine/secrets/run-passwords.js';
import { col, peopleWithRole, readCsv, writeCsv } from '../helpers/district.js';
import { applyPlan, changeStudentNaming, commitAll, editFile, gitDistrict } from './helpers.js';

/**
 * `plan --base` and `impact verify` read their inputs as `plan` does. A district whose SIS
 * sends OneRoster delta sets reviews policy changes like any other: `plan --base`, `impact
 * verify`, `explain` and `passwords` read the delta over the roster last applied (each used
 * to read it as a whole export and fail), and a head plan saved for apply keeps its roster
 * for the next delta. An apply killed before it wrote state is folded in, and `--adopt`
 * holds back disables in both plans.
 */

const NOW = '2026-10-01T12:00:00.000Z';
const LATER = '2026-10-02T12:00:00.000Z';

describe('plan --base and impact verify read inputs as plan does', { timeout: 240_000 }, () => {
  it('read the delta over the last applied roster, and see what it changed', async () => {
    const dir = await gitDistrict('rollcall-impact-delta-');
    const first = await runPlan({ dir, now: NOW, saveSisSnapshot: true });
    expect((await applyPlan(dir, first.plan, NOW)).failed).toEqual([]);

    // The delta: one student's family name changes.
    const users = readCsv(join(dir, 'sis', 'users.csv'));
    const renamed = [...new Set(peopleWithRole(join(dir, 'sis'), 'student'))][0]!;
    const row = [...users.rows.find((r) => r[col(users, 'sourcedId')] === renamed)!];
    row[col(users, 'familyName')] = 'Deltafamily';
    row[col(users, 'status')] = 'active';
    row[col(users, 'dateLastModified')] = '2026-10-02T08:00:00Z';
    const delta = join(dir, 'delta');
    mkdirSync(delta);
    const absent = ['academicSessions', 'classes', 'courses', 'demographics', 'enrollments', 'orgs', 'roles'];
    writeFileSync(join(delta, 'manifest.csv'), ['propertyName,value', 'manifest.version,1.0', 'oneroster.version,1.2', ...absent.map((f) => `file.${f},absent`), 'file.users,delta', ''].join('\n'));
    writeCsv(join(delta, 'users.csv'), { header: users.header, rows: [row] });

    changeStudentNaming(dir);
    await commitAll(dir, 'students: new username template, rename on');
    const run = await runImpact({ dir, now: LATER, base: 'main~1', sis: delta });
    const plain = await runPlan({ dir, now: LATER, sis: delta });
    expect(run.headPlan.inputs.sis_digest).toBe(plain.plan.inputs.sis_digest);
    expect(run.headPlan.inputs.sis_people).toBe(first.plan.inputs.sis_people);
    // The base plan carries the delta's own change; the policy change renames students.
    expect(run.basePlan.changes.filter((c) => c.kind === 'account').map((c) => `${c.anchor}:${c.action}`)).toEqual([`${renamed}:update`]);
    expect(run.impact.entries.some((e) => e.action === 'rename')).toBe(true);

    const { report } = await runVerify({ dir, now: LATER, approved: run.impact, sis: delta, accept: [] });
    expect(report.ok).toBe(true);

    const why = await runExplain(renamed, { dir, now: LATER, sis: delta });
    expect(JSON.stringify(why)).toContain('Deltafamily');

    const enrollments = readCsv(join(dir, 'sis', 'enrollments.csv'));
    const cls = enrollments.rows.find((r) => r[col(enrollments, 'userSourcedId')] === renamed)![col(enrollments, 'classSourcedId')]!;
    const sheet = await runPasswordSheet(cls, { dir, sis: delta, env: { ROLLCALL_CREDENTIALS_KEY: Buffer.alloc(32, 7).toString('base64') } });
    expect(sheet.rows.find((r) => r.anchor === renamed)?.displayName).toMatch(/Deltafamily/);
    await expect(runPasswordSheet(cls, { dir, sis: delta, target: 'sandbx', env: { ROLLCALL_CREDENTIALS_KEY: Buffer.alloc(32, 7).toString('base64') } })).rejects.toThrow(/no target "sandbx"/);
  });

  it('a head plan saved for apply keeps its roster: the next delta set reads over it', async () => {
    const dir = await gitDistrict('rollcall-impact-delta-out-');
    const first = await runPlan({ dir, now: NOW, saveSisSnapshot: true });
    expect((await applyPlan(dir, first.plan, NOW)).failed).toEqual([]);
    const delta1 = familyNameDelta(dir, 'delta1', 'Firstdelta');
    const saved = await runImpact({ dir, now: LATER, base: 'main', sis: delta1, saveSisSnapshot: true });
    expect((await applyPlan(dir, saved.headPlan, LATER)).failed).toEqual([]);
    const delta2 = familyNameDelta(dir, 'delta2', 'Seconddelta');
    const next = await runPlan({ dir, now: '2026-10-03T12:00:00.000Z', sis: delta2 });
    // Read over the roster the saved head plan kept: the account holds delta1's name.
    const updates = next.plan.changes.filter((c) => c.kind === 'account' && c.action === 'update');
    expect(updates.map((c) => [c.before?.familyName, c.after?.familyName])).toEqual([['Firstdelta', 'Seconddelta']]);
  });

  it('prints the population alike whether or not the head plan is saved (record ids kept or not)', async () => {
    const dir = await gitDistrict('rollcall-impact-population-');
    const first = await runPlan({ dir, now: NOW });
    expect((await applyPlan(dir, first.plan, NOW)).failed).toEqual([]);
    changeStudentNaming(dir);
    await commitAll(dir, 'students: new username template, rename on');
    const shown = await runImpact({ dir, now: LATER, base: 'main~1' });
    const saved = await runImpact({ dir, now: LATER, base: 'main~1', saveSisSnapshot: true });
    expect(saved.roster.people.some((p) => p.enrollments.some((e) => e.sourcedId))).toBe(true);
    expect(shown.roster.people.some((p) => p.enrollments.some((e) => e.sourcedId))).toBe(false);
    expect(saved.impact.population).toEqual(shown.impact.population);
    // Approved with the plan saved (plan.yml), verified without saving: the same people.
    const { report } = await runVerify({ dir, now: LATER, approved: saved.impact, accept: [] });
    expect(report.reported).toMatchObject({ joined: 0, left: 0, changed: 0 });
  });

  it('folds in an apply killed before it wrote state, as plan does', async () => {
    const dir = await gitDistrict('rollcall-impact-journal-');
    const first = await runPlan({ dir, now: NOW });
    expect((await applyPlan(dir, first.plan, NOW)).failed).toEqual([]);
    // The journal holds every result; state, as if the apply died before writing it, does not.
    rmSync(join(dir, '.rollcall', 'state.json'));
    const plain = await runPlan({ dir, now: LATER });
    const run = await runImpact({ dir, now: LATER, base: 'main' });
    expect(run.headPlan.changes.length).toBeLessThan(first.plan.changes.length / 10);
    expect(run.headPlan.changes.map((c) => c.id)).toEqual(plain.plan.changes.map((c) => c.id));
  });

  it('--target may name a target the pull request adds: the base plans the ones it has', async () => {
    const dir = await gitDistrict('rollcall-impact-newtarget-');
    editFile(dir, 'rollcall.yaml', (t) => t.replace(/^targets:\n/m, 'targets:\n  lab:\n    provider: sandbox\n    path: .rollcall/lab\n'));
    await commitAll(dir, 'a second sandbox directory');
    const run = await runImpact({ dir, now: NOW, base: 'main~1', targets: ['lab'] });
    expect(run.basePlan.changes).toEqual([]);
    expect(run.impact.entries.length).toBeGreaterThan(1000);
    expect(new Set(run.impact.entries.map((e) => `${e.change} ${e.target}`))).toEqual(new Set(['added lab']));
    await expect(runImpact({ dir, now: NOW, base: 'main~1', targets: ['labb'] })).rejects.toThrow(/--target labb: no such target/);
  });

  it('--adopt holds back disables in both plans, as plan --adopt does', async () => {
    const dir = await gitDistrict('rollcall-impact-adopt-');
    const first = await runPlan({ dir, now: NOW });
    expect((await applyPlan(dir, first.plan, NOW)).failed).toEqual([]);
    const users = readCsv(join(dir, 'sis', 'users.csv'));
    const gone = [...new Set(peopleWithRole(join(dir, 'sis'), 'student'))][0]!;
    users.rows = users.rows.filter((r) => r[col(users, 'sourcedId')] !== gone);
    writeCsv(join(dir, 'sis', 'users.csv'), users);
    for (const f of ['roles.csv', 'enrollments.csv']) {
      const t = readCsv(join(dir, 'sis', f));
      t.rows = t.rows.filter((r) => r[col(t, 'userSourcedId')] !== gone);
      writeCsv(join(dir, 'sis', f), t);
    }
    const later = '2026-12-01T12:00:00.000Z'; // past the grace period
    const disables = (p: { changes: { action: string }[] }) => p.changes.filter((c) => c.action === 'disable').length;
    expect(disables((await runImpact({ dir, now: later, base: 'main' })).headPlan)).toBeGreaterThan(0);
    expect(disables((await runPlan({ dir, now: later, adopt: true })).plan)).toBe(0);
    const adopted = await runImpact({ dir, now: later, base: 'main', adopt: true });
    expect(disables(adopted.headPlan)).toBe(0);
    expect(disables(adopted.basePlan)).toBe(0);
  });
});

/** A delta set that changes the first student's family name. */
function familyNameDelta(dir: string, name: string, family: string): string {
  const users = readCsv(join(dir, 'sis', 'users.csv'));
  const id = [...new Set(peopleWithRole(join(dir, 'sis'), 'student'))][0]!;
  const row = [...users.rows.find((r) => r[col(users, 'sourcedId')] === id)!];
  row[col(users, 'familyName')] = family;
  row[col(users, 'status')] = 'active';
  row[col(users, 'dateLastModified')] = '2026-10-02T08:00:00Z';
  const delta = join(dir, name);
  mkdirSync(delta);
  const absent = ['academicSessions', 'classes', 'courses', 'demographics', 'enrollments', 'orgs', 'roles'];
  writeFileSync(join(delta, 'manifest.csv'), ['propertyName,value', 'manifest.version,1.0', 'oneroster.version,1.2', ...absent.map((f) => `file.${f},absent`), 'file.users,delta', ''].join('\n'));
  writeCsv(join(delta, 'users.csv'), { header: users.header, rows: [row] });
  return delta;
}
