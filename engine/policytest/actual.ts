import type { Policy } from '../model/policy.js';
import type { Identity } from '../resolve/identities.js';
import type { LifecycleOutcome } from '../resolve/lifecycle.js';
import type { ExpectField } from './types.js';

/**
 * What the policy actually gave one person, per expectation field, in the same shapes the
 * test file uses. Per-target values collapse to one when every target agrees, so a policy
 * with one target reads like the test that was written for it.
 */

export type ActualValue = string | null | string[] | Record<string, string | null> | Record<string, string[]> | { state: string; rule: string; date?: string };

export function perTarget(identity: Identity | undefined, policy: Policy): { paths: Record<string, string | null>; groups: Record<string, string[]> } {
  const paths: Record<string, string | null> = {};
  const groups: Record<string, string[]> = {};
  for (const t of policy.targets) {
    paths[t.name] = identity?.paths?.[t.name] ?? null;
    const names = new Set((identity?.groups ?? []).filter((g) => g.targets.length === 0 || g.targets.includes(t.name)).map((g) => g.name));
    groups[t.name] = [...names].sort();
  }
  return { paths, groups };
}

export function actualFor(field: ExpectField, identity: Identity | undefined, policy: Policy, fallback: LifecycleOutcome | null): ActualValue {
  switch (field) {
    case 'username':
      return identity?.username ?? null;
    case 'email':
      return identity?.attrs?.email ?? null;
    case 'displayName':
      return identity?.attrs?.displayName ?? null;
    case 'passwordRule':
      return identity?.rules.password || null;
    case 'lifecycle': {
      // Resolve leaves out people it does not touch (e.g. a suspension held): ask the decision.
      const d = identity?.lifecycle.decision ?? fallback?.decision;
      if (!d) return null;
      return { state: d.state, rule: d.rule, ...(d.date ? { date: d.date } : {}) };
    }
    case 'path':
      return collapse(perTarget(identity, policy).paths);
    case 'groups':
    case 'groupsInclude':
      return collapse(perTarget(identity, policy).groups);
  }
}

/** One value when every target agrees; else the per-target map (as a JSON-able record). */
function collapse<V>(byTarget: Record<string, V>): V | Record<string, V> {
  const values = Object.values(byTarget);
  const first = values[0];
  if (first !== undefined && values.every((v) => JSON.stringify(v) === JSON.stringify(first))) return first;
  return byTarget;
}
