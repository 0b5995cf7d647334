import type { TargetSnapshot } from './accounts.js';
import type { Diagnostic } from './diagnostics.js';
import type { Change, MemberRef } from './plan.js';
import type { Roster } from './people.js';
import type { TargetConfig } from './policy.js';

/**
 * The narrow contract every target provider implements (sandbox, ldap, google, entra).
 * The engine talks only to this; a provider's SDK is imported by the provider alone,
 * and lazily (see providers/registry.ts), so `rollcall --help` never loads googleapis.
 */

/** Static, SDK-free facts the pure core needs to compute valid usernames for a target. */
export interface TargetConstraints {
  /** Longest username the target accepts (AD sAMAccountName: 20). */
  maxUsernameLength: number;
  /** Characters allowed in a username, as a character-class body, e.g. `a-z0-9._-`. */
  usernameCharset: string;
  /** Whether the username may start or end with `.`. */
  dotEdgesAllowed: boolean;
}

export interface ProviderContext {
  /** Absolute path of the policy repo, for relative paths in target settings. */
  policyDir: string;
  /** Environment for credentials; providers read secrets from here, never from policy files. */
  env: NodeJS.ProcessEnv;
  /** Progress/log sink. Never given names or secrets. */
  log: (message: string) => void;
}

/** What apply hands a provider besides the change: secrets that never enter the plan. */
export interface ApplySecrets {
  /** The initial password for a create, generated at apply time; undefined when none. */
  initialPassword?: string;
  changeAtNextLogin?: boolean;
}

export type ChangeOutcome =
  | { status: 'applied'; objectId?: string }
  /** The change was already in effect (idempotent re-run after a crash). */
  | { status: 'already'; objectId?: string }
  | { status: 'failed'; error: string; terminal: boolean };

export interface TargetProvider {
  readonly target: string;
  /**
   * How many changes apply may have in flight at once for this target (default 1). Remote
   * APIs reach their quota only with several requests in flight; the provider still owns
   * its rate limiting and retries.
   */
  readonly concurrency?: number;
  /** Read the full actual state under the managed scope(s). */
  read(): Promise<TargetSnapshot>;
  /**
   * Optional change feed (AD uSNChanged, Graph delta): bring `previous` up to date by reading
   * only what changed since its `cursor`. Returns `incremental: false` when it had to fall
   * back to a full read (no cursor, expired token, directory restored).
   */
  readIncremental?(previous: TargetSnapshot): Promise<TargetSnapshot & { incremental: boolean }>;
  /** Apply one change idempotently; check the anchor before creating. */
  apply(change: Change, secrets: ApplySecrets): Promise<ChangeOutcome>;
  /**
   * Optional: apply a whole planned membership change (the PLAN shape: one change per group
   * and action, `members` listing them) at once, batching member values where the target can
   * (one LDAP modify per few hundred values), and report each member's outcome, in any order.
   * Idempotent: members already present (add) or already absent (remove) are `already`.
   * Without it, apply expands the change into one `apply` call per member.
   */
  applyMembers?(change: Change): Promise<{ member: MemberRef; outcome: ChangeOutcome }[]>;
  close(): Promise<void>;
}

export interface TargetProviderModule {
  /** Validate target settings; diagnostics point at the target's entry in the policy. */
  validateSettings(config: TargetConfig): Diagnostic[];
  create(config: TargetConfig, ctx: ProviderContext): Promise<TargetProvider>;
}

export interface SisReadOptions {
  /** Absolute path or URL of the export. */
  location: string;
  settings: Record<string, unknown>;
  env: NodeJS.ProcessEnv;
  /** Called now and then with progress on long reads; never with names. */
  progress?: (message: string) => void;
  /** The roster last applied, for sources that deliver deltas (OneRoster `delta` files). */
  base?: Roster;
}

export interface SisReadResult {
  roster: Roster;
  /** Warnings (header quirks, duplicate emails...) ; errors are thrown as InputError. */
  warnings: Diagnostic[];
  /** sha256 over the export's bytes as read, for plan inputs and snapshots. */
  digest: string;
  /** File name -> sha256 of each file `digest` combines, where the source knows them (OneRoster CSV). */
  fileDigests?: Record<string, string>;
}

export interface SisSource {
  read(options: SisReadOptions): Promise<SisReadResult>;
}
