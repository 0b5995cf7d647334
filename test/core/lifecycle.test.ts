import { describe, expect, it } from 'vitest';
import type { Policy } from '../../engine/model/policy.js';
import type { Person } from '../../engine/model/people.js';
import type { PersonState } from '../../engine/model/state.js';
import { decideLifecycle } from '../../engine/resolve/lifecycle.js';
import type { PersonFacts } from '../../engine/resolve/person-facts.js';

const stage = (id: string, suspendAfterDays: number, deleteAfterDays: number | null) => ({
  origin: { id }, suspendAfterDays, deleteAfterDays, path: null,
});

const policy = {
  lifecycle: {
    preEnrollmentDays: 14,
    withdrawal: stage('lifecycle.withdrawal', 0, 90),
    graduation: stage('lifecycle.graduation', 30, 365),
    staffDeparture: stage('lifecycle.staffDeparture', 7, null),
    holds: [{ origin: { id: 'lifecycle.holds[0]' }, from: '2027-06-12', to: '2027-08-16', reason: 'summer', blocks: ['disable', 'delete'] }],
  },
} as unknown as Policy;

function facts(over: Partial<PersonFacts> = {}, enabledUser = true): PersonFacts {
  const person = { sourcedId: 's1', enabledUser } as Person;
  return {
    anchor: 's1', person, eligibility: 'active', withinPreEnrollment: false, role: 'student', roleEntry: null,
    school: 'MHS', grade: '09', gradYear: 2030, values: {}, subject: { role: 'student', school: 'MHS', grade: '09', gradYear: 2030, field: () => '' },
    ...over,
  };
}

const base = { anchor: 's1', lastRole: 'student', lastGrade: '09', policy };

describe('decideLifecycle', () => {
  it('an enrolled student is active and provisioned', () => {
    const o = decideLifecycle({ ...base, facts: facts(), remembered: undefined, known: false, today: '2026-10-01' })!;
    expect(o.decision.state).toBe('active');
    expect(o.provision).toBe(true);
    expect(o.timers).toEqual([]);
  });

  it('enabledUser=false suspends in place and names the SIS as the rule', () => {
    const o = decideLifecycle({ ...base, facts: facts({}, false), remembered: { username: 'a', first_seen: 'x' }, known: true, today: '2026-10-01' })!;
    expect(o.decision).toMatchObject({ state: 'suspended', rule: 'sis.enabledUser' });
    expect(o.suspendPath).toBeNull();
  });

  it('a withdrawn student is suspended at once and given a delete date', () => {
    const o = decideLifecycle({ ...base, facts: null, remembered: { username: 'a', first_seen: 'x' }, known: true, today: '2026-10-01' })!;
    expect(o.decision).toMatchObject({ state: 'suspended', rule: 'lifecycle.withdrawal', date: '2026-10-01' });
    expect(o.timers.map((t) => [t.field, t.value])).toEqual([
      ['missing_since', '2026-10-01'],
      ['suspended_at', '2026-10-01'],
      ['delete_after', '2026-12-30'],
    ]);
  });

  it('deletes only after the grace period', () => {
    const remembered: PersonState = { username: 'a', first_seen: 'x', missing_since: '2026-10-01', suspended_at: '2026-10-01', delete_after: '2026-12-30' };
    expect(decideLifecycle({ ...base, facts: null, remembered, known: true, today: '2026-12-29' })!.decision.state).toBe('suspended');
    const o = decideLifecycle({ ...base, facts: null, remembered, known: true, today: '2026-12-30' })!;
    expect(o.decision).toMatchObject({ state: 'deleted', rule: 'lifecycle.withdrawal', date: '2026-12-30' });
  });

  it('the summer hold blocks suspensions, and names itself', () => {
    const o = decideLifecycle({ ...base, facts: null, remembered: { username: 'a', first_seen: 'x' }, known: true, today: '2027-07-01' })!;
    expect(o.decision).toMatchObject({ state: 'active', rule: 'lifecycle.holds[0]', date: '2027-08-16' });
    // ...but the missing-since timer still starts, so the suspension is due when the hold ends.
    expect(o.timers.map((t) => t.field)).toEqual(['missing_since']);
  });

  it('graduates a 12th grader with the graduation stage delay', () => {
    const o = decideLifecycle({ ...base, lastGrade: '12', facts: null, remembered: { username: 'a', first_seen: 'x' }, known: true, today: '2026-10-01' })!;
    expect(o.decision).toMatchObject({ state: 'active', rule: 'lifecycle.graduation', date: '2026-10-31' });
  });

  it('staff departure never deletes when deleteAfterDays is null', () => {
    const remembered: PersonState = { username: 'a', first_seen: 'x', missing_since: '2020-01-01', suspended_at: '2020-01-08' };
    const o = decideLifecycle({ ...base, lastRole: 'teacher', facts: null, remembered, known: true, today: '2026-10-01' })!;
    expect(o.decision).toMatchObject({ state: 'suspended', rule: 'lifecycle.staffDeparture' });
  });

  it('re-enrollment restores the account and clears the timers', () => {
    const remembered: PersonState = { username: 'a', first_seen: 'x', missing_since: '2026-10-01', suspended_at: '2026-10-01', delete_after: '2026-12-30' };
    const o = decideLifecycle({ ...base, facts: facts(), remembered, known: true, today: '2026-11-01' })!;
    expect(o.decision).toMatchObject({ state: 'active', rule: 'lifecycle.reenrollment' });
    expect(o.timers.map((t) => [t.field, t.value])).toEqual([['missing_since', null], ['suspended_at', null], ['delete_after', null]]);
  });

  it('creates accounts only inside the pre-enrollment window', () => {
    const roleEntry = { role: 'student', orgSourcedId: 'o', roleType: 'primary' as const, beginDate: '2026-09-01' };
    const early = decideLifecycle({ ...base, facts: facts({ eligibility: 'upcoming', withinPreEnrollment: false, roleEntry }), remembered: undefined, known: false, today: '2026-08-01' })!;
    expect(early).toMatchObject({ provision: false, decision: { state: 'pending', date: '2026-09-01' } });
    const inWindow = decideLifecycle({ ...base, facts: facts({ eligibility: 'upcoming', withinPreEnrollment: true, roleEntry }), remembered: undefined, known: false, today: '2026-08-20' })!;
    expect(inWindow).toMatchObject({ provision: true, decision: { state: 'active', rule: 'lifecycle.preEnrollmentDays' } });
  });

  it('people rollcall never managed and the SIS does not list are ignored', () => {
    expect(decideLifecycle({ ...base, facts: null, remembered: undefined, known: false, today: '2026-10-01' })).toBeNull();
  });
});
