import type { PlanDocument } from '../model/plan.js';
import type { PlanOutput } from '../plan/build-plan.js';

/**
 * The checks on the two sub-plans of the changed people: nothing in them ties the people to
 * anyone else, and the one made as the base saw them is exactly their part of the base plan.
 */

/** Why a sub-plan's people are tied to others', or null. */
export function coupling(sub: PlanOutput, which: string): string | null {
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
export function faithful(b: PlanDocument, old: PlanOutput, anchors: ReadonlySet<string>): string | null {
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
