import { describe, expect, it } from 'vitest';
import { pendingWork } from '../../cli/output.js';
import type { Change, StateUpdate } from '../../engine/model/plan.js';

/**
 * What `plan --detailed-exitcode` answers 2 for, and what `apply` does not skip: changes, and
 * state updates alone (the timer that starts a withdrawn student's grace period is one; a
 * script that skipped apply on exit 0 would restart that period on every run).
 */
describe('pendingWork', () => {
  const timer: StateUpdate = { anchor: 'stu-1', field: 'missing_since', value: '2026-10-02', reason: { cause: 'lifecycle', rule: 'lifecycle.grace', detail: 'absent from the SIS' } };
  const change = { id: 'sandbox:account:stu-1:disable' } as Change;

  it('is false only when there is neither a change nor a state update', () => {
    expect(pendingWork({ changes: [], state_updates: [] })).toBe(false);
    expect(pendingWork({ changes: [change], state_updates: [] })).toBe(true);
    expect(pendingWork({ changes: [], state_updates: [timer] })).toBe(true);
  });
});
