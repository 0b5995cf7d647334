import type { Change, PlanSummary } from '../model/plan.js';
import { operations } from './safety.js';

/** Counts operations: a membership change counts each member it adds or removes. */

export function summarize(changes: readonly Change[]): PlanSummary {
  const s: PlanSummary = { total: 0, by_action: {}, by_target: {}, by_cause: {} };
  for (const c of changes) {
    const n = operations(c);
    s.total += n;
    s.by_action[c.action] = (s.by_action[c.action] ?? 0) + n;
    const t = (s.by_target[c.target] ??= {});
    t[c.action] = (t[c.action] ?? 0) + n;
    s.by_cause[c.reason.cause] = (s.by_cause[c.reason.cause] ?? 0) + n;
  }
  return s;
}
