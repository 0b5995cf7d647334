import type { TargetSnapshot } from '../model/accounts.js';
import type { PlanDocument } from '../model/plan.js';
import type { Policy } from '../model/policy.js';
import type { TargetConstraints } from '../model/provider.js';
import type { StateDocument } from '../model/state.js';
import type { Identity } from '../resolve/identities.js';
import { applyAllowList, type DriftAllowPolicy } from './allow.js';
import { accountDrift, managedByAnchor } from './detect-accounts.js';
import { groupDrift } from './detect-groups.js';
import { fixesFor, planChangeIds } from './fixes.js';
import { DRIFT_CATEGORIES, type DriftCategory, type DriftItem, type DriftReport, type DriftSeverity, type DriftSummary, type DriftTargetInfo } from './model.js';
import { targetScope } from './scope.js';

/**
 * `rollcall drift`, the pure part: desired identities (from the same resolve the plan
 * uses), the observed snapshots and rollcall's state in; a classified, ordered report out.
 * No I/O, no clock (`now` decides allow-list expiry and is the report's time). The same
 * inputs give the same report, item for item.
 */

export interface DriftInput {
  policy: Policy;
  policyDigest: string;
  policyCommit: string | null;
  identities: readonly Identity[];
  state: StateDocument;
  snapshots: readonly TargetSnapshot[];
  /** The merged username constraints of all targets (engine/run/inputs.ts targetConstraints). */
  constraints: TargetConstraints;
  allow: DriftAllowPolicy;
  now: string;
  /** The fresh plan for the same inputs: tells which items the next apply corrects. */
  plan?: PlanDocument;
}

export function detectDrift(input: DriftInput): DriftReport {
  const { policy, state } = input;
  const identities = new Map(input.identities.map((i) => [i.anchor, i]));
  const byTarget = new Map(input.snapshots.map((s) => [s.target, s]));
  const changeIds = planChangeIds(input.plan);
  const found: DriftItem[] = [];
  const targets: DriftTargetInfo[] = [];

  for (const t of policy.targets) {
    const snapshot = byTarget.get(t.name) ?? { target: t.name, accounts: [], groups: [], containers: [] };
    const scope = targetScope(t.name, policy, input.identities, state.last_applied[t.name] ?? {});
    targets.push({ name: t.name, accounts: snapshot.accounts.length, groups: snapshot.groups.length, managedRoots: scope.managedRoots });
    found.push(...accountDrift({ target: t.name, snapshot, identities, policy, state, constraints: input.constraints, scope }));
    found.push(...groupDrift({ target: t.name, snapshot, identities: input.identities, policy, state, privilegedGroups: input.allow.privilegedGroups, byAnchor: managedByAnchor(snapshot.accounts) }));
  }
  for (const item of found) item.fixedBy = fixesFor(item, changeIds);
  sortItems(found);

  const { items, allowed, warnings } = applyAllowList(found, input.allow, input.now);
  return {
    format_version: 1,
    generated_at: input.now,
    policy_commit: input.policyCommit,
    policy_digest: input.policyDigest,
    state_serial: state.serial,
    district: policy.district.name,
    targets,
    summary: summarizeDrift(items, allowed.length),
    items,
    allowed,
    warnings,
  };
}

const CATEGORY_RANK = new Map<DriftCategory, number>(DRIFT_CATEGORIES.map((c, i) => [c, i]));

/** The model owns the order every renderer shows: category, target, group, school, then id. */
export function sortItems(items: DriftItem[]): void {
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  items.sort((a, b) => (CATEGORY_RANK.get(a.category) ?? 0) - (CATEGORY_RANK.get(b.category) ?? 0) || cmp(a.target, b.target) || cmp(a.group ?? '', b.group ?? '') || cmp(a.school, b.school) || cmp(a.id, b.id));
}

export function summarizeDrift(items: readonly DriftItem[], allowed: number): DriftSummary {
  const by_category = Object.fromEntries(DRIFT_CATEGORIES.map((c) => [c, 0])) as Record<DriftCategory, number>;
  const by_severity: Record<DriftSeverity, number> = { high: 0, medium: 0, low: 0 };
  const by_target: Record<string, number> = {};
  const by_school: Record<string, number> = {};
  let fixable = 0;
  for (const i of items) {
    by_category[i.category]++;
    by_severity[i.severity]++;
    by_target[i.target] = (by_target[i.target] ?? 0) + 1;
    const school = i.school || '(none)';
    by_school[school] = (by_school[school] ?? 0) + 1;
    if (i.fixedBy.length > 0) fixable++;
  }
  return { total: items.length, allowed, by_category, by_severity, by_target: sortKeys(by_target), by_school: sortKeys(by_school), fixable };
}

function sortKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
