import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { pgModule } from './pg-module.js';
import { InputError, InternalError, RefusedError } from '../model/errors.js';
import type { LockHandle, LockInfo } from '../model/state-backend.js';
import { type HolderIdentity, sleep } from './holder.js';
import { lockedError, lockLostError, pollDelay } from './lock-message.js';

/**
 * The postgres lock: a session-level advisory lock held on a dedicated connection for the
 * lock's whole life. If the holder dies, its connection dies and PostgreSQL releases the
 * lock, so a dead holder never needs a human. A `locks` row says who holds it, for messages;
 * the advisory lock itself (pg_locks) is the truth. Writes go through the lock's own
 * connection, so a holder whose session was terminated (force-unlock) cannot write.
 */

export interface PgLockContext {
  connectionString: string;
  /** The quoted schema name. */
  s: string;
  workspace: string;
  where: string;
  identity: HolderIdentity;
  now: () => Date;
  onNotice?: (message: string) => void;
  lockKey: string;
  keyParts: { classid: string; objid: string };
  query<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<pg.QueryResult<R>>;
  ensureSchema(): Promise<void>;
  fail(err: unknown): RefusedError;
}

interface LockRow {
  id: string;
  holder: string;
  operation: LockInfo['operation'];
  since: string;
}

/** The info row (id null when there is none) and the session really holding the lock. */
interface LiveLockRow extends Omit<LockRow, 'id'> {
  id: string | null;
  heldBy: number | null;
  backendPid: number | null;
}

interface HeldLock {
  client: pg.Client;
  lost: boolean;
}

export interface PgLocks {
  lock(operation: LockInfo['operation'], timeoutMs: number): Promise<LockHandle>;
  /** Run `fn` in a transaction on the lock's own connection, after checking we still own it. */
  underLock<T>(lock: LockHandle, fn: (c: pg.Client) => Promise<T>): Promise<T>;
  /** Throws unless `lock` is held through this backend. */
  assertHeld(lock: LockHandle): void;
  currentLock(): Promise<LockInfo | null>;
  forceUnlock(id: string): Promise<void>;
  releaseAll(): Promise<void>;
}

export function pgLocks(ctx: PgLockContext): PgLocks {
  const { s, workspace, where, identity, lockKey, keyParts, query, fail } = ctx;
  const held = new Map<LockHandle, HeldLock>();

  /** The lock row, plus which session really holds the advisory lock (null: nobody). */
  async function liveLockRow(): Promise<LiveLockRow | null> {
    const r = await query<{ [K in keyof LockRow]: LockRow[K] | null } & { held_by: number | null; backend_pid: number | null }>(
      `SELECT l.id, l.holder, l.operation, l.since, l.backend_pid, k.held_by
         FROM (SELECT 1) one
         LEFT JOIN ${s}.locks l ON l.workspace = $1
         LEFT JOIN LATERAL (SELECT k.pid AS held_by FROM pg_locks k
                WHERE k.locktype = 'advisory' AND k.granted AND k.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND k.classid = $2::oid AND k.objid = $3::oid AND k.objsubid = 1 LIMIT 1) k ON true`,
      [workspace, keyParts.classid, keyParts.objid],
    );
    const row = r.rows[0];
    if (!row || (row.id === null && row.held_by === null)) return null;
    return {
      id: row.id,
      holder: row.holder ?? 'unknown',
      operation: row.operation ?? 'state',
      since: row.since ?? 'unknown',
      heldBy: row.held_by,
      backendPid: row.backend_pid,
    };
  }

  /**
   * Who holds the lock, for the refusal message. The advisory lock is taken a moment before
   * its info row is written, so a row that is missing or belongs to an earlier (dead)
   * session is re-read briefly rather than blamed. `null` means the lock is free now.
   */
  async function currentHolder(): Promise<LockRow | null> {
    let heldBy: number | null = null;
    for (let i = 0; i < 20; i++) {
      const row = await liveLockRow();
      heldBy = row?.heldBy ?? null;
      if (heldBy === null) return null;
      if (row && row.id !== null && row.backendPid === heldBy) return { id: row.id, holder: row.holder, operation: row.operation, since: row.since };
      await sleep(100);
    }
    return { id: 'unknown', holder: `another session (database backend pid ${String(heldBy)})`, operation: 'state', since: 'unknown' };
  }

  function heldFor(lock: LockHandle): HeldLock {
    const h = held.get(lock);
    if (!h) throw lockLostError(where, lock.info.id);
    if (h.lost) throw lockLostError(where, lock.info.id);
    return h;
  }

  /** Run `fn` in a transaction on the lock's own connection, after checking we still own it. */
  async function underLock<T>(lock: LockHandle, fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const h = heldFor(lock);
    const c = h.client;
    try {
      await c.query('BEGIN');
      const owner = await c.query<{ id: string }>(`SELECT id FROM ${s}.locks WHERE workspace = $1 FOR UPDATE`, [workspace]);
      if (owner.rows[0]?.id !== lock.info.id) throw lockLostError(where, lock.info.id);
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      if (!(err instanceof RefusedError) && !(err instanceof InputError) && !(err instanceof InternalError) && h.lost) throw lockLostError(where, lock.info.id);
      throw err instanceof InputError || err instanceof InternalError ? err : fail(err);
    }
  }

  async function releaseHeld(handle: LockHandle): Promise<void> {
    const h = held.get(handle);
    if (!h) return;
    held.delete(handle);
    if (!h.lost) {
      try {
        await h.client.query(`DELETE FROM ${s}.locks WHERE workspace = $1 AND id = $2`, [workspace, handle.info.id]);
        await h.client.query('SELECT pg_advisory_unlock($1::bigint)', [lockKey]);
      } catch {
        // Ending the session below releases the advisory lock anyway.
      }
    }
    await h.client.end().catch(() => undefined);
  }

  return {
    async lock(operation, timeoutMs) {
      await ctx.ensureSchema();
      const client = new (pgModule().Client)({ connectionString: ctx.connectionString, keepAlive: true });
      const h: HeldLock = { client, lost: false };
      client.on('error', () => {
        h.lost = true;
      });
      client.on('end', () => {
        h.lost = true;
      });
      try {
        await client.connect();
      } catch (err) {
        throw fail(err);
      }
      const deadline = Date.now() + Math.max(0, timeoutMs);
      try {
        for (let attempt = 0; ; attempt++) {
          const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [lockKey]);
          if (got.rows[0]?.ok) {
            const info: LockInfo = { id: randomUUID(), holder: identity.holder, operation, since: ctx.now().toISOString() };
            const stale = await client.query<LockRow>(`SELECT id, holder, operation, since FROM ${s}.locks WHERE workspace = $1`, [workspace]);
            const prev = stale.rows[0];
            if (prev) {
              ctx.onNotice?.(`cleared stale lock ${prev.id} on state ${where}: its holder ${prev.holder} (since ${prev.since}) lost its database session, so PostgreSQL released the lock`);
            }
            await client.query(
              `INSERT INTO ${s}.locks (workspace, id, holder, operation, since, hostname, pid, backend_pid)
               VALUES ($1, $2, $3, $4, $5, $6, $7, pg_backend_pid())
               ON CONFLICT (workspace) DO UPDATE SET id = EXCLUDED.id, holder = EXCLUDED.holder, operation = EXCLUDED.operation,
                 since = EXCLUDED.since, hostname = EXCLUDED.hostname, pid = EXCLUDED.pid, backend_pid = EXCLUDED.backend_pid`,
              [workspace, info.id, info.holder, info.operation, info.since, identity.hostname, identity.pid],
            );
            const handle: LockHandle = { info, release: () => releaseHeld(handle) };
            held.set(handle, h);
            return handle;
          }
          const remaining = deadline - Date.now();
          if (remaining <= 0) {
            const info = await currentHolder();
            if (info === null && attempt < 3) continue; // freed while we looked: try again
            throw lockedError(where, info ?? { id: 'unknown', holder: 'another session that has just finished', operation: 'state', since: 'unknown' }, timeoutMs);
          }
          await sleep(pollDelay(attempt, remaining));
        }
      } catch (err) {
        await client.end().catch(() => undefined);
        throw fail(err);
      }
    },

    async currentLock() {
      return currentHolder();
    },

    async forceUnlock(id) {
      const row = await liveLockRow();
      if (!row || row.id === null) throw new RefusedError('state.unlock', `state ${where} is not locked`);
      const rowIsCurrent = row.heldBy === null || row.heldBy === row.backendPid;
      if (row.id !== id || !rowIsCurrent) {
        const current = rowIsCurrent ? row : await currentHolder();
        throw new RefusedError('state.unlock', `lock id ${id} does not match the current lock ${current?.id ?? '(none)'} on state ${where}${current ? ` (held by ${current.holder} since ${current.since})` : ''}`);
      }
      if (row.heldBy !== null) {
        // The holder's session still exists (a hung runner): end it, which releases the lock
        // and makes any later write through it fail.
        await query('SELECT pg_terminate_backend($1)', [row.heldBy]);
        for (let i = 0; i < 50; i++) {
          const again = await liveLockRow();
          if (!again || again.heldBy === null) break;
          await sleep(100);
        }
      }
      await query(`DELETE FROM ${s}.locks WHERE workspace = $1 AND id = $2`, [workspace, id]);
    },

    underLock,
    assertHeld: (lock) => void heldFor(lock),
    async releaseAll() {
      await Promise.all([...held.keys()].map((h) => releaseHeld(h)));
    },
  };
}
