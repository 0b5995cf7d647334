import type { Roster } from '../model/people.js';
import type { Policy } from '../model/policy.js';
import type { StateDocument } from '../model/state.js';
import { personLifecycle } from '../resolve/identities.js';
import type { LifecycleOutcome } from '../resolve/lifecycle.js';
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
  const known = state.people[anchor] !== undefined || input.observedAnchors.has(anchor);
  const outcome = personLifecycle(anchor, facts, state.people[anchor], known, policy, today);
  return { facts, outcome, schoolYear };
}
