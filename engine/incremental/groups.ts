import type { DesiredGroupCount, DesiredGroupMeta } from '../plan/diff-target.js';
import type { PlanOutput } from '../plan/build-plan.js';
import type { PersonCapsule, PlanBase } from './base.js';

/**
 * The groups a few people's sub-plans must see as the district's plan sees them: which ones
 * others want (a member who no longer belongs is removed only from a group someone wants), and
 * which names to look up among the base's hundreds of thousands.
 */
/**
 * The groups people other than the changed ones want, among those the changed people's accounts
 * are in: a member who no longer belongs is removed from a group only while someone wants it.
 * `alone` is the old people's sub-plan without them, which counts what the changed people wanted.
 */
export function othersWant(base: PlanBase, desired: BaseDesired, capsules: readonly PersonCapsule[], alone: PlanOutput): Record<string, DesiredGroupMeta[]> {
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
export type BaseDesired = ReadonlyMap<string, ReadonlyMap<string, DesiredGroupCount>>;

/** Target -> the names of the groups the people's accounts are in. */
export function memberOfNames(base: PlanBase, capsules: readonly PersonCapsule[]): Record<string, { name: string }[]> {
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
export function wanted(subs: readonly PlanOutput[], also: Readonly<Record<string, readonly { name: string }[]>>): Map<string, Set<string>> {
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
