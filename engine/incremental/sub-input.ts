import type { AccountAttrs, ObservedAccount, ObservedGroup, TargetSnapshot } from '../model/accounts.js';
import type { Person } from '../model/people.js';
import type { PersonState, RegistryEntry, StateDocument } from '../model/state.js';
import type { PlanInput } from '../plan/build-plan.js';
import type { BaseShared, PersonCapsule } from './base.js';

/**
 * The plan input of a district holding only some people: the base's shared inputs (orgs,
 * classes, every group and container, state's shell) with these people's capsules as their
 * share of state and the targets. Planned by the same core as the full district
 * (engine/plan/build-plan.ts), it gives these people's part of the full plan, as long as
 * nothing couples them to anyone else (checked by the caller, plan-incremental.ts).
 */

export type SubPlanContext = Omit<PlanInput, 'roster' | 'state' | 'snapshots' | 'sisWarnings' | 'onPhase'>;

/** `people[i]` is the person of `capsules[i]` (their base version, or a changed one). */
export function subPlanInput(shared: BaseShared, capsules: readonly PersonCapsule[], people: readonly Person[], ctx: SubPlanContext): PlanInput {
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
    const groups: ObservedGroup[] = t.groups.map((g, gi) => {
      const mine = members.get(gi);
      return { ...g, members: mine ? mine.sort((a, b) => a[0] - b[0]).map((m) => m[1]) : [] };
    });
    return { target: t.target, accounts, groups, containers: t.containers };
  });

  const roster = { ...shared.roster, people: [...people].sort((a, b) => (a.sourcedId < b.sourcedId ? -1 : a.sourcedId > b.sourcedId ? 1 : 0)) };
  return { ...ctx, roster, state, snapshots, sisWarnings: [] };
}
