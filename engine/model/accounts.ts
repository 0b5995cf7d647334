/**
 * Desired (what policy says) and observed (what a directory holds) are different types:
 * observed state can always be rebuilt by reading the target; desired state is a pure
 * function of policy, roster, state and time.
 */

/** The target-neutral attributes rollcall manages on an account. */
export interface AccountAttrs {
  username: string;
  givenName: string;
  familyName: string;
  displayName: string;
  email: string;
  /** Logical placement, e.g. `Students/MHS/2030`; each provider renders it (DN, orgUnitPath, AU). */
  path: string;
  enabled: boolean;
}

export const ACCOUNT_ATTR_KEYS = ['username', 'givenName', 'familyName', 'displayName', 'email', 'path', 'enabled'] as const satisfies readonly (keyof AccountAttrs)[];

export type LifecycleStateName = 'active' | 'pending' | 'suspended' | 'deleted';

/** Why a person is in the lifecycle state they are in: which rule, which date. */
export interface LifecycleDecision {
  state: LifecycleStateName;
  /** e.g. `lifecycle.withdrawal`, `lifecycle.holds[0]`, `sis.enabledUser`. */
  rule: string;
  /** The date that triggered it (ISO), when one did. */
  date?: string;
  detail: string;
}

export interface DesiredAccount extends AccountAttrs {
  /** The person's SIS sourcedId. */
  anchor: string;
  role: string;
  school: string;
  grade: string;
  gradYear: number | null;
  /** Group names this account belongs in, for this target, sorted. */
  groups: string[];
  lifecycle: LifecycleDecision;
  /** The rule behind each computed attribute, for reasons and `explain`. */
  rules: { username: string; email: string; displayName: string; path: string };
  /** Set when the username was newly issued in this plan (not from the registry). */
  newlyIssued: boolean;
  /** Set when policy computes a different username than the registry holds. */
  pendingRename?: { to: string; rule: string };
}

export interface DesiredGroup {
  name: string;
  description: string;
  membership: 'authoritative' | 'additive';
  rule: string;
  /** Anchors of the members, sorted. */
  members: string[];
}

export interface ObservedAccount extends AccountAttrs {
  /** The provider's own stable key (DN, objectGUID, Google id, Entra id). */
  id: string;
  /** The anchor attribute's value, when the account carries one. */
  anchor: string | null;
  aliases: string[];
  /** Who last modified the account, where the target records it (AD `modifiersName`); for drift reports. */
  modifiedBy?: string;
  /** When the account was last modified (ISO-8601), where the target records it; for drift reports. */
  modifiedAt?: string;
  /**
   * Further attributes a provider was configured to read for correlation (LDAP
   * `employeeNumber`, an extension attribute, a Google custom schema field), by the name
   * policy/correlation.yaml uses (`attribute: extra.employeeNumber`). Optional: providers that
   * read none leave it out. It never takes part in the diff.
   */
  extra?: Record<string, string>;
}

export interface ObservedGroup {
  id: string;
  name: string;
  description: string;
  /** Member account ids (ObservedAccount.id), sorted. */
  members: string[];
  /** Whether rollcall created/owns it (marker attribute), as far as the target can tell. */
  managed: boolean;
}

/** Everything rollcall reads from one target: the actual state. */
export interface TargetSnapshot {
  target: string;
  accounts: ObservedAccount[];
  groups: ObservedGroup[];
  /** Logical paths of containers (OUs, org units) that exist. */
  containers: string[];
  /** Opaque change-feed cursor for incremental refresh, when the provider has one. */
  cursor?: string;
}
