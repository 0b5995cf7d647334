import { describe, expect, it } from 'vitest';
import { runImpact } from '../../engine/impact/run-impact.js';
import { runVerify } from '../../engine/impact/run-verify.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { applyPlan, commitAll, editFile, gitDistrict } from './helpers.js';

/**
 * The eligible count depends on the policy's roles, so a reviewed policy change that stops
 * provisioning a role lowers it as a truncated roles.csv would. Apply-on-merge tells the two
 * apart: the SIS-driven rest is checked with the count under the base policy (the one state's
 * count was recorded under), so the policy's own sis.shrink is the approved change's, listed
 * in `accept`, and the reviewer saw it on the PR as a violation the change introduces.
 */

const APPLIED = '2026-10-01T12:00:00.000Z';
const APPROVED = '2026-10-02T12:00:00.000Z';
const MERGED = '2026-10-02T18:00:00.000Z';

describe('apply on merge: a policy that provisions fewer roles', { timeout: 240_000 }, () => {
  it('is the approved change\'s own sis.shrink, not a mismatch of the SIS-driven rest', async () => {
    const dir = await gitDistrict('rollcall-verify-eligible-');
    // A district that halts on a 1% shrink: dropping the aides (about 1.3% of people) trips it.
    editFile(dir, 'policy/safety.yaml', (t) => t.replace('maxSisShrinkPercent: 10', 'maxSisShrinkPercent: 1'));
    await commitAll(dir, 'safety: halt on a 1% shrink');
    const first = (await runPlan({ dir, now: APPLIED })).plan;
    expect((await applyPlan(dir, first, APPLIED)).failed).toEqual([]);

    editFile(dir, 'rollcall.yaml', (t) => t.replace('roles: [student, teacher, aide, ', 'roles: [student, teacher, '));
    for (const f of ['policy/groups.yaml', 'policy/naming.yaml', 'policy/placement.yaml']) editFile(dir, f, (t) => t.replace('role: [teacher, aide, ', 'role: [teacher, '));
    await commitAll(dir, 'aides no longer get accounts');
    const { impact: approved, headPlan } = await runImpact({ dir, now: APPROVED, base: 'main~1' });
    expect(headPlan.inputs.sis_people).toBe(first.inputs.sis_people);
    expect(headPlan.inputs.sis_eligible).toBeLessThan(first.inputs.sis_eligible * 0.99);
    expect(approved.safety.introduced).toContain('sis.shrink');

    const { report, plan } = await runVerify({ dir, now: MERGED, approved, accept: [] });
    expect(report.reasons).toEqual([]);
    expect(report.rest.safety.violations.map((v) => v.id)).not.toContain('sis.shrink');
    expect(plan.safety.violations.map((v) => v.id)).toContain('sis.shrink');
    expect(report.ok).toBe(true);
    expect(report.accept).toContain('sis.shrink');
  });
});
