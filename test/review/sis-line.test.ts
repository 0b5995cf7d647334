import { describe, expect, it } from 'vitest';
import type { PlanDocument } from '../../engine/model/plan.js';
import { sisLine } from '../../engine/render/view-model.js';

/** The plan's SIS line names both counts the sis.shrink check compares, and reads plans saved before the second existed. */
describe('the SIS line of a rendered plan', () => {
  const plan = (inputs: Record<string, unknown>) => ({ inputs }) as unknown as PlanDocument;

  it('gives the export size, the people given an eligible role, and what changed since the last apply', () => {
    expect(sisLine(plan({ sis_people: 1234, sis_eligible: 1100, sis_changes: { added: 3, gone: 2, changed: 1 } }))).toBe(
      'SIS: 1234 people, 1100 with a role the policy provisions; since the last apply: 3 new, 2 gone, 1 with a new role, grade or school.',
    );
  });

  it('leaves the eligible count out for a plan saved before rollcall counted it', () => {
    expect(sisLine(plan({ sis_people: 12 }))).toBe('SIS: 12 people.');
  });
});
