import type { ObservedAccount, TargetSnapshot } from '../model/accounts.js';
import type { Policy } from '../model/policy.js';
import type { StateDocument } from '../model/state.js';
import type { Identity } from '../resolve/identities.js';
import { SEVERITY_OF, type DriftItem } from './model.js';
import { schoolFor } from './scope.js';

/**
 * Members of protected or privileged groups that no policy rule grants. Auditors ask
 * "which privileged groups hold student accounts?": every member of such a group needs a
 * grant, from a group rule that puts this person in it or from an allow-list entry (the
 * allow-list is applied later, to every category alike). The plan never edits protected
 * groups, so these are for a person to resolve.
 */

export interface GroupDriftInput {
  target: string;
  snapshot: TargetSnapshot;
  identities: readonly Identity[];
  policy: Policy;
  state: StateDocument;
  privilegedGroups: readonly string[];
  byAnchor: ReadonlyMap<string, ObservedAccount>;
}

export function groupDrift(input: GroupDriftInput): DriftItem[] {
  const { target, snapshot, policy, state } = input;
  const watched = new Set([...policy.safety.protectedGroups, ...input.privilegedGroups]);
  if (watched.size === 0) return [];

  // Grants: active people placed in the group by a rule that applies to this target.
  const granted = new Map<string, Set<string>>();
  for (const idn of input.identities) {
    if (idn.lifecycle.decision.state !== 'active') continue;
    for (const g of idn.groups) {
      if (!watched.has(g.name) || (g.targets.length > 0 && !g.targets.includes(target))) continue;
      let set = granted.get(g.name);
      if (!set) granted.set(g.name, (set = new Set()));
      set.add(idn.anchor);
    }
  }
  const byId = new Map(snapshot.accounts.map((a) => [a.id, a]));
  const identityOf = new Map(input.identities.map((i) => [i.anchor, i]));

  const items: DriftItem[] = [];
  const groups = snapshot.groups.filter((g) => watched.has(g.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const g of groups) {
    for (const mid of [...g.members].sort()) {
      const acc = byId.get(mid);
      // Only the account rollcall manages for an anchor speaks for that person.
      const anchor = acc?.anchor != null && input.byAnchor.get(acc.anchor) === acc ? acc.anchor : null;
      if (anchor && granted.get(g.name)?.has(anchor)) continue;
      const who = !acc ? 'an object rollcall cannot see as an account' : anchor ? 'a managed account' : 'an unmanaged account';
      items.push({
        id: `${target}:privileged-member:${g.name}|${mid}`,
        category: 'privileged-member',
        severity: SEVERITY_OF['privileged-member'],
        origin: 'outside',
        target,
        ...(anchor ? { anchor } : {}),
        objectId: mid,
        ...(acc ? { username: acc.username, path: acc.path } : {}),
        group: g.name,
        school: schoolFor(policy, state, anchor ? identityOf.get(anchor) : undefined, anchor, acc?.path),
        attrs: [],
        detail: `${who} in ${policy.safety.protectedGroups.includes(g.name) ? 'protected' : 'privileged'} group ${g.name}, granted by no group rule`,
        fixedBy: [],
      });
    }
  }
  return items;
}
