import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, RefusedError } from '../../engine/model/errors.js';
import type { StateBackend } from '../../engine/model/state-backend.js';
import { postgresStateBackend } from '../../engine/state/postgres.js';
import { MIGRATIONS } from '../../engine/state/postgres-migrations.js';
import { type PostgresServer, startPostgres } from '../servers/postgres.js';
import { type BuiltChildren, buildChildren } from './helpers/build-children.js';
import { runChild, waitUntil } from './helpers/child.js';
import { entry, sampleState } from './helpers/fixtures.js';
import type { StateDocument } from '../../engine/model/state.js';

let server: PostgresServer;
let children: BuiltChildren;
let lockChild: string;
let admin: pg.Client;
const backends: StateBackend[] = [];
let n = 0;

beforeAll(async () => {
  server = await startPostgres();
  children = await buildChildren(['test/state/children/lock-holder.ts']);
  lockChild = children.js('test/state/children/lock-holder.ts');
  admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
});
afterAll(async () => {
  await Promise.all(backends.map((b) => b.close()));
  await admin?.end();
  await children?.remove();
  await server?.stop();
});

function backend(schema: string, extra: Parameters<typeof postgresStateBackend>[0] = {}): StateBackend {
  const b = postgresStateBackend({ connectionString: server.url, schema, ...extra });
  backends.push(b);
  return b;
}

const freshSchema = () => `pgtest_${++n}`;

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('postgres schema', () => {
  it('is created and migrated once, even by several runners starting at the same moment', async () => {
    const schema = freshSchema();
    const many = Array.from({ length: 5 }, () => backend(schema));
    await Promise.all(many.map((b) => b.read()));
    const versions = async () => (await admin.query<{ version: number }>(`SELECT version FROM ${schema}.migrations ORDER BY version`)).rows.map((r) => r.version);
    expect(await versions()).toEqual(MIGRATIONS.map((m) => m.version));
    // A later runner finds everything in place and changes nothing.
    await backend(schema).read();
    expect(await versions()).toEqual(MIGRATIONS.map((m) => m.version));
    const tables = await admin.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [schema]);
    expect(tables.rows.map((r) => r.table_name)).toEqual(['journal', 'locks', 'migrations', 'state', 'state_chunks']);
  });

  it('keeps schemas apart, and workspaces within a schema apart', async () => {
    const schema = freshSchema();
    const w1 = backend(schema, { workspace: 'north' });
    const w2 = backend(schema, { workspace: 'south' });
    const l1 = await w1.lock('apply', 0);
    const l2 = await w2.lock('apply', 0); // a different workspace has its own lock
    await w1.write(sampleState(1), 0, l1);
    await w1.appendJournal([entry(1, '2026-01-01T00:00:00.000Z')], l1);
    expect((await w2.read()).serial).toBe(0);
    expect(await w2.readJournal()).toEqual([]);
    await l1.release();
    await l2.release();
  });

  it('makes journal rows impossible to update, delete or truncate', async () => {
    const schema = freshSchema();
    const b = backend(schema);
    const lock = await b.lock('apply', 0);
    await b.appendJournal([entry(1, '2026-01-01T00:00:00.000Z', 'stu-1')], lock);
    await lock.release();
    await expect(admin.query(`UPDATE ${schema}.journal SET entry = '{}'::jsonb`)).rejects.toThrow(/append-only/);
    await expect(admin.query(`DELETE FROM ${schema}.journal`)).rejects.toThrow(/append-only/);
    await expect(admin.query(`TRUNCATE ${schema}.journal`)).rejects.toThrow(/append-only/);
    expect((await b.readJournal()).map((e) => e.change_id)).toEqual(['c1']);
  });

  it('reports a corrupt stored document as invalid input', async () => {
    const schema = freshSchema();
    const b = backend(schema);
    const lock = await b.lock('apply', 0);
    await b.write(sampleState(1), 0, lock);
    await lock.release();
    await admin.query(`UPDATE ${schema}.state SET document = jsonb_set(document, '{serial}', '"one"')`);
    await expect(b.read()).rejects.toBeInstanceOf(InputError);
  });

  it('never puts the password or connection string in errors or descriptions', async () => {
    const wrongDb = server.url.replace(/\/postgres$/, '/no_such_db');
    const b = postgresStateBackend({ connectionString: wrongDb });
    backends.push(b);
    expect(b.description).not.toContain(server.password);
    const err = await b.read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as Error).message).toContain('no_such_db');
    expect((err as Error).message).not.toContain(server.password);
    const badPw = postgresStateBackend({ connectionString: server.url.replace(server.password, 'wrong-secret-pw') });
    backends.push(badPw);
    const err2 = await badPw.lock('apply', 0).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(RefusedError);
    expect((err2 as Error).message).not.toContain('wrong-secret-pw');
    expect((err2 as Error).message).not.toContain(server.password);
    expect(() => postgresStateBackend({ connectionStringEnv: 'ROLLCALL_TEST_UNSET_VAR', env: {} })).toThrow(InputError);
    expect(() => postgresStateBackend({ connectionString: server.url, schema: 'x; drop table y' })).toThrow(InputError);
  });
});

describe('postgres advisory lock between processes', () => {
  it('lets exactly one of two racing processes proceed; the other is refused naming the holder', async () => {
    const schema = freshSchema();
    await backend(schema).read(); // create the schema first so both children race only for the lock
    const env = { ROLLCALL_TEST_SCHEMA: schema };
    // Both hold until killed, so a slow start cannot let the second in after the first is done.
    const one = runChild(lockChild, ['postgres', server.url, '-1', '0'], env);
    const two = runChild(lockChild, ['postgres', server.url, '-1', '0'], env);
    const decided = () => [...one.events, ...two.events].filter((e) => e.event === 'locked' || e.event === 'refused');
    await waitUntil(() => decided().length >= 2, 'both children to lock or be refused');
    one.proc.kill('SIGKILL');
    two.proc.kill('SIGKILL');
    await Promise.all([one.exited, two.exited]);
    const all = [...one.events, ...two.events];
    const locked = all.filter((e) => e.event === 'locked');
    const refused = all.filter((e) => e.event === 'refused');
    expect(locked).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]?.code).toBe('state.locked');
    expect(String(refused[0]?.message)).toContain(`child pid ${String(locked[0]?.pid)}`);
    expect(String(refused[0]?.message)).not.toContain(server.password);
  });

  it('with a timeout, the second process waits and proceeds after the first releases', async () => {
    const schema = freshSchema();
    const env = { ROLLCALL_TEST_SCHEMA: schema };
    const first = runChild(lockChild, ['postgres', server.url, '-1', '0'], env);
    await first.waitFor('locked');
    const second = runChild(lockChild, ['postgres', server.url, '0', '20000'], env);
    await second.waitFor('trying');
    await new Promise((r) => setTimeout(r, 600));
    expect(second.events.map((e) => e.event)).toEqual(['trying']); // still waiting
    first.proc.kill('SIGUSR2');
    const released = await first.waitFor('released').then(() => Date.now());
    const got = await second.waitFor('locked').then(() => Date.now());
    expect(got).toBeGreaterThanOrEqual(released);
    await Promise.all([first.exited, second.exited]);
    expect(second.events.some((e) => e.event === 'refused')).toBe(false);
  });

  it('is released by PostgreSQL when the holder process is SIGKILLed', async () => {
    const schema = freshSchema();
    const holder = runChild(lockChild, ['postgres', server.url, '-1', '0'], { ROLLCALL_TEST_SCHEMA: schema });
    const info = await holder.waitFor('locked');
    const notices: string[] = [];
    const b = backend(schema, { onNotice: (m) => notices.push(m) });
    const refused = await b.lock('apply', 0).catch((e: unknown) => e);
    expect((refused as RefusedError).code).toBe('state.locked');
    expect((await b.currentLock())?.id).toBe(info.id);
    holder.proc.kill('SIGKILL');
    await holder.exited;
    const lock = await b.lock('apply', 10_000);
    expect(notices.join('\n')).toContain(String(info.id));
    expect((await b.currentLock())?.id).toBe(lock.info.id);
    await lock.release();
    expect(await b.currentLock()).toBeNull();
  });

  it('force-unlock ends a hung holder session in another process', async () => {
    const schema = freshSchema();
    const holder = runChild(lockChild, ['postgres', server.url, '-1', '0'], { ROLLCALL_TEST_SCHEMA: schema });
    const info = await holder.waitFor('locked');
    const b = backend(schema);
    await b.forceUnlock(String(info.id));
    expect(await until(() => b.currentLock(), (l) => l === null)).toBeNull();
    const lock = await b.lock('apply', 5_000);
    await b.write(sampleState(1), 0, lock);
    await lock.release();
    holder.proc.kill('SIGKILL');
    await holder.exited;
  });

  it('keeps state whole and frees the lock when a writer is SIGKILLed mid-write (repeated trials)', async () => {
    const schema = freshSchema();
    const b = backend(schema);
    let last = 0;
    for (let t = 0; t < 4; t++) {
      const child = runChild(lockChild, ['postgres', server.url, '-1', '10000', 'writeLoop'], { ROLLCALL_TEST_SCHEMA: schema });
      await child.waitFor('wrote');
      await new Promise((r) => setTimeout(r, 20 + Math.floor(Math.random() * 150)));
      child.proc.kill('SIGKILL');
      await child.exited;
      const reported = Math.max(...child.events.filter((e) => e.event === 'wrote').map((e) => Number(e.serial)));
      const state = await b.read();
      expect(state.serial).toBeGreaterThanOrEqual(reported);
      expect(state.serial).toBeLessThanOrEqual(reported + 1);
      expect(state.serial).toBeGreaterThan(last);
      expect(Object.keys(state.people)).toHaveLength(3000);
      last = state.serial;
    }
    const lock = await b.lock('apply', 10_000);
    await lock.release();
  });
});

describe('postgres state of a large district, its maps stored in chunks', () => {
  /** sampleState plus `n` people, registry entries and last-applied records (and a `__proto__` key). */
  function big(serial: number, n: number): StateDocument {
    const s = sampleState(serial, 'lin-big', n);
    for (let i = 0; i < n; i++) {
      s.registry[`x${i}`] = { anchor: `stu-x${i}`, issued_at: '2026-01-05T00:00:00.000Z' };
      s.last_applied.sandbox![`stu-x${i}`] = { username: `x${i}`, givenName: 'G', familyName: 'F', displayName: 'G F', email: `x${i}@example.org`, path: 'Students', enabled: i % 2 === 0 };
    }
    Object.defineProperty(s.people, '__proto__', { value: { username: 'proto', first_seen: '2026-01-05T00:00:00.000Z' }, enumerable: true, writable: true, configurable: true });
    s.last_applied.google = {};
    return s;
  }

  it('round-trips a document across many chunks, keeps the row small, and leaves no stale chunk behind', async () => {
    const schema = freshSchema();
    const b = backend(schema, { chunkEntries: 1000 });
    const lock = await b.lock('apply', 0);
    const first = big(1, 4500);
    await b.write(first, 0, lock);
    expect(await b.read()).toEqual(first);
    const chunks = await admin.query<{ section: string; n: string }>(`SELECT section, count(*) AS n FROM ${schema}.state_chunks GROUP BY section ORDER BY section`);
    expect(chunks.rows.map((r) => [r.section, Number(r.n)])).toEqual([['last_applied:sandbox', 5], ['people', 5], ['registry', 5]]);
    const row = await admin.query<{ size: number; chunked: boolean; version: number }>(`SELECT pg_column_size(document) AS size, chunked, (document->>'format_version')::int AS version FROM ${schema}.state`);
    expect(row.rows[0]!.chunked).toBe(true);
    expect(row.rows[0]!.size).toBeLessThan(2000);
    // An older rollcall (format_version 1 only) refuses the shell rather than plan with empty maps.
    expect(row.rows[0]!.version).toBe(2);
    // A smaller district next serial: no entry of the old one survives.
    const second = big(2, 1200);
    await b.write(second, 1, lock);
    expect(await b.read()).toEqual(second);
    expect((await admin.query(`SELECT 1 FROM ${schema}.state_chunks WHERE serial <> 2`)).rows).toEqual([]);
    await lock.release();
  });

  it('still reads a row written whole before chunks existed, and chunks it on the next write', async () => {
    const schema = freshSchema();
    const b = backend(schema, { chunkEntries: 100 });
    await b.read(); // creates the schema
    const legacy = big(3, 250);
    await admin.query(`INSERT INTO ${schema}.state (workspace, serial, lineage, document) VALUES ('default', 3, 'lin-big', $1::jsonb)`, [JSON.stringify(legacy)]);
    expect(await b.read()).toEqual(legacy);
    const lock = await b.lock('apply', 0);
    const next = { ...legacy, serial: 4 };
    await b.write(next, 3, lock);
    await lock.release();
    expect(await b.read()).toEqual(next);
    expect((await admin.query<{ chunked: boolean }>(`SELECT chunked FROM ${schema}.state`)).rows[0]!.chunked).toBe(true);
  });

  it('reports a corrupt chunk entry as invalid input, naming the entry', async () => {
    const schema = freshSchema();
    const b = backend(schema, { chunkEntries: 100 });
    const lock = await b.lock('apply', 0);
    await b.write(big(1, 300), 0, lock);
    await lock.release();
    await admin.query(`UPDATE ${schema}.state_chunks SET entries = jsonb_set(entries, '{stu-x150,username}', '42') WHERE section = 'people' AND entries ? 'stu-x150'`);
    const err = await b.read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).diagnostics.map((d) => d.summary).join('\n')).toMatch(/\/people\/stu-x150\/username/);
  });
});
