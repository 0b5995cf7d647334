import type { TargetSnapshot } from '../model/accounts.js';
import { errorDiag } from '../model/diagnostics.js';
import { InputError } from '../model/errors.js';
import type { PlanDocument } from '../model/plan.js';
import { runImpact, type ImpactRunOptions } from './run-impact.js';
import type { ImpactDocument } from './types.js';
import { verifyImpact, type VerifyReport } from './verify.js';

/**
 * `rollcall impact verify`: recompute the impact of the approved base policy -> the merged
 * policy against today's SIS, state and targets (read once), and check it against the
 * approved impact (engine/impact/verify.ts says how).
 */

export interface VerifyRunOptions extends Omit<ImpactRunOptions, 'base'> {
  approved: ImpactDocument;
  /** The base policy's ref; default the approved impact's base commit. */
  base?: string | undefined;
  accept: readonly string[];
}

export interface VerifyRunResult {
  report: VerifyReport;
  /** The impact recomputed today. */
  impact: ImpactDocument;
  /** Today's plan with the merged policy: apply it when the report is ok. */
  plan: PlanDocument;
  /** What pseudonyms in the report's renderings are keyed on when no key is configured: state's lineage, else the district's domain. */
  pseudonymBasis: { lineage: string; domain: string };
}

export async function runVerify(opts: VerifyRunOptions): Promise<VerifyRunResult> {
  const base = opts.base ?? opts.approved.base.commit?.replace(/-dirty$/, '');
  if (!base) throw new InputError([errorDiag('impact.base', 'the approved impact records no base commit; pass --base REF')]);
  const run = await runImpact({ ...opts, base });
  const report = verifyImpact({
    approved: opts.approved,
    fresh: run.impact,
    plan: run.headPlan,
    safety: run.head.policy.safety,
    managed: managedCounts(run.snapshots),
    sis: {
      mode: run.roster.mode,
      people: run.roster.people.length,
      previousPeople: run.state.sis?.people ?? null,
      // Counted under the base policy, the one state's count was recorded under: the rest must
      // be within limits on its own, and a merged policy that provisions fewer roles is the
      // approved change's doing (its sis.shrink is then in the full plan only, listed in accept).
      eligible: run.basePlan.inputs.sis_eligible,
      previousEligible: run.state.sis?.eligible ?? null,
    },
    accept: opts.accept,
  });
  return { report, impact: run.impact, plan: run.headPlan, pseudonymBasis: { lineage: run.state.lineage, domain: run.head.policy.district.domain } };
}

/** Distinct anchors per target: the same base the plan's percent limits use. */
export function managedCounts(snapshots: readonly TargetSnapshot[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of snapshots) out[s.target] = new Set(s.accounts.map((a) => a.anchor).filter((a) => a !== null)).size;
  return out;
}
