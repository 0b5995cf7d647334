import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PlanDocument } from '../../engine/model/plan.js';
import { runApply } from '../../engine/run/apply-run.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { editUser, peopleWithRole, scratchDistrict } from '../helpers/district.js';

/**
 * `naming.renames: approve`: a family-name change that gives a new username waits for a
 * reviewed approval in decisions/ (`renames:`); with it, the plan renames exactly that person,
 * and the approval is inert once carried out.
 */

const NOW = '2026-10-01T12:00:00.000Z';
const LATER = '2026-10-02T12:00:00.000Z';
let dir: string;
let who: string;

async function apply(plan: PlanDocument): Promise<void> {
  const report = await runApply({ dir, plan, accept: [], now: () => LATER, actor: 'test', lockTimeoutMs: 0 });
  expect(report.failed).toEqual([]);
}

function approve(to: string): void {
  mkdirSync(join(dir, 'decisions'), { recursive: true });
  writeFileSync(join(dir, 'decisions', 'renames.yaml'), `renames:\n  - person: "${who}"\n    to: ${to}\n    reason: legal name change, ticket 4411\n`);
}

beforeAll(async () => {
  dir = scratchDistrict('rollcall-rename-approve-');
  const naming = join(dir, 'policy', 'naming.yaml');
  writeFileSync(naming, readFileSync(naming, 'utf8').replace(/^renames: keep$/m, 'renames: approve'));
  await apply((await runPlan({ dir, now: NOW })).plan);
  who = [...new Set(peopleWithRole(join(dir, 'sis'), 'student'))][7]!;
  editUser(join(dir, 'sis'), who, { familyName: 'Quintanilla', preferredFamilyName: '' });
});

describe('renames: approve', () => {
  it('holds the rename as a decision that names the proposed username', async () => {
    const plan = (await runPlan({ dir, now: LATER })).plan;
    expect(plan.changes.filter((c) => c.action === 'rename')).toEqual([]);
    const d = plan.decisions.filter((x) => x.kind === 'rename-approval');
    expect(d.map((x) => x.anchor)).toEqual([who]);
    expect(d[0]!.proposed).toMatch(/quintanilla/);
    expect(d[0]!.detail).not.toMatch(/quintanilla/i);
  });

  it('an approval for another name leaves the decision open', async () => {
    approve('somebodyelse');
    const plan = (await runPlan({ dir, now: LATER })).plan;
    expect(plan.changes.filter((c) => c.action === 'rename')).toEqual([]);
    expect(plan.decisions.find((x) => x.anchor === who)?.detail).toMatch(/approves another name/);
  });

  it('the approved name is carried out, and the approval is inert afterwards', async () => {
    const proposed = (await runPlan({ dir, now: LATER })).plan.decisions.find((x) => x.anchor === who)!.proposed!;
    approve(proposed);
    const plan = (await runPlan({ dir, now: LATER })).plan;
    const renames = plan.changes.filter((c) => c.action === 'rename');
    expect(renames.map((c) => c.anchor)).toEqual([who]);
    expect(renames[0]!.after!.username).toBe(proposed);
    expect(renames[0]!.reason.rule).toBe('decisions/renames.yaml#renames[0]');
    expect(plan.decisions.filter((x) => x.kind === 'rename-approval')).toEqual([]);
    await apply(plan);
    const after = (await runPlan({ dir, now: LATER })).plan;
    expect(after.changes).toEqual([]);
    expect(after.decisions).toEqual([]);
  });
});
