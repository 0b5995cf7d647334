import type { DesiredGroupCount, DesiredGroupMeta } from '../plan/diff-target.js';
import type { PlanOutput } from '../plan/build-plan.js';
import type { PersonCapsule, PlanBase } from './base.js';

/*
 * The groups a few people's sub-plans must see as the district's plan sees them: which ones
 * others want (a member who no longer belongs is removed only from a group someone wants), and
 * which names to look up among the base's hundreds of thousands.
 */

/**
 * The groups people other than the changed ones want, among those the changed people's accounts
 * are in: a member who no longer belongs is removed from a group only while someone wants it.
 * `alone` is the old people's sub-plan without them, which counts what the changed people wanted.
 */
export function othersWant(desired: BaseDesired, memberOf: GroupNames, alone: PlanOutput): Record<string, DesiredGroupMeta[]> {
  const out: Record<string, DesiredGroupMeta[]> = {};
  for (const [target, names] of memberOf) {
    const inBase = desired.get(target) ?? new Map<string, DesiredGroupCount>();
    const theirs = new Map((alone.desired?.[target] ?? []).map((g) => [g.name, g.members]));
    const list: DesiredGroupMeta[] = [];
    for (const name of names) {
      const g = inBase.get(name);
      if (!g || g.members - (theirs.get(name) ?? 0) <= 0) continue;
      const { members: _count, ...meta } = g;
      list.push(meta);
    }
    out[target] = list;
  }
  return out;
}

/** Target -> group name -> the base plan's desired group. */
export type BaseDesired = ReadonlyMap<string, ReadonlyMap<string, DesiredGroupCount>>;

/** Target -> group names. */
export type GroupNames = Map<string, Set<string>>;

/** Target -> the names of the groups the people's accounts are in. */
export function memberOfNames(base: PlanBase, capsules: readonly PersonCapsule[]): GroupNames {
  const out: GroupNames = new Map();
  for (const t of base.shared.targets) {
    const names = new Set<string>();
    for (const c of capsules) {
      const triples = c.memberOf[t.target] ?? [];
      for (let k = 0; k < triples.length; k += 3) names.add(t.groups[triples[k]!]!.name);
    }
    out.set(t.target, names);
  }
  return out;
}

/** Target -> these names and those of every group the sub-plans want. */
export function wanted(subs: readonly PlanOutput[], names: GroupNames): GroupNames {
  const out: GroupNames = new Map([...names].map(([t, set]) => [t, new Set(set)]));
  for (const sub of subs) {
    for (const [target, groups] of Object.entries(sub.desired ?? {})) {
      const set = out.get(target) ?? new Set<string>();
      out.set(target, set);
      for (const g of groups) set.add(g.name);
    }
  }
  return out;
}

/** Why a sub-plan's groups are not the base's groups of the same names (two rules naming one group), or null. */
export function sameGroups(desired: BaseDesired, sub: PlanOutput): string | null {
  for (const [target, groups] of Object.entries(sub.desired ?? {})) {
    const inBase = desired.get(target);
    for (const g of groups) {
      const b = inBase?.get(g.name);
      if (g.merged || (b && (b.merged || b.rule !== g.rule || b.description !== g.description || b.membership !== g.membership))) return 'a changed person\'s group is named by two rules';
    }
  }
  return null;
}
