import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPlan } from '../../engine/run/plan-run.js';
import { appliedDistrict } from '../helpers/applied-district.js';
import { col, peopleWithRole, readCsv, writeCsv } from '../helpers/district.js';

/**
 * Reviewers tell SIS changes (they flow daily) from policy changes (reviewed on pull requests)
 * by a change's cause. A student the SIS now lists as a teacher gets a staff address: an
 * update caused by the SIS, though the person's names are what rollcall last wrote.
 */
describe('the cause of an update after a role change', () => {
  it('is the SIS, not policy', async () => {
    const { dir } = await appliedDistrict('rollcall-role-cause-', '2026-10-01T12:00:00.000Z');
    const sis = join(dir, 'sis');
    const student = peopleWithRole(sis, 'student')[0]!;
    const roles = readCsv(join(sis, 'roles.csv'));
    const row = roles.rows.find((r) => r[col(roles, 'userSourcedId')] === student && r[col(roles, 'roleType')] === 'primary')!;
    row[col(roles, 'role')] = 'teacher';
    writeCsv(join(sis, 'roles.csv'), roles);
    const plan = (await runPlan({ dir, now: '2026-10-02T12:00:00.000Z' })).plan;
    const update = plan.changes.find((c) => c.anchor === student && c.action === 'update');
    expect(update?.after).toHaveProperty('email');
    expect(update?.reason.cause).toBe('sis');
  });
});
