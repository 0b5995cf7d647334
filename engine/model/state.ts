import type { AccountAttrs } from './accounts.js';

/**
 * rollcall's own memory between runs. Directories are re-read every plan (level-based);
 * state holds only what cannot be read back from them: the never-reissue registry,
 * lifecycle timers, what was last applied, the serial, and the audit journal.
 */

export interface RegistryEntry {
  anchor: string;
  issued_at: string;
}

export interface PersonState {
  username: string;
  first_seen: string;
  /** First time a plan saw this person missing from a bulk export. */
  missing_since?: string;
  suspended_at?: string;
  delete_after?: string;
  graduated_at?: string;
  deleted_at?: string;
  /** Role, grade and school last seen in the SIS: lifecycle needs them once the person is gone. */
  last_role?: string;
  last_grade?: string;
  last_school?: string;
  last_grad_year?: string;
  /** Former usernames, kept as aliases after a rename. */
  previous_usernames?: string[];
}

export interface SisSnapshotInfo {
  digest: string;
  /** The applied plan's `inputs.sis_people`. */
  people: number;
  /**
   * The applied plan's `inputs.sis_eligible`, the base of the next plan's eligible `sis.shrink`
   * check. Absent from state written before rollcall recorded it: that check is then skipped.
   */
  eligible?: number;
  taken_at: string;
}

export interface JournalEntry {
  seq: number;
  at: string;
  plan_digest: string;
  policy_commit: string | null;
  actor: string;
  change_id: string;
  target: string;
  action: string;
  anchor?: string;
  rule?: string;
  cause: string;
  outcome: 'applied' | 'failed' | 'intent';
  error?: string;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}

export interface StateDocument {
  format_version: 1;
  lineage: string;
  serial: number;
  /** Every username ever issued, lower-case, never removed. */
  registry: Record<string, RegistryEntry>;
  people: Record<string, PersonState>;
  /** Per target, per anchor: the attributes rollcall last wrote. */
  last_applied: Record<string, Record<string, AccountAttrs>>;
  sis: SisSnapshotInfo | null;
  /** The last journal seq folded into this document (crash recovery replays what follows). */
  journal_seq?: number;
}

export function emptyState(lineage: string): StateDocument {
  return { format_version: 1, lineage, serial: 0, registry: {}, people: {}, last_applied: {}, sis: null };
}

/** The registry's own entry for a name: `constructor` or `__proto__` are usernames like any other, not Object.prototype's. */
export function issuedEntry(registry: Readonly<Record<string, RegistryEntry>>, name: string): RegistryEntry | undefined {
  return Object.hasOwn(registry, name) ? registry[name] : undefined;
}
