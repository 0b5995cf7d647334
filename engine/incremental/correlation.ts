import type { CorrelationCounts, CorrelationSummary } from '../model/plan.js';

/**
 * The base's correlation summary with the changed people's counts replaced. Only people whose
 * account carries their anchor in every target (linked) are served: anyone else is matched
 * against every unclaimed account in the district.
 */
export function spliceCorrelation(b: CorrelationSummary | undefined, old: CorrelationSummary | undefined, now: CorrelationSummary | undefined): CorrelationSummary | undefined | string {
  if (b === undefined) return old === undefined && now === undefined ? undefined : 'the base plan ran correlation differently';
  if (old === undefined || now === undefined) return 'the base plan ran correlation differently';
  const targets: CorrelationSummary['targets'] = {};
  for (const [t, base] of Object.entries(b.targets)) {
    const o = old.targets[t];
    const n = now.targets[t];
    if (!o || !n) return 'the base plan ran correlation differently';
    for (const s of [o, n]) if (s.matched + s.decided + s.ambiguous + s.unmatched_persons > 0) return 'a changed person has no account carrying their anchor (correlation would look for one among every account)';
    const counts = { ...base };
    for (const k of COUNT_KEYS) counts[k] = base[k] - o[k] + n[k];
    targets[t] = counts;
  }
  return { adoption: b.adoption, targets };
}

const COUNT_KEYS = ['linked', 'matched', 'decided', 'ambiguous', 'unmatched_persons', 'orphans', 'out_of_scope', 'excluded', 'not_a_person', 'held_changes'] as const satisfies readonly (keyof CorrelationCounts)[];
