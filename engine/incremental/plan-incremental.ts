import type { Change, CorrelationCounts, CorrelationSummary, MemberRef, PlanDocument, SisChanges, StateUpdate } from '../model/plan.js';
import type { Person } from '../model/people.js';
import { correlationActive } from '../correlate/correlate.js';
import { assemblePlan, computePlan, type PlanOutput } from '../plan/build-plan.js';
import { sortChanges } from '../plan/order.js';
import { evaluateSafety } from '../plan/safety.js';
import type { PersonCapsule, PlanBase } from './base.js';
import { groupPositions, subPlanInput, type GroupPick, type SubPlanContext } from './sub-input.js';
import type { DesiredGroupCount, DesiredGroupMeta } from '../plan/diff-target.js';

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
 *  - a container the base plan creates for someone else first (its reason is the first's);
 *  - members to remove from a group that loses other members too (their order is the group's);
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
  // Only these groups are looked up: a district has hundreds of thousands.
  const interest = wanted([alone, aloneNow], memberOfNames(base, capsules));
  const desired: BaseDesired = new Map(Object.entries(base.shared.desired).map(([t, groups]) => {
    const names = interest.get(t);
    return [t, new Map(names ? groups.filter((g) => names.has(g.name)).map((g) => [g.name, g]) : [])];
  }));
  const also = othersWant(base, desired, capsules, alone);
  const pick: GroupPick = { positions: groupPositions(base.shared, interest), names: wanted([alone, aloneNow], also) };
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

  const spliced = spliceChanges(b.changes, old.plan.changes, now.plan.changes, anchors);
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

/**
 * The groups people other than the changed ones want, among those the changed people's accounts
 * are in: a member who no longer belongs is removed from a group only while someone wants it.
 * `alone` is the old people's sub-plan without them, which counts what the changed people wanted.
 */
function othersWant(base: PlanBase, desired: BaseDesired, capsules: readonly PersonCapsule[], alone: PlanOutput): Record<string, DesiredGroupMeta[]> {
  const out: Record<string, DesiredGroupMeta[]> = {};
  for (const t of base.shared.targets) {
    const inBase = desired.get(t.target) ?? new Map<string, DesiredGroupCount>();
    const theirs = new Map((alone.desired?.[t.target] ?? []).map((g) => [g.name, g.members]));
    const names = new Set<string>();
    for (const c of capsules) {
      const triples = c.memberOf[t.target] ?? [];
      for (let k = 0; k < triples.length; k += 3) names.add(t.groups[triples[k]!]!.name);
    }
    const list: DesiredGroupMeta[] = [];
    for (const name of names) {
      const g = inBase.get(name);
      if (!g || g.members - (theirs.get(name) ?? 0) <= 0) continue;
      const { members: _count, ...meta } = g;
      list.push(meta);
    }
    out[t.target] = list;
  }
  return out;
}

/** Target -> group name -> the base plan's desired group. */
type BaseDesired = ReadonlyMap<string, ReadonlyMap<string, DesiredGroupCount>>;

/** Target -> the names of the groups the people's accounts are in. */
function memberOfNames(base: PlanBase, capsules: readonly PersonCapsule[]): Record<string, { name: string }[]> {
  const out: Record<string, { name: string }[]> = {};
  for (const t of base.shared.targets) {
    const list: { name: string }[] = (out[t.target] = []);
    for (const c of capsules) {
      const triples = c.memberOf[t.target] ?? [];
      for (let k = 0; k < triples.length; k += 3) list.push({ name: t.groups[triples[k]!]!.name });
    }
  }
  return out;
}

/** Target -> the names of every group the sub-plans want, and of these groups. */
function wanted(subs: readonly PlanOutput[], also: Readonly<Record<string, readonly { name: string }[]>>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (target: string, name: string): void => {
    const set = out.get(target) ?? new Set<string>();
    out.set(target, set);
    set.add(name);
  };
  for (const sub of subs) for (const [target, groups] of Object.entries(sub.desired ?? {})) for (const g of groups) add(target, g.name);
  for (const [target, groups] of Object.entries(also)) for (const g of groups) add(target, g.name);
  return out;
}

/** Why a sub-plan's groups are not the base's groups of the same names (two rules naming one group), or null. */
function sameGroups(desired: BaseDesired, sub: PlanOutput): string | null {
  for (const [target, groups] of Object.entries(sub.desired ?? {})) {
    const inBase = desired.get(target);
    for (const g of groups) {
      const b = inBase?.get(g.name);
      if (g.merged || (b && (b.merged || b.rule !== g.rule || b.description !== g.description || b.membership !== g.membership))) return 'a changed person\'s group is named by two rules';
    }
  }
  return null;
}

/**
 * The base's correlation summary with the changed people's counts replaced. Only people whose
 * account carries their anchor in every target (linked) are served: anyone else is matched
 * against every unclaimed account in the district.
 */
function spliceCorrelation(b: CorrelationSummary | undefined, old: CorrelationSummary | undefined, now: CorrelationSummary | undefined): CorrelationSummary | undefined | string {
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

/** Why a sub-plan's people are tied to others', or null. */
function coupling(sub: PlanOutput, which: string): string | null {
  if (sub.plan.warnings.length > 0) return `a changed person ${which} has a warning`;
  if (sub.plan.decisions.length > 0) return `a changed person ${which} needs a decision`;
  if (sub.identities.some((i) => i.newlyIssued || i.rename !== null)) return `a changed person ${which} needs a username issued or renamed`;
  for (const c of sub.plan.changes) {
    // Containers and groups to create are the district's: the splice checks them against the base's.
    for (const dep of c.depends_on ?? []) if (!/:(container|group):.*:create$/.test(dep)) return `a change of a changed person ${which} waits for another`;
  }
  return null;
}

/**
 * Whether the sub-plan of the people as the base saw them is exactly their part of the base
 * plan: their account changes, their entries in membership changes, the groups they need
 * created, their state updates. Null when it is; otherwise why not.
 */
function faithful(b: PlanDocument, old: PlanOutput, anchors: ReadonlySet<string>): string | null {
  const mine = new Map<string, string>();
  const members = new Map<string, string[]>();
  for (const c of b.changes) {
    if (c.kind === 'account' && c.anchor !== undefined && anchors.has(c.anchor)) mine.set(c.id, JSON.stringify(c));
    if (c.kind === 'membership' && c.members) {
      for (const m of c.members) if (m.anchor !== undefined && anchors.has(m.anchor)) (members.get(c.id) ?? setGet(members, c.id)).push(JSON.stringify(m));
    }
  }
  const creates = new Map(b.changes.filter((c) => c.kind === 'group' || c.kind === 'container').map((c) => [c.id, JSON.stringify(c)]));
  let accountChanges = 0;
  for (const c of old.plan.changes) {
    if (c.kind === 'account') {
      accountChanges++;
      if (mine.get(c.id) !== JSON.stringify(c)) return 'the base plan does not hold a changed person\'s account change as planned now';
    } else if (c.kind === 'group' || c.kind === 'container') {
      if (creates.get(c.id) !== JSON.stringify(c)) return 'the base plan does not hold a group or container a changed person needs';
    } else if (c.kind === 'membership') {
      const want = (c.members ?? []).map((m) => JSON.stringify(m));
      const have = members.get(c.id) ?? [];
      if (want.length !== have.length || want.some((m, i) => m !== have[i])) return 'the base plan does not hold a changed person\'s memberships as planned now';
      members.delete(c.id);
    }
  }
  if (accountChanges !== mine.size) return 'the base plan holds account changes of a changed person the plan no longer makes';
  if (members.size > 0) return 'the base plan holds memberships of a changed person the plan no longer makes';
  const updates = b.state_updates.filter((u) => anchors.has(u.anchor)).map((u) => JSON.stringify(u));
  const again = old.plan.state_updates.map((u) => JSON.stringify(u));
  if (updates.length !== again.length || updates.some((u, i) => u !== again[i])) return 'the base plan\'s state updates of a changed person differ';
  return null;
}

function setGet(map: Map<string, string[]>, key: string): string[] {
  const list: string[] = [];
  map.set(key, list);
  return list;
}

/** The base's changes with the changed people's part replaced by `fresh` (theirs alone); a string says why it cannot be. */
function spliceChanges(base: readonly Change[], old: readonly Change[], fresh: readonly Change[], anchors: ReadonlySet<string>): Change[] | string {
  const out: Change[] = [];
  const membershipAt = new Map<string, number>();
  const groupCreates = new Set<string>();
  const containers = new Map<string, string>();
  for (const c of base) {
    if (c.kind === 'account' && c.anchor !== undefined && anchors.has(c.anchor)) continue;
    if (c.kind === 'group' && c.action === 'create') groupCreates.add(c.id);
    if (c.kind === 'container') containers.set(c.id, JSON.stringify(c));
    if (c.kind === 'membership' && c.members && c.members.some((m) => m.anchor !== undefined && anchors.has(m.anchor))) {
      const left = c.members.filter((m) => m.anchor === undefined || !anchors.has(m.anchor));
      if (left.length === 0) continue;
      membershipAt.set(c.id, out.length);
      out.push(withMembers(c, left));
      continue;
    }
    if (c.kind === 'membership') membershipAt.set(c.id, out.length);
    out.push(c);
  }
  // A container is created for the first person (in anchor order) who needs it, with their
  // reason. One the base does not create, nobody else needs: the changed people's version is
  // the district's. One it creates must come out exactly as it is; one only they needed goes
  // (when nothing left waits for it: else someone else needs it, maybe with another reason).
  const freshContainers = new Set<string>();
  for (const c of fresh) {
    if (c.kind !== 'container') continue;
    freshContainers.add(c.id);
    const was = containers.get(c.id);
    if (was === undefined) out.push(c);
    else if (was !== JSON.stringify(c)) return 'a changed person needs a container the base plan creates for someone else first';
  }
  const dropped = new Set(old.filter((c) => c.kind === 'container' && !freshContainers.has(c.id)).map((c) => c.id));
  for (const c of fresh) {
    if (c.kind === 'container') continue;
    if (c.kind === 'account') {
      out.push(c);
      continue;
    }
    if (c.kind === 'group') {
      // Not created by the base: nobody else wants it, and the changed people's version is the district's.
      if (!groupCreates.has(c.id)) out.push(c);
      continue;
    }
    // Membership: merged into the base's change for the same group and action, if any.
    const at = membershipAt.get(c.id);
    if (at === undefined) {
      membershipAt.set(c.id, out.length);
      out.push(c);
      continue;
    }
    const kept = out[at]!;
    if (c.action === 'remove') return 'members of a changed person leave a group others leave too (listed in the group\'s order)';
    out[at] = withMembers(kept, mergeMembers(kept.members ?? [], c.members ?? []));
  }
  // A group missing from the target is created for the members it gets: one left with none
  // (only the changed people wanted it) is not created by a full plan.
  for (const id of groupCreates) {
    const at = membershipAt.get(id.replace(/:group:(.*):create$/, ':membership:$1:add'));
    if (at === undefined || (out[at]!.members ?? []).length === 0) dropped.add(id);
  }
  if (dropped.size === 0) return out;
  const kept = out.filter((c) => !dropped.has(c.id));
  for (const c of kept) for (const dep of c.depends_on ?? []) if (dropped.has(dep)) return 'a container the changed people no longer need is needed by someone else';
  return kept;
}

/** The change with these members, its detail's count made theirs ("N member(s) ..."). */
function withMembers(c: Change, members: MemberRef[]): Change {
  return { ...c, members, reason: { ...c.reason, detail: c.reason.detail.replace(/^\d+/, String(members.length)) } };
}

/** Two member lists of added members, each in anchor order, as one (a desired group lists members in identity order). */
function mergeMembers(a: readonly MemberRef[], b: readonly MemberRef[]): MemberRef[] {
  const out: MemberRef[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]!.anchor! < b[j]!.anchor!)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}

/** State updates of the base (others) and of the changed people, both in anchor order, as one list in anchor order. */
function mergeByAnchor(a: readonly StateUpdate[], b: readonly StateUpdate[]): StateUpdate[] {
  const out: StateUpdate[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]!.anchor <= b[j]!.anchor)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}
