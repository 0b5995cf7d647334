import type { Roster } from '../model/people.js';
import type { Policy } from '../model/policy.js';
import type { StateDocument } from '../model/state.js';
import { decideLifecycle, type LifecycleOutcome } from '../resolve/lifecycle.js';
import { indexRoster, personFacts, type PersonFacts } from '../resolve/person-facts.js';
import { schoolYearFor } from '../resolve/school-year.js';

/**
 * One person's facts and lifecycle outcome, computed exactly as resolveIdentities does.
 * Needed because resolve drops people it leaves untouched (absent, suspension not yet due or
 * held), yet `explain` and `rollcall test` must still say which rule and date hold them.
 */

export interface PersonDecision {
  facts: PersonFacts | null;
  /** null: rollcall does not manage this person at all (no eligible role, never known). */
  outcome: LifecycleOutcome | null;
  schoolYear: number;
}

export function decisionFor(anchor: string, input: {
  policy: Policy;
  roster: Roster;
  state: StateDocument;
  now: string;
  /** Anchors with an account in some target. */
  observedAnchors: ReadonlySet<string>;
}): PersonDecision {
  const { policy, roster, state, now } = input;
  const today = now.slice(0, 10);
  const schoolYear = schoolYearFor(roster.academicSessions, now);
  const person = roster.people.find((p) => p.sourcedId === anchor);
  const facts = person ? personFacts(person, indexRoster(roster), policy, new Set(policy.roles), schoolYear, today) : null;
  const remembered = state.people[anchor];
  const known = remembered !== undefined || input.observedAnchors.has(anchor);
  // Delta exports say nothing about absent people: resolve does not consider them.
  if (!person && roster.mode !== 'bulk') return { facts, outcome: null, schoolYear };
  const outcome = decideLifecycle({
    facts,
    anchor,
    remembered,
    known,
    lastRole: remembered?.last_role ?? '',
    lastGrade: remembered?.last_grade ?? '',
    today,
    policy,
  });
  return { facts, outcome, schoolYear };
}
