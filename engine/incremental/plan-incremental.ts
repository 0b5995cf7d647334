import type { PlanDocument, SisChanges } from '../model/plan.js';
import type { Person } from '../model/people.js';
import { correlationActive } from '../correlate/correlate.js';
import { assemblePlan, computePlan } from '../plan/build-plan.js';
import { sortChanges } from '../plan/order.js';
import { evaluateSafety } from '../plan/safety.js';
import type { PersonCapsule, PlanBase } from './base.js';
import { groupPositions, subPlanInput, type GroupPick, type SubPlanContext } from './sub-input.js';
import { memberOfNames, othersWant, sameGroups, wanted, type BaseDesired } from './groups.js';
import { spliceCorrelation } from './correlation.js';
import { coupling, faithful } from './faithful.js';
import { mergeByAnchor, spliceChanges, type RemoveOrder } from './splice.js';

/**
 * The incremental plan: the base plan (engine/incremental/base.ts) with the part of a few
 * changed people re-planned. Each changed person is planned twice by the full plan's own core,
 * in a district holding only the changed people (sub-input.ts): once as the base saw them, once
 * as they are now. The first must give exactly their part of the base plan (every account
 * change, membership and state update naming them), or nothing is spliced; the second replaces
 * it. Whatever can couple a changed person to anyone else makes the caller plan in full:
 *  - a username to issue or rename (the names held by everyone decide it), a decision;
 *  - adoption mode, a person without an account carrying their anchor while correlation is on
 *    (matchers look at every unclaimed account), a username override;
 *  - a container the base plan creates for someone else first (its reason is the first's), a
 *    group two rules name (its rule is that of the first person who wants it);
 *  - a warning naming a changed person, or a changed email, roles, enrollments, or (with birth
 *    facts in the export) names: the export's whole-roster checks would see them.
 * The answer is a plan byte for byte the full plan's (test/core/incremental-plan.test.ts), or
 * the reason it could not be made.
 */

export interface ChangedPerson {
  capsule: PersonCapsule;
  /** The person as the new export gives them (same sourcedId). */
  person: Person;
}

export interface IncrementalRequest extends SubPlanContext {
  base: PlanBase;
  changed: readonly ChangedPerson[];
  /** The export has birth facts (demographics.csv): a changed name can make or end a duplicate-person warning. */
  birthFacts: boolean;
  /**
   * The policy differs from the base plan's only where no one's part of the plan can
   * (policy-delta.ts), as the caller checked: its digest may differ.
   */
  policyDeltaChecked?: boolean;
}

export type IncrementalOutcome = { plan: PlanDocument } | { fallback: string };

export function planIncrementally(req: IncrementalRequest): IncrementalOutcome {
  const { base, changed, policy } = req;
  const b = base.plan;
  const before = precheck(req);
  if (before) return { fallback: before };

  const anchors = new Set(changed.map((c) => c.capsule.anchor));
  const capsules = changed.map((c) => c.capsule);
  // Their overrides only: anyone else's would be "no such person" in a district of the changed people.
  const overrides = (policy.overrides ?? []).filter((o) => anchors.has(o.person));
  if (overrides.some((o) => o.attribute === 'username')) return { fallback: 'a changed person has a username override (it looks at every account)' };
  const subPolicy = policy.overrides === undefined ? policy : { ...policy, overrides };
  const ctx: SubPlanContext = { policy: subPolicy, policyDigest: req.policyDigest, policyCommit: req.policyCommit, sisDigest: req.sisDigest, constraints: req.constraints, now: req.now, ...(req.adoption !== undefined ? { adoption: req.adoption } : {}) };
  const oldPeople = capsules.map((c) => c.person);
  const newPeople = changed.map((c) => c.person);
  // First with only the groups their accounts are in: what they want (resolve alone decides it),
  // then with those groups too, as the district's snapshot holds them.
  const own: GroupPick = { positions: new Map(), names: new Map() };
  const alone = computePlan({ ...subPlanInput(base.shared, capsules, oldPeople, ctx, own), reportDesired: true });
  const aloneNow = computePlan({ ...subPlanInput(base.shared, capsules, newPeople, ctx, own), reportDesired: true });
  // Only these groups are looked up (a district has hundreds of thousands), and the sub-plans
  // hold them: every group the diff looks up by name is one the people want or are in.
  const memberOf = memberOfNames(base, capsules);
  const interest = wanted([alone, aloneNow], memberOf);
  const desired: BaseDesired = new Map(Object.entries(base.shared.desired).map(([t, groups]) => {
    const names = interest.get(t);
    return [t, new Map(names ? groups.filter((g) => names.has(g.name)).map((g) => [g.name, g]) : [])];
  }));
  const also = othersWant(desired, memberOf, alone);
  const pick: GroupPick = { positions: groupPositions(base.shared, interest), names: interest };
  const old = computePlan({ ...subPlanInput(base.shared, capsules, oldPeople, ctx, pick), alsoDesired: also, reportDesired: true });
  const now = computePlan({ ...subPlanInput(base.shared, capsules, newPeople, ctx, pick), alsoDesired: also, reportDesired: true });
  const groupsDiffer = sameGroups(desired, old) ?? sameGroups(desired, now);
  if (groupsDiffer) return { fallback: groupsDiffer };
  const coupled = coupling(old, 'as the base saw them') ?? coupling(now, 'as they are now');
  if (coupled) return { fallback: coupled };
  const correlation = spliceCorrelation(b.correlation, old.plan.correlation, now.plan.correlation);
  if (typeof correlation === 'string') return { fallback: correlation };
  const unfaithful = faithful(b, old, anchors);
  if (unfaithful) return { fallback: unfaithful };

  const byAnchor = new Map(capsules.map((c) => [c.anchor, c]));
  const order: RemoveOrder = {
    base: (id) => base.shared.removeOrder[id],
    changed: (c, m) => {
      const gi = pick.positions.get(c.target)?.get(c.key)?.at(-1);
      const triples = (m.anchor === undefined ? undefined : byAnchor.get(m.anchor))?.memberOf[c.target] ?? [];
      let at: number | undefined;
      for (let k = 0; k < triples.length; k += 3) if (triples[k] === gi && (at === undefined || triples[k + 1]! < at)) at = triples[k + 1]!;
      return at;
    },
  };
  const spliced = spliceChanges(b.changes, old.plan.changes, now.plan.changes, anchors, order);
  if (typeof spliced === 'string') return { fallback: spliced };
  const changes = sortChanges(spliced);

  const stateUpdates = mergeByAnchor(b.state_updates.filter((u) => !anchors.has(u.anchor)), now.plan.state_updates);
  const sisEligible = b.inputs.sis_eligible - old.plan.inputs.sis_eligible + now.plan.inputs.sis_eligible;
  const sisChanges: SisChanges = {
    added: b.inputs.sis_changes.added - old.plan.inputs.sis_changes.added + now.plan.inputs.sis_changes.added,
    gone: b.inputs.sis_changes.gone - old.plan.inputs.sis_changes.gone + now.plan.inputs.sis_changes.gone,
    changed: b.inputs.sis_changes.changed - old.plan.inputs.sis_changes.changed + now.plan.inputs.sis_changes.changed,
  };
  const managed: Record<string, number> = {};
  for (const [t, n] of Object.entries(base.shared.managed)) managed[t] = n - (old.managed[t] ?? 0) + (now.managed[t] ?? 0);
  const shared = base.shared;
  const safety = evaluateSafety({
    changes,
    policy: policy.safety,
    managed,
    sis: {
      mode: shared.roster.mode,
      people: b.inputs.sis_people,
      previousPeople: shared.state.sis?.people ?? null,
      eligible: sisEligible,
      previousEligible: shared.state.sis?.eligible ?? null,
    },
  });
  return {
    plan: assemblePlan({
      now: req.now,
      policyDigest: req.policyDigest,
      policyCommit: req.policyCommit,
      sisDigest: req.sisDigest,
      sisPeople: b.inputs.sis_people,
      sisEligible,
      sisChanges,
      stateLineage: b.inputs.state_lineage,
      stateSerial: b.inputs.state_serial,
      targets: b.inputs.targets,
      changes,
      stateUpdates,
      decisions: b.decisions,
      safety,
      warnings: b.warnings,
      correlation,
    }),
  };
}

/** Why the request cannot be served from the base before planning anyone, or null. */
function precheck(req: IncrementalRequest): string | null {
  const b = req.base.plan;
  if (b.inputs.policy_digest !== req.policyDigest && !req.policyDeltaChecked) return 'the policy changed since the base plan';
  if (b.inputs.now.slice(0, 10) !== req.now.slice(0, 10)) return 'the base plan was made on another day (lifecycle dates compare by day)';
  const adoption = req.adoption ?? req.policy.adoption?.enabled ?? false;
  if (adoption) return 'adoption mode (correlation looks at every account)';
  if ((b.correlation !== undefined) !== correlationActive(req.policy, adoption)) return 'the base plan ran correlation differently';
  const lines = new Set<string>();
  for (const { capsule, person } of req.changed) {
    const was = capsule.person;
    if (person.sourcedId !== capsule.anchor || was.sourcedId !== capsule.anchor) return 'a changed row is not the person of its capsule';
    if (person.email.toLowerCase() !== was.email.toLowerCase()) return 'an email in the export changed (the duplicate-email check reads every person)';
    if (req.birthFacts && (person.givenName !== was.givenName || person.familyName !== was.familyName)) return 'a name changed in an export with birth facts (the duplicate-person check reads every person)';
    if (JSON.stringify(person.roles) !== JSON.stringify(was.roles) || JSON.stringify(person.enrollments) !== JSON.stringify(was.enrollments)) return 'roles or enrollments changed';
    if (was.source.line !== undefined) lines.add(`${was.source.file}:${was.source.line}`);
  }
  const anchors = req.changed.map((c) => c.capsule.anchor);
  for (const w of b.warnings) {
    if (w.source?.line !== undefined && lines.has(`${w.source.file}:${w.source.line}`)) return 'the base plan has a warning about a changed row';
    const text = w.summary + (w.detail ?? '');
    if (anchors.some((a) => text.includes(a))) return 'the base plan has a warning naming a changed person';
  }
  for (const d of b.decisions) if (anchors.includes(d.anchor)) return 'a changed person has a pending decision';
  return null;
}
