import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runApply } from '../../engine/run/apply-run.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { appliedDistrict } from '../helpers/applied-district.js';
import { col, readCsv, removePeople } from '../helpers/district.js';

/**
 * A person missing from the export is held as they are through the grace period: the account
 * stays enabled and keeps its group memberships (groups carry access, licences in Entra, and
 * an export that missed someone must not strip it). The memberships go with the suspension.
 */
describe('group memberships through a grace period', () => {
  it('are kept while a missing senior is in the graduation grace period, and removed on suspension', async () => {
    const { dir, first } = await appliedDistrict('rollcall-grace-groups-', '2026-10-01T12:00:00.000Z');
    const sis = join(dir, 'sis');
    const users = readCsv(join(sis, 'users.csv'));
    const senior = users.rows.find((r) => r[col(users, 'grades')] === '12')![col(users, 'sourcedId')]!;
    const memberOf = first.changes.filter((c) => c.kind === 'membership' && c.members?.some((m) => m.anchor === senior)).length;
    expect(memberOf).toBeGreaterThan(2);
    removePeople(sis, new Set([senior]));

    const touches = (p: Awaited<ReturnType<typeof runPlan>>['plan']) => p.changes.filter((c) => c.anchor === senior || c.members?.some((m) => m.anchor === senior));
    const inGrace = (await runPlan({ dir, now: '2026-10-02T12:00:00.000Z' })).plan;
    expect(touches(inGrace)).toEqual([]);
    expect(inGrace.state_updates.some((u) => u.anchor === senior && u.field === 'missing_since')).toBe(true);
    // Applied: state starts the period (the timer), the directory is left as it is.
    expect((await runApply({ dir, plan: inGrace, accept: [], now: () => '2026-10-02T12:00:00.000Z', actor: 'test', lockTimeoutMs: 0 })).failed).toEqual([]);

    const after = (await runPlan({ dir, now: '2026-11-15T12:00:00.000Z' })).plan;
    const actions = touches(after).map((c) => `${c.kind}:${c.action}`);
    expect(actions).toContain('account:disable');
    expect(actions.filter((a) => a === 'membership:remove').length).toBe(memberOf);
  });
});
