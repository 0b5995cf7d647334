import { resolve } from 'node:path';
import type { TargetSnapshot } from '../model/accounts.js';
import { hasErrors } from '../model/diagnostics.js';
import { InputError } from '../model/errors.js';
import type { Roster } from '../model/people.js';
import type { PlanDocument } from '../model/plan.js';
import type { StateDocument } from '../model/state.js';
import { computePlan } from '../plan/build-plan.js';
import { parsePolicyFiles } from '../policy/load.js';
import type { Identity } from '../resolve/identities.js';
import { loadPolicyInput, readTargets, selectTargets, targetConstraints, type LoadedPolicy, type RunOptions } from '../run/inputs.js';
import { readStateAndSis } from '../run/state-and-sis.js';
import { readSnapshotFile, snapshotsOf } from '../run/snapshot-file.js';
import { phaseClock } from '../run/phase-clock.js';
import { computeImpact } from './compute.js';
import { readPolicyAtRef } from './git-policy.js';
import type { ImpactDocument } from './types.js';

/**
 * `rollcall plan --base REF`: the imperative shell around computeImpact. The SIS, state and
 * target snapshots are read ONCE (with the head policy's settings) and both plans are
 * computed from them, so the only difference between the plans is the policy.
 */

export interface ImpactRunOptions extends RunOptions {
  now: string;
  /** The git ref of the base policy (`origin/main`, a commit). */
  base: string;
  /** The git ref of the head policy; default the working tree. */
  head?: string | undefined;
  /** Plan against these snapshots instead of reading the targets. */
  snapshots?: TargetSnapshot[];
  /**
   * Plan against this snapshot file (`--refresh=false`), read after both policies: reading
   * the base policy starts `git` once per file, and a process start costs the more memory
   * this one holds (see PlanRunOptions.snapshotFile).
   */
  snapshotFile?: string;
  /** When given, filled with wall milliseconds per phase (for benchmarks). */
  timings?: Record<string, number>;
  /** `--adopt`: adoption mode for both plans, whatever rollcall.yaml says (as `plan --adopt`). */
  adopt?: boolean;
  /**
   * The head plan is saved for apply (`--out`): keep this export's roster beside state, as
   * `plan --out` does, so the delta set after that apply has its base.
   */
  saveSisSnapshot?: boolean;
}

export interface ImpactRunResult {
  impact: ImpactDocument;
  basePlan: PlanDocument;
  headPlan: PlanDocument;
  headIdentities: Identity[];
  head: LoadedPolicy;
  base: LoadedPolicy;
  roster: Roster;
  state: StateDocument;
  snapshots: TargetSnapshot[];
}

/** `known`: of `targets`, select only those this policy has (the base of a change that adds one). */
async function policyAt(dir: string, ref: string, targets: readonly string[] | undefined, known = false): Promise<LoadedPolicy> {
  const at = await readPolicyAtRef(dir, ref);
  const parsed = await parsePolicyFiles(at.files);
  if (known && targets) targets = targets.filter((n) => parsed.policy.targets.some((t) => t.name === n));
  if (hasErrors(parsed.diagnostics)) {
    throw new InputError(parsed.diagnostics.map((d) => ({ ...d, summary: `${d.summary} (in the policy at ${ref})` })));
  }
  return { dir, policy: selectTargets(parsed.policy, targets), allTargets: parsed.policy.targets, digest: parsed.digest, commit: at.commit };
}

export async function runImpact(opts: ImpactRunOptions): Promise<ImpactRunResult> {
  const dir = resolve(opts.dir);
  const clock = phaseClock(opts.timings);
  const head = opts.head ? await policyAt(dir, opts.head, opts.targets) : await loadPolicyInput(opts);
  // --target names the head's targets (checked above); the base plans those it has.
  const base = await policyAt(dir, opts.base, opts.targets, true);
  clock('policy');
  // Both policies' targets: a target the pull request adds is planned too.
  const fromFile = opts.snapshotFile === undefined ? undefined : snapshotsOf(await readSnapshotFile(opts.snapshotFile), opts.snapshotFile, [...new Set([...head.policy.targets, ...base.policy.targets].map((t) => t.name))]);
  if (fromFile) clock('snapshot');
  // As `plan` reads them (deferred: both plans look up registry and last_applied entries, and
  // nothing writes them); a delta set over the roster of the last apply.
  const { state, sis } = await readStateAndSis(head, opts, { deferMaps: true, saveSisSnapshot: opts.saveSisSnapshot === true, sisFirst: true, clock });
  const snapshots = opts.snapshots ?? fromFile ?? (await readTargets(head, opts));
  clock('refresh');
  const planFor = (p: LoadedPolicy) => computePlan({
    policy: p.policy,
    policyDigest: p.digest,
    policyCommit: p.commit,
    roster: sis.roster,
    sisDigest: sis.digest,
    sisWarnings: sis.warnings,
    state,
    snapshots: snapshots ?? [],
    constraints: targetConstraints(p.policy, p.allTargets),
    now: opts.now,
    ...(opts.adopt ? { adoption: true } : {}),
  });
  const basePlan = planFor(base).plan;
  clock('base plan');
  const headOut = planFor(head);
  clock('head plan');
  const impact = computeImpact({
    base: { ref: opts.base, commit: base.commit, policy: base.policy, plan: basePlan },
    head: { ref: opts.head ?? 'working tree', commit: head.commit, policy: head.policy, plan: headOut.plan, identities: headOut.identities },
    roster: sis.roster,
  });
  clock('impact');
  return { impact, basePlan, headPlan: headOut.plan, headIdentities: headOut.identities, head, base, roster: sis.roster, state, snapshots };
}
