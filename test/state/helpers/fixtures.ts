import type { JournalEntry, StateDocument } from '../../../engine/model/state.js';
import { emptyState } from '../../../engine/model/state.js';

/** Small, valid documents for state tests (synthetic; no real names). */
export function sampleState(serial: number, lineage = '', extra = 0): StateDocument {
  const s = emptyState(lineage);
  s.serial = serial;
  s.registry = { jdoe: { anchor: 'stu-1', issued_at: '2026-01-05T00:00:00.000Z' } };
  s.people = { 'stu-1': { username: 'jdoe', first_seen: '2026-01-05T00:00:00.000Z', previous_usernames: ['jdoe1'] } };
  for (let i = 0; i < extra; i++) s.people[`stu-x${i}`] = { username: `x${i}`, first_seen: '2026-01-05T00:00:00.000Z' };
  s.last_applied = {
    sandbox: {
      'stu-1': { username: 'jdoe', givenName: 'Jo', familyName: 'Doe', displayName: 'Jo Doe', email: 'jdoe@example.org', path: 'Students/MHS/2030', enabled: true },
    },
  };
  s.sis = { digest: `sha256:${serial}`, people: 1, taken_at: '2026-01-05T00:00:00.000Z' };
  return s;
}

export function entry(i: number, at: string, anchor?: string, outcome: JournalEntry['outcome'] = 'applied'): JournalEntry {
  const e: JournalEntry = {
    seq: 0,
    at,
    plan_digest: 'sha256:plan',
    policy_commit: null,
    actor: 'tester',
    change_id: `c${i}`,
    target: 'sandbox',
    action: 'create',
    cause: 'sis',
    outcome,
    after: { username: `u${i}` },
  };
  if (anchor !== undefined) e.anchor = anchor;
  return e;
}
