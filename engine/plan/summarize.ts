import type { Change, PlanSummary } from '../model/plan.js';

export function summarize(changes: readonly Change[]): PlanSummary {
  const s: PlanSummary = { total: changes.length, by_action: {}, by_target: {}, by_cause: {} };
  for (const c of changes) {
    s.by_action[c.action] = (s.by_action[c.action] ?? 0) + 1;
    const t = (s.by_target[c.target] ??= {});
    t[c.action] = (t[c.action] ?? 0) + 1;
    s.by_cause[c.reason.cause] = (s.by_cause[c.reason.cause] ?? 0) + 1;
  }
  return s;
}
