import type { JournalEntry, StateDocument } from './state.js';

/**
 * Where state lives: `local` (a file plus a lock file; the embedded default) or `postgres`
 * (advisory locks, for teams and CI runners). The orchestrator holds the lock for a whole
 * apply; plan reads without locking but consistently (one snapshot read).
 */

export interface LockInfo {
  id: string;
  /** Who holds it: `user@host pid N` or the CI actor. */
  holder: string;
  operation: 'apply' | 'migrate' | 'state';
  since: string;
}

export interface LockHandle {
  info: LockInfo;
  release(): Promise<void>;
}

export interface StateReadOptions {
  /**
   * The caller only reads the state, looks up few registry and last_applied entries and
   * writes nothing back: a backend may then parse those entries when they are first used
   * instead of all at once (the local file does; postgres ignores it). Entries are still
   * checked, and a broken one is reported when it is touched rather than by the read. A run
   * that writes state or walks every entry must not ask for it: it would pay for both.
   */
  deferMaps?: boolean;
}

export interface StateBackend {
  /** Human description without secrets, e.g. `local:/repo/.rollcall/state.json`. */
  readonly description: string;
  /** Read the current state; an empty state (serial 0) when none exists yet. */
  read(opts?: StateReadOptions): Promise<StateDocument>;
  /**
   * Acquire the exclusive lock, waiting up to timeoutMs (0 = fail at once).
   * Throws RefusedError('state.locked', ...) naming the holder and since when.
   */
  lock(operation: LockInfo['operation'], timeoutMs: number): Promise<LockHandle>;
  /**
   * Write a new state under the held lock. Must be atomic (no torn writes) and must
   * refuse (RefusedError 'state.serial') if the stored serial is not `expectedSerial`.
   */
  write(state: StateDocument, expectedSerial: number, lock: LockHandle): Promise<void>;
  /** Append journal entries (intent/result) under the held lock; durable before returning. */
  appendJournal(entries: JournalEntry[], lock: LockHandle): Promise<void>;
  /** Read journal entries, optionally since an ISO time or for one anchor, in seq order. */
  readJournal(filter?: { since?: string; anchor?: string; afterSeq?: number }): Promise<JournalEntry[]>;
  /** Current lock, if any (for `state show` and error messages). */
  currentLock(): Promise<LockInfo | null>;
  /** Break a lock by id (`rollcall force-unlock ID`). */
  forceUnlock(id: string): Promise<void>;
  close(): Promise<void>;
}
