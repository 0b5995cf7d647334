import type pg from 'pg';
import { createHash } from 'node:crypto';

/**
 * rollcall creates and migrates its own PostgreSQL schema. Each migration runs once, in a
 * transaction, recorded in `migrations`. Several runners starting at once serialize on an
 * advisory lock, so "CREATE ... IF NOT EXISTS" never races and no migration runs twice.
 * Append new migrations at the end; never edit one that has shipped.
 */

export interface Migration {
  version: number;
  name: string;
  sql: (schema: string) => string;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'state, journal and locks',
    sql: (s) => `
      CREATE TABLE ${s}.state (
        workspace  text PRIMARY KEY,
        serial     bigint NOT NULL CHECK (serial >= 0),
        lineage    text NOT NULL,
        document   jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE ${s}.journal (
        id          bigserial PRIMARY KEY,
        workspace   text NOT NULL,
        seq         bigint NOT NULL,
        at          timestamptz NOT NULL,
        anchor      text,
        entry       jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (workspace, seq)
      );
      CREATE INDEX journal_anchor ON ${s}.journal (workspace, anchor, seq);
      CREATE INDEX journal_at ON ${s}.journal (workspace, at);
      -- The audit journal is append-only: rows cannot be changed or removed through SQL.
      CREATE FUNCTION ${s}.journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'rollcall journal is append-only: % refused', TG_OP;
      END
      $$;
      CREATE TRIGGER journal_no_update_delete BEFORE UPDATE OR DELETE ON ${s}.journal
        FOR EACH ROW EXECUTE FUNCTION ${s}.journal_append_only();
      CREATE TRIGGER journal_no_truncate BEFORE TRUNCATE ON ${s}.journal
        FOR EACH STATEMENT EXECUTE FUNCTION ${s}.journal_append_only();
      -- Who holds the (advisory) lock, for messages; the advisory lock itself is the truth.
      CREATE TABLE ${s}.locks (
        workspace   text PRIMARY KEY,
        id          text NOT NULL,
        holder      text NOT NULL,
        operation   text NOT NULL,
        since       text NOT NULL,
        hostname    text NOT NULL,
        pid         integer NOT NULL,
        backend_pid integer NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'state maps in chunks',
    // A large district's state passes PostgreSQL's 255 MB jsonb limit: the big maps move to
    // rows of bounded size (postgres-chunks.ts). Rows written before stay whole (chunked = false).
    sql: (s) => `
      ALTER TABLE ${s}.state ADD COLUMN chunked boolean NOT NULL DEFAULT false;
      CREATE TABLE ${s}.state_chunks (
        workspace text NOT NULL,
        serial    bigint NOT NULL,
        section   text NOT NULL,
        chunk     integer NOT NULL CHECK (chunk >= 0),
        entries   jsonb NOT NULL,
        PRIMARY KEY (workspace, serial, section, chunk)
      );
    `,
  },
];

/** A signed 64-bit advisory-lock key from a name (as a decimal string for `$1::bigint`). */
export function advisoryKey(name: string): bigint {
  const h = createHash('sha256').update(name).digest();
  return BigInt.asIntN(64, h.readBigUInt64BE(0));
}

/** How pg_locks shows a bigint advisory key: classid = high 32 bits, objid = low 32 bits. */
export function advisoryKeyParts(key: bigint): { classid: string; objid: string } {
  const u = BigInt.asUintN(64, key);
  return { classid: String(u >> 32n), objid: String(u & 0xffffffffn) };
}

/** True when the schema is already at the latest version: the common case, checked without
 * taking the migration lock or needing CREATE privilege. */
async function upToDate(client: pg.ClientBase, schema: string): Promise<boolean> {
  const latest = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
  const exists = await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [`${quoteIdent(schema)}.migrations`]);
  if (!exists.rows[0]?.t) return false;
  const r = await client.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${quoteIdent(schema)}.migrations`);
  return (r.rows[0]?.v ?? 0) >= latest;
}

export async function migrate(client: pg.ClientBase, schema: string): Promise<number[]> {
  if (await upToDate(client, schema)) return [];
  const s = quoteIdent(schema);
  const key = String(advisoryKey(`rollcall:migrate:${schema}`));
  await client.query('SELECT pg_advisory_lock($1::bigint)', [key]);
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${s}.migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = new Set((await client.query<{ version: number }>(`SELECT version FROM ${s}.migrations`)).rows.map((r) => r.version));
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql(s));
        await client.query(`INSERT INTO ${s}.migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
      applied.push(m.version);
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
  }
}
