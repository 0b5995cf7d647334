import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../engine/model/errors.js';
import { runApply } from '../../engine/run/apply-run.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { readRosterSnapshot } from '../../engine/run/sis-snapshot.js';
import { col, peopleWithRole, readCsv, scratchDistrict, writeCsv } from '../helpers/district.js';

/**
 * A OneRoster delta set after a bulk run, end to end: the plan saved for apply keeps the
 * bulk roster as a snapshot, state records its digest, and the next plan reads the delta
 * over it. Only what the delta says changes.
 */

const NOW = '2026-10-01T12:00:00.000Z';

describe('OneRoster delta set over the last applied snapshot', () => {
  it('applies a delta: one rename of a family name, one tobedeleted student; nothing else moves', async () => {
    const dir = scratchDistrict('rollcall-delta-');
    const first = await runPlan({ dir, now: NOW, saveSisSnapshot: true });
    const report = await runApply({ dir, plan: first.plan, accept: [], now: () => NOW, actor: 'test', lockTimeoutMs: 0 });
    expect(report.failed).toEqual([]);

    const students = [...new Set(peopleWithRole(join(dir, 'sis'), 'student'))];
    const users = readCsv(join(dir, 'sis', 'users.csv'));
    const byId = (id: string) => users.rows.find((r) => r[col(users, 'sourcedId')] === id)!;
    const renamed = students.find((id) => byId(id)[col(users, 'preferredFamilyName')] === '')!;
    const leaving = students.find((id) => id !== renamed)!;

    const delta = join(dir, 'delta');
    mkdirSync(delta);
    const files = ['academicSessions', 'classes', 'courses', 'demographics', 'enrollments', 'orgs', 'roles'];
    writeFileSync(join(delta, 'manifest.csv'), ['propertyName,value', 'manifest.version,1.0', 'oneroster.version,1.2', ...files.map((f) => `file.${f},absent`), 'file.users,delta', ''].join('\n'));
    const changed = [...byId(renamed)];
    changed[col(users, 'familyName')] = 'Delta-Renamed';
    changed[col(users, 'status')] = 'active';
    changed[col(users, 'dateLastModified')] = '2026-10-02T08:00:00Z';
    const gone = [...byId(leaving)];
    gone[col(users, 'status')] = 'tobedeleted';
    gone[col(users, 'dateLastModified')] = '2026-10-02T08:00:00Z';
    writeCsv(join(delta, 'users.csv'), { header: users.header, rows: [changed, gone] });

    const plan = (await runPlan({ dir, now: '2026-10-02T12:00:00.000Z', sis: delta })).plan;
    const accountChanges = plan.changes.filter((c) => c.kind === 'account').map((c) => `${c.anchor}:${c.action}`).sort();
    expect(accountChanges).toEqual([`${leaving}:disable`, `${leaving}:move`, `${renamed}:update`].sort());
    const update = plan.changes.find((c) => c.anchor === renamed)!;
    expect(update.after).toMatchObject({ familyName: 'Delta-Renamed' });
    for (const c of plan.changes.filter((x) => x.kind === 'membership')) {
      for (const m of c.members ?? []) expect(m.anchor).toBe(leaving);
    }
    expect(plan.inputs.sis_people).toBe(first.plan.inputs.sis_people - 1);

    // On a machine without the kept roster (a fresh CI runner sharing state), the error says so.
    rmSync(join(dir, '.rollcall', 'sis'), { recursive: true, force: true });
    const err = await runPlan({ dir, now: '2026-10-02T12:00:00.000Z', sis: delta }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).diagnostics.map((d) => d.code)).toEqual(['sis.base-not-here']);
    expect((err as InputError).diagnostics[0]!.summary).toContain(first.plan.inputs.sis_digest.slice(0, 12));
  });

  it('a plan saved for apply keeps enrollment ids in its roster (a later enrollments delta finds them); a plan that is only shown drops them and plans alike', async () => {
    const dir = scratchDistrict('rollcall-delta-ids-');
    const saved = await runPlan({ dir, now: NOW, saveSisSnapshot: true });
    const kept = await readRosterSnapshot(dir, saved.plan.inputs.sis_digest);
    const enrollments = kept!.people.flatMap((p) => p.enrollments);
    expect(enrollments.length).toBeGreaterThan(0);
    expect(enrollments.every((e) => typeof e.sourcedId === 'string' && e.sourcedId !== '')).toBe(true);
    const shown = await runPlan({ dir, now: NOW });
    expect(shown.plan.digest).toBe(saved.plan.digest);
  });
});
