import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RefusedError } from '../../engine/model/errors.js';
import { runApply } from '../../engine/run/apply-run.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { localStateBackend } from '../../engine/state/local.js';
import { col, readCsv, scratchDistrict, writeCsv } from '../helpers/district.js';

/**
 * District IT's worst fear: a OneRoster 1.2 bulk export whose roles.csv was cut short. Every
 * users.csv row is still there, so the people count does not move, but most students lose
 * their only eligible role and would quietly start the grace period before suspension (here a
 * district that gives withdrawn students two weeks: nothing is disabled today, so no action
 * limit fires). The eligible count shows it: the plan is halted with sis.shrink, and apply
 * refuses it unless the operator accepts that id.
 */
describe('a bulk export whose roles.csv lost most students', () => {
  it('halts the plan with sis.shrink though users.csv is whole, and apply needs --accept sis.shrink', async () => {
    const dir = scratchDistrict('rollcall-truncated-roles-');
    const lifecycle = join(dir, 'policy', 'lifecycle.yaml');
    const graceless = readFileSync(lifecycle, 'utf8');
    expect(graceless).toContain('withdrawal:\n  suspendAfterDays: 0\n');
    writeFileSync(lifecycle, graceless.replace('withdrawal:\n  suspendAfterDays: 0\n', 'withdrawal:\n  suspendAfterDays: 14\n'));
    const first = (await runPlan({ dir, now: '2026-10-01T12:00:00.000Z' })).plan;
    expect((await runApply({ dir, plan: first, accept: [], now: () => '2026-10-01T12:00:00.000Z', actor: 'test', lockTimeoutMs: 0 })).failed).toEqual([]);
    expect(first.safety.ok).toBe(true);
    expect(first.inputs.sis_eligible).toBeGreaterThan(1000);

    // Keep every row but the students' after the first 200: the file a failed transfer leaves.
    const sis = join(dir, 'sis');
    const roles = readCsv(join(sis, 'roles.csv'));
    let students = 0;
    const dropped = new Set<string>();
    roles.rows = roles.rows.filter((r) => {
      if (r[col(roles, 'role')] !== 'student' || ++students <= 200) return true;
      dropped.add(r[col(roles, 'userSourcedId')]!);
      return false;
    });
    writeCsv(join(sis, 'roles.csv'), roles);
    // A few students are aides too: that role still makes them eligible.
    const left = new Set(roles.rows.map((r) => r[col(roles, 'userSourcedId')]!));
    const lost = [...dropped].filter((id) => !left.has(id));
    expect(lost.length).toBeGreaterThan(1500);
    const users = readCsv(join(sis, 'users.csv'));
    expect(users.rows.length).toBe(first.inputs.sis_people);

    const now = '2026-10-02T12:00:00.000Z';
    const { plan } = await runPlan({ dir, now });
    expect(plan.inputs.sis_people).toBe(first.inputs.sis_people);
    expect(plan.inputs.sis_eligible).toBe(first.inputs.sis_eligible - lost.length);
    // The students only start their grace period: nothing is disabled or deleted today.
    expect(plan.changes.filter((c) => c.action === 'disable' || c.action === 'delete')).toEqual([]);
    // Every lost student with an account starts it (those whose role begins later had none yet).
    const created = new Set(first.changes.filter((c) => c.kind === 'account' && c.action === 'create').map((c) => c.anchor));
    expect(plan.state_updates.filter((u) => u.field === 'missing_since').map((u) => u.anchor).sort()).toEqual(lost.filter((id) => created.has(id)).sort());
    // Their accounts are held as they are through the grace period (test/e2e/grace-ineligible):
    // no email, placement or group change touches them, so sis.shrink is the only violation.
    const lostSet = new Set(lost);
    expect(plan.changes.filter((c) => (c.anchor !== undefined && lostSet.has(c.anchor)) || c.members?.some((m) => m.anchor !== undefined && lostSet.has(m.anchor)))).toEqual([]);
    expect(plan.safety.halted).toBe(true);
    const others = plan.safety.violations.map((v) => v.id).filter((id) => id !== 'sis.shrink');
    expect(others).toEqual([]);
    expect(plan.safety.violations.map((v) => v.id)).toContain('sis.shrink');
    const shrink = plan.safety.violations.find((v) => v.id === 'sis.shrink');
    expect(shrink!.detail).toBe(
      `the SIS export gives ${count(plan.inputs.sis_eligible)} people a role this policy provisions, ${count(lost.length)} fewer than the last run (${count(first.inputs.sis_eligible)}); a truncated roles.csv, or a policy that provisions fewer roles?`,
    );

    // Refused with nothing applied, every other violation accepted; the message names the id
    // to accept and no one's record.
    const err = await runApply({ dir, plan, accept: others, now: () => now, actor: 'test', lockTimeoutMs: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as RefusedError).code).toBe('plan.halted');
    expect((err as RefusedError).message).toContain('sis.shrink: the SIS export gives');
    expect((err as RefusedError).message).toMatch(/pass --accept sis\.shrink$/);
    for (const id of dropped) expect((err as RefusedError).message).not.toContain(id);
    const names = users.rows.filter((r) => dropped.has(r[col(users, 'sourcedId')]!)).map((r) => r[col(users, 'familyName')]!);
    for (const name of names) expect((err as RefusedError).message).not.toContain(name);

    // Accepted by id, it applies, and state records the new count as the next plan's base.
    const report = await runApply({ dir, plan, accept: [...others, 'sis.shrink'], now: () => now, actor: 'test', lockTimeoutMs: 0 });
    expect(report.failed).toEqual([]);
    const state = await localStateBackend(join(dir, '.rollcall', 'state.json')).read();
    expect(state.sis).toMatchObject({ people: first.inputs.sis_people, eligible: plan.inputs.sis_eligible });
    const next = (await runPlan({ dir, now: '2026-10-03T12:00:00.000Z' })).plan;
    expect(next.safety.violations.map((v) => v.id)).not.toContain('sis.shrink');
  });
});

function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
