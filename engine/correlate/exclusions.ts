import type { ObservedAccount, TargetSnapshot } from '../model/accounts.js';
import type { AccountExclusion } from '../model/policy.js';
import { compileGlob } from './keys.js';

/**
 * Exclusions take accounts out of rollcall's view of a target before anything else looks at
 * it: an excluded account is never matched, changed, counted as managed or reported as an
 * orphan, and its group memberships are invisible (so an authoritative group never removes
 * it). Its username stays taken, because the caller collects taken names from the full
 * snapshot.
 */

export interface ExclusionResult {
  /** The snapshot without the excluded accounts (and without them as group members). */
  kept: TargetSnapshot;
  excluded: ObservedAccount[];
  /** People whose account is excluded: rollcall creates nothing for them either. */
  heldPeople: Set<string>;
}

interface Compiled {
  rule: AccountExclusion;
  glob: RegExp | null;
}

export function applyExclusions(snapshot: TargetSnapshot, rules: readonly AccountExclusion[], knownAnchors: ReadonlySet<string>): ExclusionResult {
  const applicable: Compiled[] = rules
    .filter((r) => r.targets.length === 0 || r.targets.includes(snapshot.target))
    .map((rule) => ({ rule, glob: rule.path === null ? null : compileGlob(rule.path) }));
  const heldPeople = new Set<string>();
  if (applicable.length === 0) return { kept: snapshot, excluded: [], heldPeople };
  for (const { rule } of applicable) if (rule.person !== null) heldPeople.add(rule.person);

  // Username and id selectors are looked up, not scanned; path globs are tested per account.
  const byUsername = new Map<string, Compiled[]>();
  const byId = new Map<string, Compiled[]>();
  const pathOnly: Compiled[] = [];
  for (const c of applicable) {
    if (c.rule.username !== null) push(byUsername, c.rule.username, c);
    else if (c.rule.id !== null) push(byId, c.rule.id, c);
    else pathOnly.push(c);
  }
  const matches = (c: Compiled, a: ObservedAccount): boolean =>
    (c.rule.username === null || c.rule.username === a.username.toLowerCase()) &&
    (c.rule.id === null || c.rule.id === a.id) &&
    (c.glob === null || c.glob.test(a.path));

  const excluded: ObservedAccount[] = [];
  const kept: ObservedAccount[] = [];
  for (const a of snapshot.accounts) {
    const hit =
      (byUsername.get(a.username.toLowerCase()) ?? []).some((c) => matches(c, a)) ||
      (byId.get(a.id) ?? []).some((c) => matches(c, a)) ||
      pathOnly.some((c) => matches(c, a));
    if (!hit) {
      kept.push(a);
      continue;
    }
    excluded.push(a);
    if (a.anchor !== null && knownAnchors.has(a.anchor)) heldPeople.add(a.anchor);
  }
  if (excluded.length === 0) return { kept: snapshot, excluded, heldPeople };
  const gone = new Set(excluded.map((a) => a.id));
  return {
    kept: {
      ...snapshot,
      accounts: kept,
      groups: snapshot.groups.map((g) => (g.members.some((m) => gone.has(m)) ? { ...g, members: g.members.filter((m) => !gone.has(m)) } : g)),
    },
    excluded,
    heldPeople,
  };
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
