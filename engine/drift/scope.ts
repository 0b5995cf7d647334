import type { ObservedAccount } from '../model/accounts.js';
import type { Policy } from '../model/policy.js';
import type { AccountAttrs } from '../model/accounts.js';
import type { StateDocument } from '../model/state.js';
import type { Identity } from '../resolve/identities.js';
import { isUnder } from '../resolve/paths.js';

/**
 * What drift looks at in one target, and what it leaves alone. Protected usernames and
 * paths are hand-managed by policy (the plan never touches them), so only group-privilege
 * checks see them. Orphans are looked for under the managed roots: the first segment of
 * every path rollcall places or last placed an account in (`Students`, `Staff`,
 * `Inactive`, ...), because a stray account in `Students/MHS` matters as much as one in
 * `Students/MHS/2030`.
 */

export interface TargetScope {
  managedRoots: string[];
  isProtected(a: Pick<ObservedAccount, 'username' | 'path'>): boolean;
  isManagedPath(path: string): boolean;
}

export function targetScope(target: string, policy: Policy, identities: readonly Identity[], lastApplied: Readonly<Record<string, AccountAttrs>>): TargetScope {
  const protectedNames = new Set(policy.safety.protectedUsernames.map((u) => u.toLowerCase()));
  const protectedPaths = [...policy.safety.protectedPaths, ...policy.placement.protectedPaths];
  const roots = new Set<string>();
  const addRoot = (p: string | undefined): void => {
    const first = p?.split('/')[0];
    if (first) roots.add(first);
  };
  for (const idn of identities) addRoot(idn.paths?.[target]);
  for (const a of Object.values(lastApplied)) addRoot(a.path);
  const managedRoots = [...roots].sort();
  const underProtected = (p: string): boolean => protectedPaths.some((root) => isUnder(p, root));
  return {
    managedRoots,
    isProtected: (a) => protectedNames.has(a.username.toLowerCase()) || underProtected(a.path),
    isManagedPath: (p) => !underProtected(p) && managedRoots.some((r) => isUnder(p, r)),
  };
}

/**
 * The school an item belongs to, for the report's charts: the SIS, else what state remembers,
 * else a school code that appears as a segment of the path; '' when none says.
 */
export function schoolFor(policy: Policy, state: StateDocument, identity: Identity | undefined, anchor: string | null | undefined, path: string | undefined): string {
  if (identity?.facts?.school) return identity.facts.school;
  const remembered = anchor ? state.people[anchor]?.last_school : undefined;
  if (remembered) return remembered;
  if (path) {
    const codes = new Set(policy.schools.map((s) => s.code));
    for (const seg of path.split('/')) if (codes.has(seg)) return seg;
  }
  return '';
}
