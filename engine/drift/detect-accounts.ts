import type { AccountAttrs, ObservedAccount, TargetSnapshot } from '../model/accounts.js';
import type { Policy } from '../model/policy.js';
import type { TargetConstraints } from '../model/provider.js';
import type { StateDocument } from '../model/state.js';
import type { Identity } from '../resolve/identities.js';
import { SEVERITY_OF, type DriftAttr, type DriftCategory, type DriftItem, type DriftOrigin } from './model.js';
import { schoolFor, type TargetScope } from './scope.js';
import { usernameProblems } from './username-check.js';

/**
 * Account drift in one target: orphans, out-of-policy usernames, attributes changed since
 * rollcall wrote them, enabled/disabled against policy, and managed accounts gone missing.
 * Pure and linear: one pass over the accounts, one over last-applied state.
 */

export interface AccountDriftInput {
  target: string;
  snapshot: TargetSnapshot;
  identities: ReadonlyMap<string, Identity>;
  policy: Policy;
  state: StateDocument;
  constraints: TargetConstraints;
  scope: TargetScope;
}

/** Compared with last-applied state; username, enabled and missing have their own categories. */
const TRACKED = ['givenName', 'familyName', 'displayName', 'email', 'path'] as const;

/** The account per anchor rollcall manages: the lowest id when several share one (as the diff picks). */
export function managedByAnchor(accounts: readonly ObservedAccount[]): Map<string, ObservedAccount> {
  const out = new Map<string, ObservedAccount>();
  for (const a of accounts) {
    if (a.anchor === null) continue;
    const prev = out.get(a.anchor);
    if (!prev || a.id < prev.id) out.set(a.anchor, a);
  }
  return out;
}

export function accountDrift(input: AccountDriftInput): DriftItem[] {
  const { target, snapshot, identities, policy, state, scope } = input;
  const last: Readonly<Record<string, AccountAttrs>> = state.last_applied[target] ?? {};
  const byAnchor = managedByAnchor(snapshot.accounts);
  const items: DriftItem[] = [];
  const item = (category: DriftCategory, key: string, origin: DriftOrigin, a: Partial<ObservedAccount> & { path?: string }, anchor: string | null, detail: string, attrs: DriftAttr[] = []): DriftItem => {
    const idn = anchor ? identities.get(anchor) : undefined;
    return {
      id: `${target}:${category}:${key}`,
      category,
      severity: SEVERITY_OF[category],
      origin,
      target,
      ...(anchor ? { anchor } : {}),
      ...(a.id ? { objectId: a.id } : {}),
      ...(a.username ? { username: a.username } : {}),
      ...(a.path !== undefined ? { path: a.path } : {}),
      school: schoolFor(policy, state, idn, anchor, a.path),
      attrs,
      ...(a.modifiedBy ? { modifiedBy: a.modifiedBy } : {}),
      ...(a.modifiedAt ? { modifiedAt: a.modifiedAt } : {}),
      detail,
      fixedBy: [],
    };
  };

  for (const a of [...snapshot.accounts].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))) {
    if (scope.isProtected(a)) continue;
    const duplicate = a.anchor !== null && byAnchor.get(a.anchor) !== a;
    if (a.anchor === null || duplicate) {
      if (!scope.isManagedPath(a.path)) continue;
      const why = duplicate ? 'carries the anchor of another account; only one account per person is managed' : 'has no anchor: no SIS record links it to a person';
      items.push(item('orphan-account', a.id, 'outside', a, null, `account ${why}`));
      continue;
    }
    const anchor = a.anchor;
    const idn = identities.get(anchor);
    const la = last[anchor];

    // rollcall's registry speaks only for people it has recorded.
    if (state.people[anchor]) {
      const problems = usernameProblems(a.username, anchor, state, policy, input.constraints);
      if (problems.length > 0) {
        const expected = idn?.username ?? state.people[anchor]?.username;
        const attr: DriftAttr = { name: 'username', observed: a.username, ...(expected ? { expected } : {}), ...(la ? { lastApplied: la.username } : {}) };
        items.push(item('username-out-of-policy', anchor, la && la.username !== a.username ? 'outside' : 'pending', a, anchor, `username is ${problems.join('; ')}`, [attr]));
      }
    }

    if (la) {
      const attrs: DriftAttr[] = [];
      for (const k of TRACKED) {
        if (a[k] === la[k]) continue;
        const expected = k === 'path' ? idn?.paths?.[target] : idn?.attrs?.[k];
        attrs.push({ name: k, observed: a[k], lastApplied: la[k], ...(expected !== undefined ? { expected } : {}) });
      }
      if (attrs.length > 0) items.push(item('attribute-changed', anchor, 'outside', a, anchor, `${attrs.map((x) => x.name).join(', ')} changed outside rollcall`, attrs));
    }

    const st = idn?.lifecycle.decision.state;
    if (idn && st !== 'pending') {
      const want = st === 'active';
      if (a.enabled !== want) {
        const origin: DriftOrigin = la && la.enabled !== a.enabled ? 'outside' : 'pending';
        const category: DriftCategory = a.enabled ? 'unexpected-enabled' : 'unexpected-disabled';
        const d = idn.lifecycle.decision;
        const detail = `${a.enabled ? 'enabled' : 'disabled'}, but policy (${d.rule}) says ${want ? 'active' : st}${origin === 'outside' ? '; changed outside rollcall' : '; the next plan corrects it'}`;
        items.push(item(category, anchor, origin, a, anchor, detail, [{ name: 'enabled', observed: a.enabled, expected: want, ...(la ? { lastApplied: la.enabled } : {}) }]));
      }
    }
  }

  for (const anchor of Object.keys(last).sort()) {
    if (byAnchor.has(anchor)) continue;
    const la = last[anchor];
    if (!la || scope.isProtected(la)) continue;
    const idn = identities.get(anchor);
    if (idn?.lifecycle.decision.state === 'deleted' || state.people[anchor]?.deleted_at) continue;
    const wanted = idn?.lifecycle.decision.state;
    items.push(item('missing-account', anchor, 'outside', { username: la.username, path: la.path }, anchor, `rollcall created this account and it is gone from the target${wanted ? ` (policy: ${wanted})` : ''}`));
  }
  return items;
}
