import type { ImpactDocument } from '../engine/impact/types.js';
import { writeImpactFile } from '../engine/impact/file.js';
import { runImpact } from '../engine/impact/run-impact.js';
import type { InputError } from '../engine/model/errors.js';
import { renderImpactMarkdown } from '../engine/render/impact-markdown.js';
import { renderImpactText } from '../engine/render/impact-text.js';
import { pseudonymKey } from './base.js';
import { appendStepSummary, emitAnnotations, setOutput } from './github.js';
import { writePlanFile, type PlanFormat } from './output.js';

/**
 * `rollcall plan --base REF`, kept out of plan.ts so the plain plan stays as it was: the
 * impact of the policy change (base ref -> working tree) instead of the whole plan.
 */

export interface PlanBaseOptions {
  dir: string;
  sis?: string | undefined;
  now: string;
  base: string;
  format: PlanFormat;
  showPii: boolean;
  limit: number;
  /** Save the head plan (the full plan with this policy) for `apply` and the artifact. */
  out?: string | undefined;
  outImpact?: string | undefined;
  github: boolean;
  /** `--target`: only these targets. */
  targets?: readonly string[] | undefined;
  /** `--refresh=false`: the snapshot file to plan against instead of reading the targets. */
  snapshotFile?: string | undefined;
  /** `--adopt`: adoption mode for both plans. */
  adopt?: boolean;
}

/** Sticky-comment marker plan.yml finds its comment by. */
export const IMPACT_MARKER = 'rollcall-impact';

export async function planWithBase(o: PlanBaseOptions): Promise<ImpactDocument> {
  const run = await runImpact({ dir: o.dir, sis: o.sis, now: o.now, base: o.base, targets: o.targets, saveSisSnapshot: Boolean(o.out), ...(o.adopt ? { adopt: true } : {}), ...(o.snapshotFile !== undefined ? { snapshotFile: o.snapshotFile } : {}) });
  const { impact } = run;
  if (o.out) writePlanFile(o.out, run.headPlan);
  if (o.outImpact) writeImpactFile(o.outImpact, impact);
  const privacy = { showPii: o.showPii, pseudonymKey: pseudonymKey(run.state.lineage, run.head.policy.district.domain) };
  // The job summary is seen by everyone who can read the workflow run: pseudonymous always,
  // as plain `plan` writes it, whatever --show-pii asks of stdout.
  const markdown = (showPii = o.showPii): string => renderImpactMarkdown(impact, { ...privacy, showPii, marker: IMPACT_MARKER });
  switch (o.format) {
    case 'json':
      process.stdout.write(JSON.stringify(impact, null, 2) + '\n');
      break;
    case 'markdown':
      process.stdout.write(markdown());
      break;
    case 'text':
      process.stdout.write(renderImpactText(impact, { ...privacy, limit: o.limit }));
  }
  if (o.github) {
    appendStepSummary(markdown(false));
    setOutput('destructive', String((impact.summary.by_action.disable ?? 0) + (impact.summary.by_action.delete ?? 0) > 0));
    setOutput('changes', String(impact.summary.total));
    setOutput('halted', String(!impact.safety.head.ok));
  }
  return impact;
}

/** In Actions, policy errors become annotations on the PR's diff lines before the usual output. */
/** Errors already turned into `::error` annotations, so the top-level handler does not repeat them. */
export const ANNOTATED = new WeakSet<InputError>();

export function annotateInputError(err: InputError, dir: string): void {
  if (ANNOTATED.has(err)) return;
  ANNOTATED.add(err);
  emitAnnotations(err.diagnostics, dir);
}
