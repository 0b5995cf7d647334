import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PlanDocument } from '../../engine/model/plan.js';
import { runApply } from '../../engine/run/apply-run.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { appliedDistrict } from '../helpers/applied-district.js';
import { col, readCsv, removePeople, writeCsv } from '../helpers/district.js';

/**
 * A person still in users.csv who no longer holds any eligible role (their role rows gone from
 * roles.csv: a withdrawal some SIS export that way, or a roles.csv cut short) is held as they are
 * through the grace period, exactly like a person gone from the export: no email, placement or
 * group change while the account is still enabled. Before, their facts without a role were
 * rendered: a student took the staff email rule and left every role-based group at once.
 * On suspension both are disabled, lose their memberships and move to the stage's path, which
 * is rendered from what state remembers (the graduation path holds the cohort year).
 */
describe('a person in the export with no eligible role left', () => {
  it('is held as is through the grace period, then suspended like a person gone from the export', async () => {
    const { dir, first } = await appliedDistrict('rollcall-grace-ineligible-', '2026-10-01T12:00:00.000Z');
    const sis = join(dir, 'sis');
    const users = readCsv(join(sis, 'users.csv'));
    const roles = readCsv(join(sis, 'roles.csv'));
    const created = new Set(first.changes.filter((c) => c.kind === 'account' && c.action === 'create').map((c) => c.anchor));
    const seniors = users.rows.filter((r) => r[col(users, 'grades')] === '12').map((r) => r[col(users, 'sourcedId')]!).filter((id) => created.has(id));
    const roleCount = (id: string) => roles.rows.filter((r) => r[col(roles, 'userSourcedId')] === id).length;
    // Seniors with one role each: one loses the role row and stays in users.csv, one is left
    // only a guardian role (no policy provisions it: their stage is still graduation, not a
    // staff departure), and one leaves the export.
    const [roleless, guardian, gone] = seniors.filter((id) => roleCount(id) === 1);
    expect(roleless && guardian && gone).toBeTruthy();
    roles.rows = roles.rows.filter((r) => r[col(roles, 'userSourcedId')] !== roleless);
    for (const r of roles.rows) if (r[col(roles, 'userSourcedId')] === guardian) r[col(roles, 'role')] = 'guardian';
    writeCsv(join(sis, 'roles.csv'), roles);
    removePeople(sis, new Set([gone!]));

    const touches = (p: PlanDocument, anchor: string) => p.changes.filter((c) => c.anchor === anchor || c.members?.some((m) => m.anchor === anchor));
    const memberships = (anchor: string) => first.changes.filter((c) => c.kind === 'membership' && c.members?.some((m) => m.anchor === anchor)).length;
    expect(memberships(roleless!)).toBeGreaterThan(2);

    const inGrace = (await runPlan({ dir, now: '2026-10-02T12:00:00.000Z' })).plan;
    for (const anchor of [roleless!, guardian!, gone!]) {
      expect(touches(inGrace, anchor)).toEqual([]);
      expect(inGrace.state_updates.filter((u) => u.anchor === anchor).map((u) => u.field)).toEqual(['missing_since']);
    }
    expect((await runApply({ dir, plan: inGrace, accept: [], now: () => '2026-10-02T12:00:00.000Z', actor: 'test', lockTimeoutMs: 0 })).failed).toEqual([]);

    // The graduation stage suspends after 30 days: all three are disabled, moved to the cohort's
    // Alumni path and taken out of every group, alike.
    const suspended = (await runPlan({ dir, now: '2026-11-15T12:00:00.000Z' })).plan;
    const story = (anchor: string) =>
      touches(suspended, anchor)
        .map((c) => `${c.kind}:${c.action}${c.kind === 'account' && c.action === 'move' ? ` ${JSON.stringify(c.after)}` : ''}`)
        .sort();
    expect(story(roleless!)).toContain('account:disable');
    expect(story(roleless!).filter((s) => s === 'membership:remove').length).toBe(memberships(roleless!));
    expect(story(roleless!)).toEqual(story(gone!));
    expect(story(guardian!)).toEqual(story(gone!));
    const move = touches(suspended, roleless!).find((c) => c.action === 'move');
    expect(JSON.stringify(move?.after)).toContain('Alumni/2027');
  });
});
