import type { SourceRange } from './diagnostics.js';

/**
 * The normalized policy the engine computes with. The YAML/CUE a district writes
 * (`WrittenPolicy`, loosely typed, validated by JSON Schema) is turned into this by
 * engine/policy/normalize.ts; every optional knob has its default filled in here.
 * `origin` fields let diagnostics and `explain` point back at the rule's file and line.
 */

export interface RuleOrigin {
  /** Human id of the rule, e.g. `naming.usernames[0]` or a rule's own `id:`. */
  id: string;
  source?: SourceRange;
}

/** A predicate over a person in one role. Every listed field must match (AND); lists are OR. */
export interface Match {
  role?: string[];
  school?: string[];
  grade?: string[];
  gradYear?: number[];
  /** Arbitrary field equality, e.g. `{ 'userIds.LDAP': '12' }` or `{ enabledUser: 'false' }`. */
  fields?: Record<string, string[]>;
}

/** A compiled template such as `{given|first:1}{family}{gradYear|last:2}`. */
export interface Template {
  text: string;
  parts: TemplatePart[];
  origin: RuleOrigin;
}

export type TemplatePart =
  | { kind: 'literal'; value: string }
  | { kind: 'field'; field: string; filters: TemplateFilter[] };

export interface TemplateFilter {
  name: string;
  args: string[];
}

export interface UsernameRule {
  origin: RuleOrigin;
  when: Match;
  /** Tried in order; the first that yields a usable, free name wins. */
  templates: Template[];
  collision: { strategy: 'number'; minDigits: number; start: number };
  maxLength: number;
}

export type RenamePolicy = 'keep' | 'rename' | 'approve';

export interface NamingPolicy {
  usernames: UsernameRule[];
  email: { origin: RuleOrigin; when: Match; template: Template }[];
  displayName: { origin: RuleOrigin; when: Match; template: Template }[];
  /** Lower-case names never issued: admin, root, role accounts. */
  reserved: string[];
  /** What happens when a person's computed username changes (legal or preferred name change). */
  renames: RenamePolicy;
}

export interface PlacementRule {
  origin: RuleOrigin;
  when: Match;
  /** Logical path, e.g. `Students/{school}/{gradYear}`; each target renders it (DN, orgUnitPath, AU). */
  path: Template;
  /** Per-target override of the path, keyed by target name. */
  targets: Record<string, Template>;
}

export interface PlacementPolicy {
  rules: PlacementRule[];
  /** Paths whose accounts rollcall never moves (placed there by hand on purpose). */
  protectedPaths: string[];
}

export interface GroupRule {
  origin: RuleOrigin;
  when: Match;
  /** Group name template; with `forEach: class`, `{class.code}` etc. are available. */
  name: Template;
  forEach: 'person' | 'class';
  membership: 'authoritative' | 'additive';
  description?: Template;
  /** Restrict to some targets; empty means all. */
  targets: string[];
}

export interface GroupsPolicy {
  rules: GroupRule[];
}

export interface LifecycleStage {
  origin: RuleOrigin;
  /** Days after the trigger date before the account is suspended (0 = at once). */
  suspendAfterDays: number;
  /** Days after suspension before deletion; null = never delete. */
  deleteAfterDays: number | null;
  /** Logical path to move suspended accounts to; null = leave in place. */
  path: Template | null;
}

export interface CalendarHold {
  origin: RuleOrigin;
  from: string;
  to: string;
  reason: string;
  /** Which actions the hold blocks: by default suspensions and deletions. */
  blocks: ('disable' | 'delete')[];
}

export interface LifecyclePolicy {
  /** Create accounts this many days before a role's beginDate. */
  preEnrollmentDays: number;
  withdrawal: LifecycleStage;
  graduation: LifecycleStage;
  staffDeparture: LifecycleStage;
  holds: CalendarHold[];
}

export type SafetyAction = 'create' | 'update' | 'move' | 'rename' | 'disable' | 'enable' | 'delete' | 'add' | 'remove';

export interface SafetyLimit {
  /** Absolute maximum count of this action in one plan; null = no count limit. */
  count: number | null;
  /** Maximum as a percent of managed accounts; null = no percent limit. */
  percent: number | null;
}

export interface SafetyPolicy {
  origin: RuleOrigin;
  limits: Partial<Record<SafetyAction, SafetyLimit>>;
  /** A bulk export that lost more than this percent of people since the last snapshot halts the plan. */
  maxSisShrinkPercent: number;
  protectedUsernames: string[];
  protectedPaths: string[];
  protectedGroups: string[];
}

export interface PasswordRule {
  origin: RuleOrigin;
  when: Match;
  kind: 'words' | 'random';
  /** words: how many; random: length. */
  length: number;
  changeAtNextLogin: boolean;
}

export interface PasswordsPolicy {
  rules: PasswordRule[];
  /** Stored initial passwords older than this many days are purged at the end of each apply. */
  keepDays: number;
}

export interface TargetConfig {
  name: string;
  provider: string;
  /** Provider-specific settings, validated by the provider's own schema. */
  settings: Record<string, unknown>;
  origin: RuleOrigin;
}

export interface SisConfig {
  format: 'oneroster-csv' | 'oneroster-rest' | 'sds-csv';
  /** Path relative to the policy repo (csv formats). */
  path: string;
  /** Extra settings for REST and other sources. */
  settings: Record<string, unknown>;
}

export interface StateConfig {
  backend: 'local' | 'postgres';
  settings: Record<string, unknown>;
}

export interface SchoolDef {
  /** The org `identifier` in the SIS. */
  code: string;
  name: string;
}

/**
 * Correlation (policy/correlation.yaml): how accounts without an anchor are linked to people
 * on adoption. Matchers run in order per person; the first that finds any candidate decides.
 */
export type MatcherKind = 'anchor' | 'attribute' | 'email' | 'username' | 'name';

export interface CorrelationMatcher {
  origin: RuleOrigin;
  kind: MatcherKind;
  /** strong: one candidate is adopted; weak: always listed for a person to decide. */
  confidence: 'strong' | 'weak';
  /** Targets this matcher applies to; empty = every target. */
  targets: string[];
  /**
   * The account side: `anchor`, `username`, `email` (also matches aliases), `givenName`,
   * `familyName`, `displayName`, or `extra.<name>` (ObservedAccount.extra). Unused by `name`.
   */
  attribute: string;
  /** The person side: a person field (`identifier`, `sisUsername`, `email`, `userIds.<type>`, ...). */
  field: string | null;
  /** The person side as a template; wins over `field`. */
  template: Template | null;
  /** `name` only: also require this person value as one segment of the account's path. */
  with: 'school' | 'grade' | 'gradYear' | null;
}

export interface CorrelationPolicy {
  matchers: CorrelationMatcher[];
  /** Logical path roots of the managed scope: unclaimed accounts there are orphans. Empty = everywhere. */
  scope: string[];
}

/** An account rollcall never touches (policy/exclusions.yaml). Every given selector must match. */
export interface AccountExclusion {
  origin: RuleOrigin;
  username: string | null;
  id: string | null;
  /** A glob over the logical path: `*` one segment's characters, `**` any depth. */
  path: string | null;
  /** The person this account belongs to, if any: no account is created for them either. */
  person: string | null;
  targets: string[];
  reason: string;
}

export type OverridableAttr = 'username' | 'givenName' | 'familyName' | 'displayName' | 'email' | 'path';

/** A per-person override of a computed attribute (policy/overrides.yaml). */
export interface AttributeOverride {
  origin: RuleOrigin;
  person: string;
  attribute: OverridableAttr;
  value: string;
  targets: string[];
  reason: string;
  /** ISO date (YYYY-MM-DD); from this day on the override is a warning and no longer applies. */
  expires: string;
}

/** A reviewed resolution of an ambiguous correlation (decisions/*.yaml). */
/** A reviewed approval: this person's username may become `to` (naming.renames: approve). */
export interface RenameApproval {
  origin: RuleOrigin;
  person: string;
  to: string;
  reason: string;
}

export interface CorrelationDecision {
  origin: RuleOrigin;
  target: string;
  /** The account's provider id or its username. */
  account: string;
  /** The person it belongs to; null with notAPerson. */
  person: string | null;
  notAPerson: boolean;
  reason: string;
}

/** Adoption mode (rollcall.yaml `adoption:`, or `plan --adopt`) for the first runs on a populated directory. */
export interface AdoptionPolicy {
  enabled: boolean;
  /** keep: accounts keep the username they have (default); rename: naming.renames applies. */
  renames: 'keep' | 'rename';
  /** Allow disables and deletes of pre-existing accounts in adoption mode (default false). */
  allowDisable: boolean;
}

export interface Policy {
  district: { name: string; domain: string };
  /** Roles that get accounts at all. Guardians usually do not. */
  roles: string[];
  schools: SchoolDef[];
  sis: SisConfig;
  state: StateConfig;
  targets: TargetConfig[];
  naming: NamingPolicy;
  placement: PlacementPolicy;
  groups: GroupsPolicy;
  lifecycle: LifecyclePolicy;
  passwords: PasswordsPolicy;
  safety: SafetyPolicy;
  /** Optional so hand-built policies stay valid; the loader always fills them (defaults: empty, off). */
  correlation?: CorrelationPolicy;
  exclusions?: AccountExclusion[];
  overrides?: AttributeOverride[];
  decisions?: CorrelationDecision[];
  /** Reviewed rename approvals (decisions/*.yaml `renames:`), for `naming.renames: approve`. */
  renameApprovals?: RenameApproval[];
  adoption?: AdoptionPolicy;
}
