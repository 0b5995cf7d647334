import type { TargetSnapshot } from '../model/accounts.js';
import type { PlanDocument } from '../model/plan.js';
import type { StateDocument } from '../model/state.js';
import { targetConstraints, type LoadedPolicy, type RunOptions } from '../run/inputs.js';
import { runPlan } from '../run/plan-run.js';
import { loadDriftAllow } from './allow-load.js';
import { detectDrift } from './detect.js';
import type { DriftReport } from './model.js';

/**
 * The imperative shell of `rollcall drift`: read policy, the allow-list, the SIS, state and
 * every target (fresh, never a cached snapshot: drift is about what the targets hold now),
 * compute the fresh plan, then classify with the pure detectDrift.
 */

export interface DriftRunOptions extends RunOptions {
  now: string;
  /** Use these snapshots instead of reading the targets (tests). */
  snapshots?: TargetSnapshot[];
}

export interface DriftRunResult {
  report: DriftReport;
  plan: PlanDocument;
  state: StateDocument;
  loaded: LoadedPolicy;
}

export async function runDrift(opts: DriftRunOptions): Promise<DriftRunResult> {
  // The allow-list first: a mistake in it fails before any target is read.
  const { allow, diagnostics } = await loadDriftAllow(opts.dir);
  const { plan, identities, loaded, state, snapshots } = await runPlan(opts);
  const report = detectDrift({
    policy: loaded.policy,
    policyDigest: loaded.digest,
    policyCommit: loaded.commit,
    identities,
    state,
    snapshots,
    constraints: targetConstraints(loaded.policy, loaded.allTargets),
    allow,
    now: opts.now,
    plan,
  });
  report.warnings = [...diagnostics, ...report.warnings];
  return { report, plan, state, loaded };
}
