import type { TargetSnapshot } from '../model/accounts.js';
import type { Roster } from '../model/people.js';
import type { Policy } from '../model/policy.js';
import type { StateDocument } from '../model/state.js';
import { indexRoster, personFacts, type PersonFacts } from '../resolve/person-facts.js';
import { schoolYearFor } from '../resolve/school-year.js';
import { correlateTarget, type TargetCorrelation } from './correlate-target.js';

/**
 * Correlation across every target, before resolve: which accounts belong to which people.
 * It runs only when the policy asks for it (adoption mode, matchers, exclusions or decisions);
 * otherwise accounts link by anchor alone and the plan is exactly what it was without it.
 */

export interface CorrelateInput {
  policy: Policy;
  roster: Roster;
  state: StateDocument;
  snapshots: readonly TargetSnapshot[];
  now: string;
  /** Adoption mode, from policy or `plan --adopt`. */
  adoption: boolean;
}

export interface CorrelationResult {
  targets: Map<string, TargetCorrelation>;
}

export function correlationActive(policy: Policy, adoption: boolean): boolean {
  return adoption || (policy.correlation?.matchers.length ?? 0) > 0 || (policy.exclusions?.length ?? 0) > 0 || (policy.decisions?.length ?? 0) > 0;
}

export function correlate(input: CorrelateInput): CorrelationResult {
  const { policy, roster } = input;
  const today = input.now.slice(0, 10);
  const schoolYear = schoolYearFor(roster.academicSessions, input.now);
  const index = indexRoster(roster);
  const eligible = new Set(policy.roles);
  const people: PersonFacts[] = [];
  const knownAnchors = new Set<string>(Object.keys(input.state.people));
  for (const p of roster.people) {
    knownAnchors.add(p.sourcedId);
    const f = personFacts(p, index, policy, eligible, schoolYear, today);
    if (f.eligibility !== 'ineligible') people.push(f);
  }
  people.sort((a, b) => (a.anchor < b.anchor ? -1 : a.anchor > b.anchor ? 1 : 0));
  const registered = new Set(Object.entries(input.state.people).filter(([, p]) => p.username !== '').map(([a]) => a));
  const byTarget = new Map(input.snapshots.map((s) => [s.target, s]));
  const targets = new Map<string, TargetCorrelation>();
  for (const t of policy.targets) {
    const snapshot = byTarget.get(t.name) ?? { target: t.name, accounts: [], groups: [], containers: [] };
    targets.set(t.name, correlateTarget({ target: t.name, snapshot, policy, people, knownAnchors, registered, adoption: input.adoption }));
  }
  return { targets };
}
