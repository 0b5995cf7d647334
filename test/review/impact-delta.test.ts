import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runImpact } from '../../engine/impact/run-impact.js';
import { runVerify } from '../../engine/impact/run-verify.js';
import { runExplain } from '../../engine/explain/run-explain.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { runPasswordSheet } from '../../engine/secrets/run-passwords.js';
import { col, peopleWithRole, readCsv, writeCsv } from '../helpers/district.js';
import { applyPlan, changeStudentNaming, commitAll, gitDistrict } from './helpers.js';

/**
 * A district whose SIS sends OneRoster delta sets reviews policy changes like any other:
 * `plan --base`, `impact verify`, `explain` and `passwords` read the delta over the roster
 * last applied, as `plan` does (each used to read it as a whole export and fail).
 */

const NOW = '2026-10-01T12:00:00.000Z';
const LATER = '2026-10-02T12:00:00.000Z';

describe('plan --base and impact verify with a OneRoster delta set', { timeout: 240_000 }, () => {
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
  });
});
