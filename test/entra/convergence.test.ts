import { afterEach, describe, expect, it } from 'vitest';
import type { ChangeOutcome } from '../../engine/model/provider.js';
import type { GraphEmulator } from '../emulators/graph/index.js';
import { change, createChange, emulator, provider } from './helpers.js';

/**
 * Acceptance: 10,000 creates with 5% injected 5xx, 429 bursts, slow answers and dropped
 * connections (after the server did the work) converge with 0 failed changes and 0
 * duplicates. Time runs 1,000x fast on both sides (emulator and provider `timeScale`), so the
 * documented 3,000 writes / 150 s quota is a 150 ms window here.
 */

const N = 10_000;

describe('entra convergence under faults', () => {
  let emu: GraphEmulator | undefined;
  afterEach(async () => {
    await emu?.stop();
  });

  it(`applies ${N} creates with 5% 5xx, 429 bursts and dropped connections: 0 failed, 0 duplicates`, async () => {
    emu = await emulator({
      timeScale: 0.001,
      seed: 2026,
      faults: { errorRate: 0.05, burstRate: 0.002, burstMs: 20, slowRate: 0.01, slowMs: 15, dropRate: 0.02 },
    });
    const p = await provider(emu, { concurrency: 6 });
    await p.apply(change({ kind: 'container', action: 'create', key: 'Students/MHS', after: { path: 'Students/MHS' } }), {});
    const changes = Array.from({ length: N }, (_, i) => createChange(i));
    const outcomes = await p.applyMany(changes, () => ({ initialPassword: 'Maple-Leaf-42', changeAtNextLogin: true }));

    const failed = [...outcomes.values()].filter((o): o is Extract<ChangeOutcome, { status: 'failed' }> => o.status === 'failed');
    expect(failed.map((f) => f.error).slice(0, 5)).toEqual([]);
    expect(outcomes.size).toBe(N);
    const counts = emu.state.countBy('employeeId');
    expect(counts.size).toBe(N);
    expect([...counts.values()].filter((c) => c > 1)).toEqual([]);
    expect(emu.state.users.size).toBe(N);
    // The faults really happened.
    expect(emu.faults.counts.errors).toBeGreaterThan(100);
    expect(emu.faults.counts.bursts).toBeGreaterThan(0);
    expect(emu.faults.counts.dropped).toBeGreaterThan(0);
    // Every account sits in its school's AU.
    const au = [...emu.state.adminUnits.values()][0]!;
    expect(emu.state.members.get(au.id)!.size).toBe(N);

    // A second apply of the same plan, by a fresh provider (no cache), changes nothing.
    emu.faults.set({ errorRate: 0, burstRate: 0, dropRate: 0, slowRate: 0 });
    const writes = emu.stats.writes;
    const again = await (await provider(emu)).applyMany(changes.slice(0, 500));
    expect([...again.values()].every((o) => o.status === 'already')).toBe(true);
    expect(emu.stats.writes).toBe(writes);
  }, 120_000);

  it('honours Retry-After when the server quota is tighter than the client limiter', async () => {
    // Server: 40 writes per 150 emulated seconds (1.5 s real); the client believes 3,000.
    emu = await emulator({ timeScale: 0.01, throttle: { writeLimit: 40, writeWindowMs: 150_000 } });
    const p = await provider(emu, { concurrency: 4 });
    const t0 = Date.now();
    const outcomes = await p.applyMany(Array.from({ length: 100 }, (_, i) => createChange(i, { path: 'Students' })));
    const elapsed = Date.now() - t0;
    expect([...outcomes.values()].filter((o) => o.status !== 'applied')).toEqual([]);
    expect(emu.state.users.size).toBe(100);
    expect(emu.stats.throttled).toBeGreaterThan(0);
    // 100 writes at 40 per 1.5 s cannot finish before two windows have passed.
    expect(elapsed).toBeGreaterThanOrEqual(2 * 1500 - 100);
  });

  it('paces itself to the configured write quota and then sees no 429s', async () => {
    emu = await emulator({ timeScale: 0.01, throttle: { writeLimit: 40, writeWindowMs: 150_000 } });
    const p = await provider(emu, { concurrency: 4, writeQuota: 38, writeWindowSeconds: 150 });
    const outcomes = await p.applyMany(Array.from({ length: 60 }, (_, i) => createChange(i, { path: 'Students' })));
    expect([...outcomes.values()].filter((o) => o.status !== 'applied')).toEqual([]);
    expect(emu.stats.throttled).toBe(0);
  });
});
