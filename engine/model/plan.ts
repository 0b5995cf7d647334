import type { Diagnostic } from './diagnostics.js';
import type { SafetyAction } from './policy.js';

/** The plan is plain data: JSON-able, rendered and applied by other code. */

export type Action = 'create' | 'update' | 'move' | 'rename' | 'disable' | 'enable' | 'delete' | 'add' | 'remove' | 'adopt';

export type ChangeKind = 'container' | 'account' | 'group' | 'membership';

/** What caused a change: reviewed policy edits, the daily SIS, lifecycle dates, or drift. */
export type Cause = 'policy' | 'sis' | 'lifecycle' | 'drift' | 'adoption';

/** Why a change is in the plan; for people, never used to decide anything at apply time. */
export interface Reason {
  cause: Cause;
  /** The policy rule behind it, e.g. `naming.usernames[0]`, `lifecycle.withdrawal`. */
  rule?: string;
  /** The SIS record behind it, e.g. `users.csv:42` or a sourcedId. */
  record?: string;
  /** The date behind a lifecycle change. */
  date?: string;
  detail: string;
}

export type AttrValue = string | boolean | string[] | null;
export type AttrMap = Record<string, AttrValue>;

/**
 * Change shapes, by kind and action (what providers receive; `before`/`after` hold only
 * the attributes that matter for that action):
 * - container create: key = logical path; after {path}.
 * Account changes are keyed by anchor (the sourcedId), not by name, so change ids carry no PII.
 * - account create: key = anchor; anchor; after = full AccountAttrs
 *   {username, givenName, familyName, displayName, email, path, enabled}.
 *   The initial password is NOT in the change; apply passes it in ApplySecrets.
 * - account adopt: object_id; anchor; after {anchor} (write the anchor attribute).
 * - account update: object_id; before/after hold only the changed attributes among
 *   givenName, familyName, displayName, email.
 * - account rename: object_id; before {username, email}; after {username, email, aliases}
 *   where aliases lists old addresses to keep.
 * - account move: object_id; before {path}; after {path}.
 * - account disable / enable: object_id; before {enabled}; after {enabled}.
 * - account delete: object_id; before = full AccountAttrs.
 * - group create: key = group name; after {name, description}.
 * - membership add / remove, in the PLAN: one change per group and action (a first run or a
 *   promotion adds members by the ten thousand; one change per member would dominate plan
 *   time and size). key = group name (`${group}#unmanaged` for removing members rollcall does
 *   not manage); `members` lists {anchor?, username}; after (add) / before (remove) is
 *   {group}.
 * - membership add / remove, as PROVIDERS receive it: apply expands each planned membership
 *   change into one change per member, key = `${group}|${anchor or username}`, anchor = the
 *   member's anchor, after (add) or before (remove) {group, member: username}. Providers
 *   resolve both at apply time, because the account may be created earlier in the same apply.
 * Every account change except create carries object_id; providers still verify the anchor.
 */
export interface MemberRef {
  /** The member's sourcedId, when rollcall manages the account. */
  anchor?: string;
  username: string;
}

export interface Change {
  /** Unique and stable within a plan: `${target}:${kind}:${key}:${action}`. */
  id: string;
  target: string;
  kind: ChangeKind;
  action: Action;
  /** The person's sourcedId, where the change concerns a person. */
  anchor?: string;
  /** What the change is about: account anchor, group name, `group|member`, container path. */
  key: string;
  /** The provider's id of the object acted on, when it exists already. */
  object_id?: string;
  before?: AttrMap;
  after?: AttrMap;
  reason: Reason;
  /** Membership changes: the members added or removed (see the shapes above). */
  members?: MemberRef[];
  /** For account creates: the password rule apply uses (the password itself is never in a plan). */
  password_rule?: string;
  /** Ids of changes that must be applied first (container before account, account before membership). */
  depends_on?: string[];
}

export interface SafetyViolation {
  /** Stable id an override names, e.g. `disable.count` or `sis.shrink`. */
  id: string;
  action: SafetyAction | 'sis-shrink' | 'protected';
  limit: string;
  actual: string;
  detail: string;
}

/**
 * Changes to rollcall's own state that are not directory writes: lifecycle timers, and
 * `facts` (`role|grade|school|gradYear` last seen in the SIS, which lifecycle needs once a
 * person has left the export). Apply records them; registry entries follow from creates
 * and renames.
 */
export interface StateUpdate {
  anchor: string;
  field: 'missing_since' | 'suspended_at' | 'delete_after' | 'facts';
  value: string | null;
  reason: Reason;
}

/** A decision the plan cannot make alone (rename approval, ambiguous correlation). */
export interface PendingDecision {
  kind: 'rename-approval' | 'ambiguous-correlation';
  anchor: string;
  target?: string;
  detail: string;
  candidates?: string[];
  /** rename-approval: the username policy now gives, for the reviewer to approve in decisions/. */
  proposed?: string;
}

export interface PlanInputs {
  now: string;
  policy_digest: string;
  policy_commit: string | null;
  sis_digest: string;
  /** Every person row of the export (guardians and parents included). */
  sis_people: number;
  /**
   * People the export gives a role this policy provisions (policy.roles), whatever its dates:
   * a truncated roles.csv keeps sis_people and lowers this. Absent from plans made by rollcall
   * before it was recorded (apply then records no eligible count).
   */
  sis_eligible: number;
  /** What changed in the SIS since state last recorded it (the last apply), in people. */
  sis_changes: SisChanges;
  state_lineage: string;
  state_serial: number;
  targets: Record<string, { digest: string; accounts: number; groups: number }>;
}

/**
 * The SIS since the last apply, as a reviewer asks first: how many people are new, how many
 * left, how many changed role, grade or school. Counts only, never who.
 */
export interface SisChanges {
  /** In the export with an eligible role, and not yet in state. */
  added: number;
  /** In state as present, and missing from this export (their lifecycle clock starts now). */
  gone: number;
  /** Role, grade or school differ from what state remembers. */
  changed: number;
}

export interface PlanSummary {
  total: number;
  by_action: Partial<Record<Action, number>>;
  by_target: Record<string, Partial<Record<Action, number>>>;
  by_cause: Partial<Record<Cause, number>>;
}

/** Correlation outcomes for one target (accounts and people counted once each). */
export interface CorrelationCounts {
  /** People whose account already carries their anchor. */
  linked: number;
  /** People adopted through a strong matcher (an `adopt` change). */
  matched: number;
  /** People adopted through a reviewed decision file. */
  decided: number;
  /** People with several or only weak candidates: a decision each, and no create. */
  ambiguous: number;
  /** People with no candidate at all: created as usual. */
  unmatched_persons: number;
  /** Accounts in the managed scope that belong to nobody: reported, never touched. */
  orphans: number;
  /** Accounts outside the managed scope that matched nobody. */
  out_of_scope: number;
  /** Accounts excluded by policy/exclusions.yaml: never touched. */
  excluded: number;
  /** Accounts a decision marks as nobody's (service, shared): never touched. */
  not_a_person: number;
  /** Changes adoption mode held back (disables, deletes and their lifecycle moves). */
  held_changes: number;
}

export interface CorrelationSummary {
  adoption: boolean;
  targets: Record<string, CorrelationCounts & { orphan_ids: string[] }>;
}

export interface PlanDocument {
  format_version: 1;
  created_at: string;
  inputs: PlanInputs;
  summary: PlanSummary;
  changes: Change[];
  state_updates: StateUpdate[];
  decisions: PendingDecision[];
  safety: { ok: boolean; halted: boolean; violations: SafetyViolation[] };
  warnings: Diagnostic[];
  /** Present when correlation ran (adoption mode, matchers, exclusions or decisions in policy). */
  correlation?: CorrelationSummary;
  /** sha256 over everything above, so apply can refuse a plan edited by hand. */
  digest: string;
}

/** The fixed order renderers and apply use: containers, accounts, groups, memberships. */
export const KIND_ORDER: readonly ChangeKind[] = ['container', 'account', 'group', 'membership'];
export const ACTION_ORDER: readonly Action[] = ['create', 'adopt', 'rename', 'update', 'move', 'enable', 'add', 'remove', 'disable', 'delete'];
