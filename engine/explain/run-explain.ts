import { errorDiag } from '../model/diagnostics.js';
import { InputError } from '../model/errors.js';
import { runPlan, type PlanRunOptions } from '../run/plan-run.js';
import { readSis, targetConstraints } from '../run/inputs.js';
import { explainPerson, knowsPerson, type Explanation } from './explain.js';

/**
 * The shell around explainPerson: run the real plan pipeline, then explain one person.
 * The SIS is read a second time because PlanRunResult does not carry the roster.
 * TODO(lead): return `roster` from runPlan to save that second read.
 */
export async function runExplain(anchor: string, opts: PlanRunOptions): Promise<Explanation> {
  // Read-only: explaining a person writes no state and looks up only their entries.
  const result = await runPlan({ ...opts, deferMaps: true });
  // A delta set reads over the roster state last applied, as the plan's own read did.
  const sis = await readSis(result.loaded, opts, { enrollments: true }, () => Promise.resolve(result.state.sis));
  if (!knowsPerson(anchor, sis.roster, result.state, result.snapshots)) {
    throw new InputError([errorDiag('explain.unknown-person', `no person with sourcedId ${JSON.stringify(anchor)} in the SIS export, in state or linked to an account in any target`)]);
  }
  return explainPerson({
    anchor,
    policy: result.loaded.policy,
    roster: sis.roster,
    state: result.state,
    snapshots: result.snapshots,
    plan: result.plan,
    identities: result.identities,
    constraints: targetConstraints(result.loaded.policy, result.loaded.allTargets),
    now: opts.now,
  });
}
