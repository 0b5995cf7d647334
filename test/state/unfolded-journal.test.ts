import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyState, type JournalEntry } from '../../engine/model/state.js';
import { unfoldedJournal } from '../../engine/run/recover.js';
import { localStateBackend } from '../../engine/state/local.js';

/**
 * Plan and apply read only the journal state has not folded in. That is decided by sequence
 * number: a state whose last plan was made for a future --now must still see the results
 * of an apply that ran (by the wall clock) before that time and crashed before writing state.
 */

function entry(at: string, n: number): JournalEntry {
  return { seq: 0, at, plan_digest: 'd'.repeat(64), policy_commit: null, actor: 'test', change_id: `sandbox:account:p${n}:create`, target: 'sandbox', action: 'create', anchor: `p${n}`, cause: 'sis', outcome: 'applied', after: { username: `user${n}` } };
}

describe('unfolded journal', () => {
  it('is every entry after state\'s journal_seq, whatever their times', async () => {
    const backend = localStateBackend(join(mkdtempSync(join(tmpdir(), 'rollcall-unfolded-')), 'state.json'));
    const lock = await backend.lock('apply', 0);
    await backend.appendJournal([1, 2, 3, 4, 5].map((n) => entry('2026-10-01T08:00:00.000Z', n)), lock);
    await lock.release();
    const state = { ...emptyState('l1'), journal_seq: 3, sis: { digest: 'a'.repeat(64), people: 5, taken_at: '2027-01-01T00:00:00.000Z' } };
    const pending = await unfoldedJournal(backend, state);
    expect(pending.map((e) => e.seq)).toEqual([4, 5]);
    await backend.close();
  });
});
