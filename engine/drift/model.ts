import type { Diagnostic, SourceRange } from '../model/diagnostics.js';
import type { AttrValue } from '../model/plan.js';

/**
 * The drift report is plain data, like the plan: text, JSON, CSV, Markdown and HTML all
 * render this one model (through engine/render/drift-view.ts, which applies privacy).
 * It holds real usernames and paths; renderers decide what a reader may see.
 */

/**
 * What kind of drift, in the model's fixed reading order (most serious first). The strings
 * are stable: JSON/CSV consumers and allow-list entries name them.
 */
export const DRIFT_CATEGORIES = [
  /** A member of a protected or privileged group that no policy rule grants. */
  'privileged-member',
  /** Enabled, although policy says the account is disabled (withdrawn, graduated, enabledUser=false). */
  'unexpected-enabled',
  /** An account without an anchor inside a path rollcall manages: the SIS does not know it. */
  'orphan-account',
  /** A managed account whose username is not the one rollcall issued, or breaks the naming constraints. */
  'username-out-of-policy',
  /** rollcall created this account (it is in last-applied state) and it is gone from the target. */
  'missing-account',
  /** Disabled, although policy says the account is active. */
  'unexpected-disabled',
  /** Names, email or placement differ from what rollcall last wrote. */
  'attribute-changed',
] as const;

export type DriftCategory = (typeof DRIFT_CATEGORIES)[number];

export type DriftSeverity = 'high' | 'medium' | 'low';

export const SEVERITY_OF: Readonly<Record<DriftCategory, DriftSeverity>> = {
  'privileged-member': 'high',
  'unexpected-enabled': 'high',
  'orphan-account': 'high',
  'username-out-of-policy': 'medium',
  'missing-account': 'medium',
  'unexpected-disabled': 'medium',
  'attribute-changed': 'low',
};

/** One-line descriptions for report legends. */
export const CATEGORY_TITLES: Readonly<Record<DriftCategory, string>> = {
  'privileged-member': 'Privileged group members not granted by policy',
  'unexpected-enabled': 'Enabled accounts that policy says are disabled',
  'orphan-account': 'Unmanaged accounts in managed paths (orphans)',
  'username-out-of-policy': 'Usernames out of policy',
  'missing-account': 'Managed accounts missing from the target',
  'unexpected-disabled': 'Disabled accounts that policy says are enabled',
  'attribute-changed': 'Attributes changed outside rollcall',
};

/**
 * Where the difference comes from: `outside` = the target differs from what rollcall last
 * wrote (someone changed it behind rollcall's back); `pending` = the target still holds
 * what rollcall wrote, and the policy or the SIS has moved on (the next plan carries it).
 */
export type DriftOrigin = 'outside' | 'pending';

export interface DriftAttr {
  name: string;
  /** What policy wants now; absent when policy has no opinion (person gone from the SIS). */
  expected?: AttrValue;
  observed: AttrValue;
  /** What rollcall last wrote, when it wrote this account. */
  lastApplied?: AttrValue;
}

export interface DriftAllowMatch {
  /** Index of the entry in drift-allow.yaml's `allow` list. */
  index: number;
  reason: string;
  expires: string;
  source?: SourceRange;
}

export interface DriftItem {
  /** Stable and unique within a report: `${target}:${category}:${key}`. */
  id: string;
  category: DriftCategory;
  severity: DriftSeverity;
  origin: DriftOrigin;
  target: string;
  /** The person's SIS sourcedId, when the account carries one or the group member is managed. */
  anchor?: string;
  /** The provider's id of the account (DN, GUID, ...), when it exists. */
  objectId?: string;
  /** The account's username as observed (or as last applied, for missing accounts). */
  username?: string;
  /** For privileged-member: the group. */
  group?: string;
  /** The account's logical path as observed (or last applied). */
  path?: string;
  /** School code, for charts: from the SIS, state, or a school code in the path; '' when unknown. */
  school: string;
  attrs: DriftAttr[];
  /** Who/when changed it, where the target records it. */
  modifiedBy?: string;
  modifiedAt?: string;
  /** One line for people; never contains a name, username or email. */
  detail: string;
  /** Ids of the changes in the fresh plan that correct this item; [] = apply will not fix it. */
  fixedBy: string[];
  /** Set when an allow-list entry covers the item (it is then in `allowed`, not `items`). */
  allow?: DriftAllowMatch;
}

export interface DriftSummary {
  /** Reported items (not allow-listed). */
  total: number;
  allowed: number;
  by_category: Record<DriftCategory, number>;
  by_severity: Record<DriftSeverity, number>;
  by_target: Record<string, number>;
  by_school: Record<string, number>;
  /** Reported items the next plan + apply corrects. */
  fixable: number;
}

export interface DriftTargetInfo {
  name: string;
  accounts: number;
  groups: number;
  /** Path roots treated as managed (orphans are looked for under them). */
  managedRoots: string[];
}

export interface DriftReport {
  format_version: 1;
  /** The time of the run (`--now`). */
  generated_at: string;
  policy_commit: string | null;
  policy_digest: string;
  state_serial: number;
  district: string;
  targets: DriftTargetInfo[];
  summary: DriftSummary;
  /** Drift to act on, in the model's order: category, target, group, school, key. */
  items: DriftItem[];
  /** Drift the allow-list expects, same order, each with its entry. */
  allowed: DriftItem[];
  /** Expired or unused allow-list entries, and other notes. */
  warnings: Diagnostic[];
}
