import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { errorDiag } from '../model/diagnostics.js';
import { InputError } from '../model/errors.js';
import { emptyState, type JournalEntry, type StateDocument } from '../model/state.js';
import type { LockHandle, StateBackend } from '../model/state-backend.js';
import { holderIdentity } from './holder.js';
import { sinceMillis, type JournalFilter } from './journal-filter.js';
import { describeConnection, pgFailure, secretsOf } from './postgres-errors.js';
import { advisoryKey, advisoryKeyParts, migrate, quoteIdent } from './postgres-migrations.js';
import { pgLocks } from './postgres-lock.js';
import { pgModule } from './pg-module.js';
import { assembleDocument, chunkRows, documentOfShell, shellOf } from './postgres-chunks.js';
import { assertJournalEntry, assertStateDocument, stateDiagnostics } from './schema.js';
import { checkedDocument } from './write-check.js';

/**
 * Shared state in PostgreSQL, for teams and CI runners that come and go: state rows per
 * workspace (the document's shell, its big maps in `state_chunks`, see postgres-chunks.ts),
 * an append-only journal, and an advisory lock (postgres-lock.ts). rollcall creates and
 * migrates its own schema (postgres-migrations.ts).
 */

export interface PostgresStateOptions {
  connectionString?: string;
  /** Environment variable holding the connection string; default ROLLCALL_PG_URL. */
  connectionStringEnv?: string;
  /** Default `rollcall`. */
  schema?: string;
  /** Several states can share one schema; default `default`. */
  workspace?: string;
  hostname?: string;
  pid?: number;
  holder?: string;
  now?: () => Date;
  onNotice?: (message: string) => void;
  /** Read the connection string from here instead of process.env. */
  env?: NodeJS.ProcessEnv;
  /** Map entries per `state_chunks` row (tests set it small). */
  chunkEntries?: number;
}

/** ~5-10 MB of JSON per row: far below PostgreSQL's and V8's limits, few rows per million people. */
const CHUNK_ENTRIES = 20_000;

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function postgresStateBackend(opts: PostgresStateOptions): StateBackend {
  const envName = opts.connectionStringEnv ?? 'ROLLCALL_PG_URL';
  const connectionString = opts.connectionString ?? (opts.env ?? process.env)[envName];
  if (!connectionString) {
    throw new InputError([
      errorDiag('state.postgres-url', `the postgres state backend needs a connection string in the environment variable ${envName}`, { path: '/state' }),
    ]);
  }
  const schemaName = opts.schema ?? 'rollcall';
  if (!SCHEMA_NAME.test(schemaName)) {
    throw new InputError([errorDiag('state.postgres-schema', `state schema ${JSON.stringify(schemaName)} must be a plain SQL identifier (letters, digits, _)`, { path: '/state/schema' })]);
  }
  const workspace = opts.workspace ?? 'default';
  if (workspace.length === 0 || workspace.length > 200) {
    throw new InputError([errorDiag('state.postgres-workspace', 'state workspace must be 1 to 200 characters', { path: '/state/workspace' })]);
  }
  const s = quoteIdent(schemaName);
  const secrets = secretsOf(connectionString);
  const where = `${describeConnection(connectionString)} schema ${schemaName} workspace ${workspace}`;
  const identity = holderIdentity(opts);
  const now = opts.now ?? (() => new Date());
  const lockKey = String(advisoryKey(`rollcall:state:${schemaName}:${workspace}`));
  const keyParts = advisoryKeyParts(BigInt(lockKey));
  const fail = (err: unknown) => pgFailure(where, err, secrets);

  const pool = new (pgModule().Pool)({ connectionString, max: 3, keepAlive: true, allowExitOnIdle: true });
  // An idle pooled connection that drops must not crash the process; the next query reports it.
  pool.on('error', () => undefined);

  let ready: Promise<void> | undefined;
  function ensureSchema(): Promise<void> {
    ready ??= (async () => {
      const client = await pool.connect();
      try {
        await migrate(client, schemaName);
      } finally {
        client.release();
      }
    })().catch((err: unknown) => {
      ready = undefined;
      throw fail(err);
    });
    return ready;
  }

  async function query<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    await ensureSchema();
    try {
      return await pool.query<R>(text, values);
    } catch (err) {
      throw fail(err);
    }
  }

  const locks = pgLocks({ connectionString, s, workspace, where, identity, now, onNotice: opts.onNotice, lockKey, keyParts, query, ensureSchema, fail });

  return {
    description: `postgres:${where}`,

    async read() {
      await ensureSchema();
      // Shell and chunks in one snapshot, so a write committing meanwhile is seen whole or not at all.
      const client = await pool.connect().catch((err: unknown) => {
        throw fail(err);
      });
      try {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const r = await client.query<{ document: unknown; chunked: boolean; serial: string }>(`SELECT document, chunked, serial FROM ${s}.state WHERE workspace = $1`, [workspace]);
        const row = r.rows[0];
        if (!row) return emptyState('');
        if (!row.chunked) return assertStateDocument(row.document, where);
        const shell = assertStateDocument(documentOfShell(row.document), where);
        const chunks = await client.query<{ section: string; chunk: number; entries: string }>(
          `SELECT section, chunk, entries::text AS entries FROM ${s}.state_chunks WHERE workspace = $1 AND serial = $2 ORDER BY section, chunk`,
          [workspace, row.serial],
        );
        const { doc, checks, problems } = assembleDocument(shell, chunks.rows);
        const diags = [...problems.map((p) => errorDiag('state.schema', p, { source: { file: where } })), ...stateDiagnostics(doc, where, checks)];
        if (diags.length > 0) throw new InputError(diags, `invalid state in ${where}:\n${diags.map((d) => `  ${d.summary}`).join('\n')}`);
        return doc;
      } catch (err) {
        if (err instanceof InputError) throw err;
        throw fail(err);
      } finally {
        await client.query('COMMIT').catch(() => undefined);
        client.release();
      }
    },

    async write(state: StateDocument, expectedSerial: number, lock: LockHandle) {
      await locks.underLock(lock, async (c) => {
        const cur = await c.query<{ serial: string; lineage: string }>(`SELECT serial, lineage FROM ${s}.state WHERE workspace = $1 FOR UPDATE`, [workspace]);
        const row = cur.rows[0];
        const doc = checkedDocument(where, row ? { serial: Number(row.serial), lineage: row.lineage } : null, state, expectedSerial, randomUUID);
        assertStateDocument(doc, `${where} (document to write)`);
        await c.query(`DELETE FROM ${s}.state_chunks WHERE workspace = $1`, [workspace]);
        for (const chunk of chunkRows(doc, opts.chunkEntries ?? CHUNK_ENTRIES)) {
          await c.query(`INSERT INTO ${s}.state_chunks (workspace, serial, section, chunk, entries) VALUES ($1, $2, $3, $4, $5::jsonb)`, [workspace, doc.serial, chunk.section, chunk.chunk, chunk.entries]);
        }
        await c.query(
          `INSERT INTO ${s}.state (workspace, serial, lineage, document, chunked, updated_at) VALUES ($1, $2, $3, $4::jsonb, true, now())
           ON CONFLICT (workspace) DO UPDATE SET serial = EXCLUDED.serial, lineage = EXCLUDED.lineage, document = EXCLUDED.document, chunked = true, updated_at = now()`,
          [workspace, doc.serial, doc.lineage, JSON.stringify(shellOf(doc))],
        );
      });
    },

    async appendJournal(entries: JournalEntry[], lock: LockHandle) {
      if (entries.length === 0) {
        locks.assertHeld(lock);
        return;
      }
      await locks.underLock(lock, async (c) => {
        const max = await c.query<{ seq: string }>(`SELECT coalesce(max(seq), 0) AS seq FROM ${s}.journal WHERE workspace = $1`, [workspace]);
        let seq = Number(max.rows[0]?.seq ?? 0);
        const numbered = entries.map((e) => assertJournalEntry({ ...e, seq: ++seq }, where));
        await c.query(
          `INSERT INTO ${s}.journal (workspace, seq, at, anchor, entry)
           SELECT $1, (e->>'seq')::bigint, (e->>'at')::timestamptz, e->>'anchor', e FROM jsonb_array_elements($2::jsonb) AS e`,
          [workspace, JSON.stringify(numbered)],
        );
      });
    },

    lock: (operation, timeoutMs) => locks.lock(operation, timeoutMs),
    currentLock: () => locks.currentLock(),
    forceUnlock: (id) => locks.forceUnlock(id),

    async readJournal(filter?: JournalFilter) {
      const since = sinceMillis(filter);
      const r = await query<{ entry: unknown }>(
        `SELECT entry FROM ${s}.journal WHERE workspace = $1 AND ($2::timestamptz IS NULL OR at >= $2::timestamptz) AND ($3::text IS NULL OR anchor = $3) AND ($4::bigint IS NULL OR seq > $4) ORDER BY seq`,
        [workspace, since === undefined ? null : new Date(since).toISOString(), filter?.anchor ?? null, filter?.afterSeq ?? null],
      );
      return r.rows.map((row) => assertJournalEntry(row.entry, where));
    },

    async close() {
      await locks.releaseAll();
      await pool.end().catch(() => undefined);
    },
  };
}
