import type { AccountAttrs, ObservedAccount, ObservedGroup, TargetSnapshot } from '../model/accounts.js';
import type { Person } from '../model/people.js';
import type { PersonState, RegistryEntry, StateDocument } from '../model/state.js';
import type { PlanInput } from '../plan/build-plan.js';
import type { BaseShared, PersonCapsule } from './base.js';
import { recordSnapshotFacts } from '../model/snapshot-facts.js';

/**
 * The plan input of a district holding only some people: the base's shared inputs (orgs,
 * classes, every group and container, state's shell) with these people's capsules as their
 * share of state and the targets. Planned by the same core as the full district
 * (engine/plan/build-plan.ts), it gives these people's part of the full plan, as long as
 * nothing couples them to anyone else (checked by the caller, plan-incremental.ts).
 */

export type SubPlanContext = Omit<PlanInput, 'roster' | 'state' | 'snapshots' | 'sisWarnings' | 'onPhase'>;

/**
 * Which of the shared groups a sub-plan's snapshots hold: those the people's accounts are in,
 * always, and those these names pick (every position under a name, as a repeated name keeps its
 * last). A district has hundreds of thousands of groups; a few people's plan looks up only the
 * groups they want and are in.
 */
export interface GroupPick {
  /** Target -> group name -> positions in the target's shared groups. */
  positions: ReadonlyMap<string, ReadonlyMap<string, readonly number[]>>;
  /** Target -> names to hold besides the people's own groups. */
  names: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Target -> group name -> its positions in the shared groups, for GroupPick, of these names. */
export function groupPositions(shared: BaseShared, only: ReadonlyMap<string, ReadonlySet<string>>): Map<string, Map<string, number[]>> {
  const out = new Map<string, Map<string, number[]>>();
  for (const t of shared.targets) {
    const byName = new Map<string, number[]>();
    const names = only.get(t.target);
    t.groups.forEach((g, gi) => {
      if (!names?.has(g.name)) return;
      const list = byName.get(g.name);
      if (list) list.push(gi);
      else byName.set(g.name, [gi]);
    });
    out.set(t.target, byName);
  }
  return out;
}

/** `people[i]` is the person of `capsules[i]` (their base version, or a changed one). */
export function subPlanInput(shared: BaseShared, capsules: readonly PersonCapsule[], people: readonly Person[], ctx: SubPlanContext, pick: GroupPick): PlanInput {
  const registry: Record<string, RegistryEntry> = {};
  const statePeople: Record<string, PersonState> = {};
  const lastApplied: Record<string, Record<string, AccountAttrs>> = {};
  for (const c of capsules) {
    Object.assign(registry, c.registry);
    if (c.state) statePeople[c.anchor] = c.state;
    for (const [target, attrs] of Object.entries(c.lastApplied)) (lastApplied[target] ??= {})[c.anchor] = attrs;
  }
  const state: StateDocument = { ...shared.state, registry, people: statePeople, last_applied: lastApplied };

  const snapshots: TargetSnapshot[] = shared.targets.map((t) => {
    const accounts: ObservedAccount[] = [];
    // Group position -> [member position, account id] of these people, put in snapshot order below.
    const members = new Map<number, [number, string][]>();
    for (const c of capsules) {
      const own = c.accounts[t.target] ?? [];
      for (const a of own) accounts.push(a);
      const triples = c.memberOf[t.target] ?? [];
      for (let k = 0; k < triples.length; k += 3) {
        const gi = triples[k]!;
        const list = members.get(gi) ?? [];
        members.set(gi, list);
        list.push([triples[k + 1]!, own[triples[k + 2]!]!.id]);
      }
    }
    const held = pickedGroups(members.keys(), pick.names.get(t.target), pick.positions.get(t.target));
    const groups: ObservedGroup[] = held.map((gi) => {
      const mine = members.get(gi);
      return { ...t.groups[gi]!, members: mine ? mine.sort((a, b) => a[0] - b[0]).map((m) => m[1]) : [] };
    });
    const snapshot: TargetSnapshot = { target: t.target, accounts, groups, containers: t.containers };
    // The target's digest is the base's (the plan takes it from there): not hashed again per sub-plan.
    recordSnapshotFacts(snapshot, { digest: 'sub-plan', uniqueIds: new Set(accounts.map((a) => a.id)).size === accounts.length });
    return snapshot;
  });

  // Only the classes these people are enrolled in: resolve looks classes up by their enrollments.
  const classIds = new Set<string>();
  for (const p of people) for (const e of p.enrollments) classIds.add(e.classSourcedId);
  const classes = shared.roster.classes.filter((c) => classIds.has(c.sourcedId));
  const roster = { ...shared.roster, classes, people: [...people].sort((a, b) => (a.sourcedId < b.sourcedId ? -1 : a.sourcedId > b.sourcedId ? 1 : 0)) };
  return { ...ctx, roster, state, snapshots, sisWarnings: [] };
}

/** Positions of the groups a sub-plan holds, ascending: the people's own and the named ones. */
function pickedGroups(own: Iterable<number>, names: ReadonlySet<string> | undefined, positions: ReadonlyMap<string, readonly number[]> | undefined): number[] {
  const out = new Set<number>(own);
  for (const name of names ?? []) for (const gi of positions?.get(name) ?? []) out.add(gi);
  return [...out].sort((a, b) => a - b);
}
