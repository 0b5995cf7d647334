import type { ChangeOutcome } from '../../engine/model/provider.js';
import type { Op, OpResult } from './batch.js';
import { errorOf } from './requests.js';
import type { Step, StepResult } from './transport.js';

/**
 * Operations built from steps that each say which answers are fine. A benign failure (a
 * membership that already exists, a reference already gone) still fails the request, so
 * Graph answers 424 to the steps that depend on it; the remaining steps are then sent again
 * as a follow-up operation.
 */

export type Verdict = 'ok' | 'already' | { fail: string; terminal: boolean };

export interface CheckedStep {
  step: Step;
  judge(r: StepResult): Verdict;
}

export class OpFailure extends Error {
  constructor(
    message: string,
    readonly terminal: boolean,
  ) {
    super(message);
  }
}

export const ALREADY_EXIST = /already exist/i;

export function graphMessage(r: StepResult): string {
  const e = errorOf(r);
  return `HTTP ${r.status}${e.code ? ` ${e.code}` : ''}${e.message ? `: ${e.message}` : ''}`;
}

/** 2xx is fine; anything else fails, terminal for 4xx (retriable ones never reach here). */
export function plain(r: StepResult): Verdict {
  if (r.status >= 200 && r.status < 300) return 'ok';
  return { fail: graphMessage(r), terminal: r.status >= 400 && r.status < 500 };
}

export function okOr(alreadyWhen: (r: StepResult) => boolean): (r: StepResult) => Verdict {
  return (r) => (r.status >= 200 && r.status < 300 ? 'ok' : alreadyWhen(r) ? 'already' : plain(r));
}

export interface ChainOptions {
  changeIds: string[];
  objectKey?: string;
  steps: CheckedStep[];
  /** Builds the outcome when every step is ok or already. */
  done(results: StepResult[], allAlready: boolean): ChangeOutcome | Promise<ChangeOutcome>;
  refresh?: () => Promise<OpResult | null>;
  /** Overrides a failed step's outcome (e.g. look up who holds a conflicting UPN). */
  onFail?: (r: StepResult, verdict: { fail: string; terminal: boolean }) => Promise<ChangeOutcome | null>;
  /** Whether earlier steps already ran in a previous attempt (then all-already is not "already"). */
  anyApplied?: boolean;
}

export function chainOp(o: ChainOptions): Op {
  const op: Op = {
    changeIds: o.changeIds,
    steps: o.steps.map((s) => s.step),
    interpret: async (results): Promise<OpResult> => {
      let allAlready = !o.anyApplied;
      for (let i = 0; i < results.length; i++) {
        const r = results[i]!;
        if (r.status === 424) {
          return { retry: [chainOp({ ...o, steps: o.steps.slice(i), anyApplied: o.anyApplied || !allAlready || i > 0 })] };
        }
        const v = o.steps[i]!.judge(r);
        if (v === 'ok') allAlready = false;
        else if (v !== 'already') {
          const custom = o.onFail ? await o.onFail(r, v) : null;
          const outcome: ChangeOutcome = custom ?? { status: 'failed', error: v.fail, terminal: v.terminal };
          return { outcomes: o.changeIds.map((id) => [id, outcome]) };
        }
      }
      const outcome = await o.done(results, allAlready);
      return { outcomes: o.changeIds.map((id) => [id, outcome]) };
    },
  };
  if (o.objectKey) op.objectKey = o.objectKey;
  if (o.refresh) op.refresh = o.refresh;
  return op;
}
