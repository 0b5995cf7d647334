import { describe, expect, it } from 'vitest';
import { InputError, RefusedError } from '../../../engine/model/errors.js';
import type { StateBackend } from '../../../engine/model/state-backend.js';
import { entry, sampleState } from './fixtures.js';

/**
 * Behaviour every StateBackend must show, run against each backend. `open` gives two
 * independent backend instances (holders "A" and "B") on one fresh, empty store.
 */
export interface ContractStore {
  a: StateBackend;
  b: StateBackend;
}

async function refusal(p: Promise<unknown>): Promise<RefusedError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RefusedError);
  return err as RefusedError;
}

export function backendContract(name: string, open: () => Promise<ContractStore>): void {
  describe(`${name}: StateBackend contract`, () => {
    it('reads an empty state before the first write, then round-trips writes with a lineage', async () => {
      const { a, b } = await open();
      const empty = await a.read();
      expect(empty.serial).toBe(0);
      expect(empty.lineage).toBe('');
      const lock = await a.lock('apply', 0);
      await a.write(sampleState(1), 0, lock);
      const first = await b.read();
      expect(first.serial).toBe(1);
      expect(first.lineage).toMatch(/^[0-9a-f-]{36}$/);
      expect({ ...first, lineage: '' }).toEqual(sampleState(1));
      // An empty lineage keeps the stored one; the same lineage is accepted.
      await a.write(sampleState(2), 1, lock);
      await a.write(sampleState(3, first.lineage), 2, lock);
      expect((await b.read()).lineage).toBe(first.lineage);
      const other = await refusal(a.write(sampleState(4, '00000000-0000-0000-0000-000000000000'), 3, lock));
      expect(other.code).toBe('state.lineage');
      await lock.release();
    });

    it('keeps the applied export\'s eligible count, and reads state written before it was recorded', async () => {
      const { a, b } = await open();
      const lock = await a.lock('apply', 0);
      const older = sampleState(1);
      expect(older.sis).not.toHaveProperty('eligible');
      await a.write(older, 0, lock);
      expect((await b.read()).sis).toEqual(older.sis);
      const counted = sampleState(2);
      counted.sis = { ...counted.sis!, eligible: 0 };
      await a.write(counted, 1, lock);
      expect((await b.read()).sis).toEqual({ digest: 'sha256:2', people: 1, eligible: 0, taken_at: '2026-01-05T00:00:00.000Z' });
      const negative = sampleState(3);
      negative.sis = { ...negative.sis!, eligible: -1 };
      await expect(a.write(negative, 2, lock)).rejects.toBeInstanceOf(InputError);
      await lock.release();
    });

    it('refuses a write whose expected serial is not the stored one, changing nothing', async () => {
      const { a, b } = await open();
      const lock = await a.lock('apply', 0);
      await a.write(sampleState(1), 0, lock);
      const before = await b.read();
      const err = await refusal(a.write(sampleState(7), 5, lock));
      expect(err.code).toBe('state.serial');
      expect(err.message).toContain('serial 1');
      expect(await b.read()).toEqual(before);
      // Writing from a stale read (expected 0 after serial 1) is refused too.
      expect((await refusal(a.write(sampleState(1), 0, lock))).code).toBe('state.serial');
      await lock.release();
    });

    it('refuses to write a document that breaks the schema', async () => {
      const { a, b } = await open();
      const lock = await a.lock('apply', 0);
      const bad = { ...sampleState(1), people: { x: { username: 5 } } } as unknown as ReturnType<typeof sampleState>;
      await expect(a.write(bad, 0, lock)).rejects.toBeInstanceOf(InputError);
      expect((await b.read()).serial).toBe(0);
      await lock.release();
    });

    it('gives the lock to one holder; the other is refused with who and since when, or waits', async () => {
      const { a, b } = await open();
      const lock = await a.lock('apply', 0);
      const err = await refusal(b.lock('apply', 0));
      expect(err.code).toBe('state.locked');
      expect(err.message).toContain(lock.info.holder);
      expect(err.message).toContain(lock.info.since);
      expect(err.message).toContain(lock.info.id);
      expect(await b.currentLock()).toEqual(lock.info);
      const waitedFrom = Date.now();
      setTimeout(() => void lock.release(), 400);
      const second = await b.lock('apply', 10_000);
      expect(Date.now() - waitedFrom).toBeGreaterThanOrEqual(350);
      expect(second.info.id).not.toBe(lock.info.id);
      expect((await a.currentLock())?.id).toBe(second.info.id);
      // A short timeout that expires is refused, having waited.
      const t0 = Date.now();
      expect((await refusal(a.lock('apply', 300))).code).toBe('state.locked');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
      await second.release();
      expect(await a.currentLock()).toBeNull();
    });

    it('refuses writes and appends through a released lock', async () => {
      const { a } = await open();
      const lock = await a.lock('apply', 0);
      await lock.release();
      expect((await refusal(a.write(sampleState(1), 0, lock))).code).toBe('state.locked');
      expect((await refusal(a.appendJournal([entry(1, '2026-01-01T00:00:00.000Z')], lock))).code).toBe('state.locked');
      expect((await a.read()).serial).toBe(0);
    });

    it('force-unlock needs the right id, frees the lock, and the old holder can no longer write', async () => {
      const { a, b } = await open();
      const lock = await a.lock('apply', 0);
      expect((await refusal(b.forceUnlock('not-the-id'))).code).toBe('state.unlock');
      expect((await b.currentLock())?.id).toBe(lock.info.id);
      await b.forceUnlock(lock.info.id);
      expect(await b.currentLock()).toBeNull();
      const taken = await b.lock('apply', 2_000);
      expect((await refusal(a.write(sampleState(1), 0, lock))).code).toBe('state.locked');
      await b.write(sampleState(1), 0, taken);
      await taken.release();
      await lock.release(); // harmless after a force-unlock
      expect((await refusal(b.forceUnlock(lock.info.id))).code).toBe('state.unlock');
    });

    it('appends journal entries in order with backend-assigned seq, and filters by time and anchor', async () => {
      const { a, b } = await open();
      const lock = await a.lock('apply', 0);
      await a.appendJournal([entry(1, '2026-01-01T10:00:00.000Z', 'stu-1', 'intent'), entry(1, '2026-01-01T10:00:01.000Z', 'stu-1'), entry(2, '2026-01-02T09:00:00.000Z', 'stu-2')], lock);
      await lock.release();
      const lock2 = await b.lock('apply', 0);
      await b.appendJournal([entry(3, '2026-01-03T09:00:00.000Z', 'stu-1'), entry(4, '2026-01-03T09:30:00.000Z')], lock2);
      await lock2.release();
      const all = await a.readJournal();
      expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(all.map((e) => e.change_id)).toEqual(['c1', 'c1', 'c2', 'c3', 'c4']);
      expect(all[0]).toEqual({ ...entry(1, '2026-01-01T10:00:00.000Z', 'stu-1', 'intent'), seq: 1 });
      expect((await a.readJournal({ anchor: 'stu-1' })).map((e) => e.seq)).toEqual([1, 2, 4]);
      expect((await a.readJournal({ since: '2026-01-02' })).map((e) => e.seq)).toEqual([3, 4, 5]);
      expect((await a.readJournal({ since: '2026-01-02T00:00:00Z', anchor: 'stu-1' })).map((e) => e.seq)).toEqual([4]);
      expect(await a.readJournal({ anchor: 'nobody' })).toEqual([]);
      expect((await a.readJournal({ afterSeq: 3 })).map((e) => e.seq)).toEqual([4, 5]);
      expect((await a.readJournal({ afterSeq: 2, anchor: 'stu-1' })).map((e) => e.seq)).toEqual([4]);
      await expect(a.readJournal({ since: 'last tuesday' })).rejects.toBeInstanceOf(InputError);
    });

    it('refuses a journal entry that breaks the schema and appends nothing', async () => {
      const { a } = await open();
      const lock = await a.lock('apply', 0);
      const bad = { ...entry(1, 'not a time') };
      await expect(a.appendJournal([entry(0, '2026-01-01T00:00:00.000Z'), bad], lock)).rejects.toBeInstanceOf(InputError);
      expect(await a.readJournal()).toEqual([]);
      await lock.release();
    });
  });
}
