import { describe, expect, it } from 'vitest';
import type { PlanDocument } from '../../engine/model/plan.js';
import { sisSnapshotOf } from '../../engine/run/record.js';

/** What apply records of the applied export: the base of the next plan's sis.shrink check. */
describe('sisSnapshotOf', () => {
  const inputs = { sis_digest: 'a'.repeat(64), sis_people: 1200 };

  it('records both counts of the plan', () => {
    const plan = { inputs: { ...inputs, sis_eligible: 1100 } } as unknown as PlanDocument;
    expect(sisSnapshotOf(plan, '2026-10-01T12:00:00.000Z')).toEqual({ digest: 'a'.repeat(64), people: 1200, eligible: 1100, taken_at: '2026-10-01T12:00:00.000Z' });
  });

  it('records no eligible count for a plan saved by a rollcall that did not count it', () => {
    const plan = { inputs } as unknown as PlanDocument;
    const sis = sisSnapshotOf(plan, '2026-10-01T12:00:00.000Z');
    expect(sis).toEqual({ digest: 'a'.repeat(64), people: 1200, taken_at: '2026-10-01T12:00:00.000Z' });
    expect(Object.keys(sis)).not.toContain('eligible');
  });
});
