import type { TargetSnapshot } from '../model/accounts.js';
import type { PlanDocument } from '../model/plan.js';
import type { StateDocument } from '../model/state.js';
import { computePlan } from '../plan/build-plan.js';
import type { Identity } from '../resolve/identities.js';
import { closeAll, loadPolicyInput, openProviders, openState, readSis, readSnapshots, targetConstraints, type LoadedPolicy, type RunOptions } from './inputs.js';

/** `rollcall plan`: read everything, then hand it to the pure core. */

export interface PlanRunOptions extends RunOptions {
  now: string;
  /** Plan against these snapshots instead of reading the targets (refresh=false). */
  snapshots?: TargetSnapshot[];
}

export interface PlanRunResult {
  plan: PlanDocument;
  identities: Identity[];
  loaded: LoadedPolicy;
  state: StateDocument;
  snapshots: TargetSnapshot[];
}

export async function runPlan(opts: PlanRunOptions): Promise<PlanRunResult> {
  const loaded = await loadPolicyInput(opts);
  const sis = await readSis(loaded, opts);
  const backend = openState(loaded, opts);
  let state: StateDocument;
  try {
    state = await backend.read();
  } finally {
    await backend.close();
  }
  let snapshots = opts.snapshots;
  if (!snapshots) {
    const providers = await openProviders(loaded, opts);
    try {
      snapshots = await readSnapshots(providers);
    } finally {
      await closeAll(providers);
    }
  }
  const { plan, identities } = computePlan({
    policy: loaded.policy,
    policyDigest: loaded.digest,
    policyCommit: loaded.commit,
    roster: sis.roster,
    sisDigest: sis.digest,
    sisWarnings: sis.warnings,
    state,
    snapshots,
    constraints: targetConstraints(loaded.policy),
    now: opts.now,
  });
  return { plan, identities, loaded, state, snapshots };
}
