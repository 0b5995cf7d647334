import { expect } from 'vitest';
import type { PlanDocument } from '../../engine/model/plan.js';
import { runApply } from '../../engine/run/apply-run.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { scratchDistrict } from './district.js';

/** A scratch copy of the example district with its first plan applied at `now` (the sandbox holds every account). */
export async function appliedDistrict(prefix: string, now: string): Promise<{ dir: string; first: PlanDocument }> {
  const dir = scratchDistrict(prefix);
  const first = (await runPlan({ dir, now })).plan;
  expect((await runApply({ dir, plan: first, accept: [], now: () => now, actor: 'test', lockTimeoutMs: 0 })).failed).toEqual([]);
  return { dir, first };
}
