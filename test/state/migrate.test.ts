import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RefusedError } from '../../engine/model/errors.js';
import type { StateBackend } from '../../engine/model/state-backend.js';
import { journalPathFor, localStateBackend } from '../../engine/state/local.js';
import { migrateState } from '../../engine/state/migrate.js';
import { postgresStateBackend } from '../../engine/state/postgres.js';
import { type PostgresServer, startPostgres } from '../servers/postgres.js';
import { entry, sampleState } from './helpers/fixtures.js';

let server: PostgresServer;
const backends: StateBackend[] = [];
const dirs: string[] = [];
let n = 0;

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await Promise.all(backends.map((b) => b.close()));
  await server?.stop();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function localAt(): Promise<{ path: string; b: StateBackend }> {
  const dir = await mkdtemp(join(tmpdir(), 'rollcall-migrate-'));
  dirs.push(dir);
  const path = join(dir, 'state.json');
  return { path, b: localStateBackend(path) };
}

function pgAt(): StateBackend {
  const b = postgresStateBackend({ connectionString: server.url, schema: `migrate_${++n}` });
  backends.push(b);
  return b;
}

/** A local state with a few serials of history and a journal with non-ASCII and nested values. */
async function seeded(b: StateBackend): Promise<void> {
  const lock = await b.lock('apply', 0);
  await b.write(sampleState(1, '', 50), 0, lock);
  const lineage = (await b.read()).lineage;
  const doc = sampleState(2, lineage, 50);
  doc.people['stu-1'] = { ...doc.people['stu-1']!, missing_since: '2026-02-01', suspended_at: '2026-02-01T00:00:00.000Z' };
  await b.write(doc, 1, lock);
  const entries = [entry(1, '2026-01-01T00:00:00.000Z', 'stu-1', 'intent'), entry(1, '2026-01-01T00:00:00.500Z', 'stu-1'), entry(2, '2026-01-02T00:00:00.000Z', 'stu-2', 'failed')];
  entries[1]!.before = { displayName: 'Zoë Łukasz', nested: { a: [1, 2.5, null], z: true } };
  entries[2]!.error = 'quota "exceeded"\nretry later';
  await b.appendJournal(entries, lock);
  await lock.release();
}

describe('migrateState', () => {
  it('round-trips local -> postgres -> local exactly, state and journal', async () => {
    const src = await localAt();
    await seeded(src.b);
    const pgb = pgAt();
    expect(await migrateState(src.b, pgb)).toEqual({ serial: 2, journalEntries: 3 });
    expect(await pgb.read()).toEqual(await src.b.read());
    expect(await pgb.readJournal()).toEqual(await src.b.readJournal());
    const back = await localAt();
    expect(await migrateState(pgb, back.b)).toEqual({ serial: 2, journalEntries: 3 });
    expect(await readFile(back.path, 'utf8')).toBe(await readFile(src.path, 'utf8'));
    expect(await readFile(journalPathFor(back.path), 'utf8')).toBe(await readFile(journalPathFor(src.path), 'utf8'));
    // Both locks were released.
    expect(await src.b.currentLock()).toBeNull();
    expect(await pgb.currentLock()).toBeNull();
    expect(await back.b.currentLock()).toBeNull();
  });

  it('is safe to re-run and then copies only what is new', async () => {
    const src = await localAt();
    await seeded(src.b);
    const pgb = pgAt();
    await migrateState(src.b, pgb);
    expect(await migrateState(src.b, pgb)).toEqual({ serial: 2, journalEntries: 0 });
    const lock = await src.b.lock('apply', 0);
    await src.b.write({ ...(await src.b.read()), serial: 3 }, 2, lock);
    await src.b.appendJournal([entry(9, '2026-03-01T00:00:00.000Z')], lock);
    await lock.release();
    expect(await migrateState(src.b, pgb)).toEqual({ serial: 3, journalEntries: 1 });
    expect(await pgb.readJournal()).toEqual(await src.b.readJournal());
  });

  it('refuses to overwrite newer state, a different lineage, or while a lock is held', async () => {
    const src = await localAt();
    await seeded(src.b);
    const newer = await localAt();
    const nl = await newer.b.lock('apply', 0);
    await newer.b.write(sampleState(5), 0, nl);
    await nl.release();
    const before = await readFile(newer.path, 'utf8');
    const e1 = await migrateState(src.b, newer.b).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(RefusedError);
    expect((e1 as Error).message).toContain('newer');
    expect(await readFile(newer.path, 'utf8')).toBe(before);

    const other = await localAt();
    const ol = await other.b.lock('apply', 0);
    await other.b.write(sampleState(1), 0, ol);
    await ol.release();
    expect(((await migrateState(src.b, other.b).catch((e: unknown) => e)) as Error).message).toContain('lineage');

    const held = await src.b.lock('apply', 0);
    const e3 = await migrateState(src.b, pgAt()).catch((e: unknown) => e);
    expect((e3 as RefusedError).code).toBe('state.locked');
    await held.release();
  });
});
