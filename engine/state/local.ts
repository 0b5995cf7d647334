import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { InternalError, RefusedError } from '../model/errors.js';
import { emptyState, type JournalEntry, type StateDocument } from '../model/state.js';
import type { LockHandle, LockInfo, StateBackend, StateReadOptions } from '../model/state-backend.js';
import { readHead, removeStaleTemps } from './fs-durable.js';
import { holderIdentity } from './holder.js';
import type { JournalFilter } from './journal-filter.js';
import { acquireLocalLock, type LocalLockRecord, readLockFile, removeLockIf, removeOldLockLeftovers } from './local-lock.js';
import { appendLocalJournal, readLocalJournal } from './local-journal.js';
import { lockLostError } from './lock-message.js';
import { assertStateDocument } from './schema.js';
import { FILE_FORMAT, headerFromHead, readStateFile, writeStateFile } from './state-file.js';
import { checkedDocument } from './write-check.js';

/**
 * The embedded default backend, like Terraform's local backend: `state.json` (replaced
 * atomically, laid out as in state-file.ts), `state.journal.jsonl` beside it (append-only)
 * and `state.json.lock` while a run holds the lock.
 */

export interface LocalStateOptions {
  hostname?: string;
  pid?: number;
  /** Shown as the lock holder; default `user@host pid N`. */
  holder?: string;
  now?: () => Date;
  /** Told when a stale lock is broken automatically (its holder died on this host). */
  onNotice?: (message: string) => void;
}

/** `state.json` -> `state.journal.jsonl`; any other name gets `.journal.jsonl` appended. */
export function journalPathFor(statePath: string): string {
  return statePath.endsWith('.json') ? statePath.slice(0, -'.json'.length) + '.journal.jsonl' : statePath + '.journal.jsonl';
}

export function localStateBackend(path: string, opts: LocalStateOptions = {}): StateBackend {
  const statePath = resolve(path);
  const journalPath = journalPathFor(statePath);
  const lockPath = `${statePath}.lock`;
  const identity = holderIdentity(opts);
  const now = opts.now ?? (() => new Date());
  const where = statePath;
  const issued = new WeakSet<LockHandle>();
  const released = new WeakSet<LockHandle>();

  async function readStored(readOpts: StateReadOptions = {}): Promise<StateDocument | null> {
    // Deferred maps (registry, last_applied) check their entries as they parse them; the
    // document check below sees them only as objects (it takes the entry checks made here
    // instead of walking the maps), so it neither parses nor materializes them.
    const parsed = await readStateFile(statePath, { checkEntries: true, ...(readOpts.deferMaps ? { deferMaps: true } : {}) });
    if (parsed === null) return null;
    const doc = parsed.doc;
    // Format 2 changed the file's layout, not the document: format 1 files read as they are.
    if (typeof doc === 'object' && !Array.isArray(doc) && (doc as { format_version?: unknown }).format_version === FILE_FORMAT) {
      (doc as { format_version: number }).format_version = 1;
    }
    return assertStateDocument(doc, statePath, parsed.checks);
  }

  /**
   * Serial and lineage of the stored state for the pre-write check. Files this backend
   * wrote (either format) start with format_version, lineage, serial, so the first bytes
   * answer without parsing a state of 100k people; anything else gets a full, validated read.
   */
  async function storedHeader(): Promise<{ serial: number; lineage: string } | null> {
    const head = await readHead(statePath, 512);
    if (head === null) return null;
    const known = headerFromHead(head);
    if (known) return known;
    const full = await readStored();
    return full && { serial: full.serial, lineage: full.lineage };
  }

  /** Every mutation re-checks that the caller still holds the lock file it was given. */
  async function assertHeld(lock: LockHandle): Promise<void> {
    if (!issued.has(lock)) throw new InternalError('lock handle was not issued by this state backend');
    const current = released.has(lock) ? null : await readLockFile(lockPath);
    if (current?.id !== lock.info.id) throw lockLostError(where, lock.info.id);
  }

  function handleFor(record: LocalLockRecord): LockHandle {
    const info: LockInfo = { id: record.id, holder: record.holder, operation: record.operation, since: record.since };
    const handle: LockHandle = {
      info,
      release: async () => {
        if (released.has(handle)) return;
        released.add(handle);
        await removeLockIf(lockPath, info.id);
      },
    };
    issued.add(handle);
    return handle;
  }

  return {
    description: `local:${statePath}`,

    async read(readOpts) {
      return (await readStored(readOpts)) ?? emptyState('');
    },

    async lock(operation, timeoutMs) {
      const record = await acquireLocalLock({ lockPath, where, identity, operation, timeoutMs, now, onNotice: opts.onNotice });
      // Temp files can only be a crashed writer's leftovers now that we hold the lock.
      await removeStaleTemps(statePath);
      await removeOldLockLeftovers(lockPath, Date.now());
      return handleFor(record);
    },

    async write(state, expectedSerial, lock) {
      await assertHeld(lock);
      const doc = checkedDocument(where, await storedHeader(), state, expectedSerial, randomUUID);
      assertStateDocument(doc, `${statePath} (document to write)`);
      await writeStateFile(statePath, doc);
    },

    async appendJournal(entries: JournalEntry[], lock) {
      await assertHeld(lock);
      await appendLocalJournal(journalPath, entries);
    },

    async readJournal(filter?: JournalFilter) {
      return readLocalJournal(journalPath, filter);
    },

    async currentLock() {
      const rec = await readLockFile(lockPath);
      return rec && { id: rec.id, holder: rec.holder, operation: rec.operation, since: rec.since };
    },

    async forceUnlock(id) {
      const rec = await readLockFile(lockPath);
      if (rec === null) throw new RefusedError('state.unlock', `state ${where} is not locked`);
      if (rec.id !== id) throw new RefusedError('state.unlock', `lock id ${id} does not match the current lock ${rec.id} on state ${where} (held by ${rec.holder} since ${rec.since})`);
      if (!(await removeLockIf(lockPath, id))) throw new RefusedError('state.unlock', `lock ${id} on state ${where} changed while unlocking; check again`);
    },

    async close() {
      // Nothing is held open between calls.
    },
  };
}
