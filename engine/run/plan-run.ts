import type { TargetSnapshot } from '../model/accounts.js';
import type { PlanDocument } from '../model/plan.js';
import type { StateDocument } from '../model/state.js';
import { computePlan } from '../plan/build-plan.js';
import { readSnapshotFile, snapshotsOf } from './snapshot-file.js';
import type { Identity } from '../resolve/identities.js';
import { loadPolicyInput, readTargets, targetConstraints, type LoadedPolicy, type RunOptions } from './inputs.js';
import { readStateAndSis } from './state-and-sis.js';
import { phaseClock } from './phase-clock.js';

/** `rollcall plan`: read everything, then hand it to the pure core. */

export interface PlanRunOptions extends RunOptions {
  now: string;
  /** Plan against these snapshots instead of reading the targets (refresh=false). */
  snapshots?: TargetSnapshot[];
  /**
   * Plan against this snapshot file (refresh=false), read right after the policy. Not before
   * it: loading the policy starts `git` three times, and starting a process costs the more the
   * more memory this one holds (40 ms each with 900 MB resident, measured), which a
   * million-account snapshot would already be.
   */
  snapshotFile?: string;
  /** `plan --adopt`: adoption mode for this run, whatever rollcall.yaml says. */
  adopt?: boolean;
  /** Keep this export's roster as a snapshot (a plan saved for apply): the base for the next delta set. */
  saveSisSnapshot?: boolean;
  /** The policy already loaded for this run (a plan that first tried the plan base). */
  loaded?: LoadedPolicy;
  /** When given, filled with wall milliseconds per phase (for benchmarks). */
  timings?: Record<string, number>;
  /**
   * Read state with its registry and last_applied entries parsed only when the plan looks
   * them up (StateReadOptions.deferMaps). Only for a caller that writes no state and does
   * not walk those maps afterwards: the plan core looks up last_applied for the few people
   * whose account differs and the registry for the few candidate names of newcomers, so a
   * million-person plan then skips parsing two million entries. Off by default: drift walks
   * every entry, and the plan of an unsaved `apply` stays as strict as before.
   */
  deferMaps?: boolean;
}

export interface PlanRunResult {
  plan: PlanDocument;
  identities: Identity[];
  loaded: LoadedPolicy;
  state: StateDocument;
  snapshots: TargetSnapshot[];
}

export async function runPlan(opts: PlanRunOptions): Promise<PlanRunResult> {
  const clock = phaseClock(opts.timings);
  const loaded = opts.loaded ?? (await loadPolicyInput(opts));
  clock('policy');
  const fromFile = opts.snapshotFile === undefined ? undefined : snapshotsOf(await readSnapshotFile(opts.snapshotFile), opts.snapshotFile, loaded.policy.targets.map((t) => t.name));
  if (fromFile) clock('snapshot');
  const { state, sis } = await readStateAndSis(loaded, opts, { deferMaps: opts.deferMaps === true, saveSisSnapshot: opts.saveSisSnapshot === true, clock });
  const snapshots = opts.snapshots ?? fromFile ?? (await readTargets(loaded, opts));
  clock('refresh');
  const { plan, identities } = computePlan({
    policy: loaded.policy,
    policyDigest: loaded.digest,
    policyCommit: loaded.commit,
    roster: sis.roster,
    sisDigest: sis.digest,
    sisWarnings: sis.warnings,
    state,
    snapshots,
    constraints: targetConstraints(loaded.policy, loaded.allTargets),
    now: opts.now,
    ...(opts.adopt ? { adoption: true } : {}),
    ...(opts.timings ? { onPhase: (p: string) => clock(`core.${p}`) } : {}),
  });
  return { plan, identities, loaded, state, snapshots };
}
