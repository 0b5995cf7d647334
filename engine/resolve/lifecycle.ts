import type { LifecycleDecision } from '../model/accounts.js';
import type { Reason, StateUpdate } from '../model/plan.js';
import type { CalendarHold, LifecycleStage, Policy, Template } from '../model/policy.js';
import type { PersonState } from '../model/state.js';
import { plannedFacts, type PersonFacts } from './person-facts.js';
import { addDays } from './school-year.js';
import { PairMemo } from './field-memo.js';

/**
 * Lifecycle is a pure function of (SIS facts, remembered timers, policy, today).
 * It never reads a clock: `today` is an input. Each outcome names the rule and the date
 * that caused it, because an admin reviewing a suspension needs to know why and since when.
 */

export type StageName = 'withdrawal' | 'graduation' | 'staffDeparture';

export interface LifecycleOutcome {
  decision: LifecycleDecision;
  /** Whether an account should exist for this person (created when missing). */
  provision: boolean;
  /** Where to move a suspended account (unrendered); null = leave where it is. */
  suspendPath: Template | null;
  timers: StateUpdate[];
}

export interface LifecycleInput {
  facts: PersonFacts | null;
  anchor: string;
  remembered: PersonState | undefined;
  /** The person has an account somewhere or a state record: rollcall manages them. */
  known: boolean;
  /** Role and grade last seen for people no longer in the SIS. */
  lastRole: string;
  lastGrade: string;
  today: string;
  policy: Policy;
  /** Shares the outcomes that depend only on role and school across a run's people. */
  memo?: LifecycleMemo | undefined;
}

/**
 * The outcome of an enrolled person with no timers to clear depends on nothing but their role
 * and school: one shared object per pair instead of three objects and a string per person.
 * Outcomes are read-only to every consumer.
 */
export class LifecycleMemo {
  private readonly byRoleAndSchool = new PairMemo<LifecycleOutcome>();

  enrolled(role: string, school: string): LifecycleOutcome {
    return this.byRoleAndSchool.find(role, school) ?? this.byRoleAndSchool.set(role, school, enrolledOutcome(role, school, []));
  }
}

function enrolledOutcome(role: string, school: string, timers: StateUpdate[]): LifecycleOutcome {
  return {
    decision: { state: 'active', rule: 'sis.enrolled', detail: `active ${role} at ${school}` },
    provision: true,
    suspendPath: null,
    timers,
  };
}

function activeHold(holds: readonly CalendarHold[], today: string, action: 'disable' | 'delete'): CalendarHold | null {
  for (const h of holds) {
    if (h.from <= today && today <= h.to && h.blocks.includes(action)) return h;
  }
  return null;
}

function timer(anchor: string, field: StateUpdate['field'], value: string | null, reason: Reason): StateUpdate {
  return { anchor, field, value, reason };
}

export function decideLifecycle(input: LifecycleInput): LifecycleOutcome | null {
  const { facts, remembered, today, policy, anchor } = input;
  const lc = policy.lifecycle;

  if (facts && (facts.eligibility === 'active' || (facts.eligibility === 'upcoming' && (facts.withinPreEnrollment || input.known)))) {
    const timers = clearTimers(anchor, remembered);
    if (!facts.person.enabledUser) {
      return {
        decision: { state: 'suspended', rule: 'sis.enabledUser', detail: 'the SIS marks this user enabledUser=false' },
        provision: input.known,
        suspendPath: null,
        timers,
      };
    }
    if (facts.eligibility === 'upcoming') {
      const begin = facts.roleEntry?.beginDate;
      return {
        decision: { state: 'active', rule: 'lifecycle.preEnrollmentDays', ...(begin ? { date: begin } : {}), detail: `role ${facts.role} begins ${begin ?? 'soon'}; created ${lc.preEnrollmentDays} days ahead` },
        provision: true,
        suspendPath: null,
        timers,
      };
    }
    const returning = remembered?.missing_since || remembered?.suspended_at;
    if (!returning) return timers.length === 0 && input.memo ? input.memo.enrolled(facts.role, facts.school) : enrolledOutcome(facts.role, facts.school, timers);
    return {
      decision: { state: 'active', rule: 'lifecycle.reenrollment', date: today, detail: 'back in the SIS: the same account is restored' },
      provision: true,
      suspendPath: null,
      timers,
    };
  }

  if (facts && facts.eligibility === 'upcoming') {
    const begin = facts.roleEntry?.beginDate;
    return {
      decision: { state: 'pending', rule: 'lifecycle.preEnrollmentDays', ...(begin ? { date: begin } : {}), detail: `role begins ${begin ?? 'later'}; account is created ${lc.preEnrollmentDays} days before` },
      provision: false,
      suspendPath: null,
      timers: [],
    };
  }

  // Absent from the export, every eligible role ended, or no longer in an eligible role.
  if (!input.known) return null;
  if (remembered?.deleted_at) {
    return {
      decision: { state: 'deleted', rule: 'lifecycle.deleted', date: remembered.deleted_at.slice(0, 10), detail: 'account was deleted earlier' },
      provision: false,
      suspendPath: null,
      timers: [],
    };
  }
  // A role no policy provisions (a guardian row left behind) says nothing of the account's
  // stage: what state remembers does.
  const role = plannedFacts(facts)?.role || input.lastRole;
  const grade = facts?.grade || input.lastGrade;
  const stageName: StageName = role === 'student' ? (grade === '12' ? 'graduation' : 'withdrawal') : 'staffDeparture';
  const stage: LifecycleStage = lc[stageName];
  const rule = `lifecycle.${stageName}`;
  const why = facts ? (facts.eligibility === 'ended' ? 'every eligible role has ended' : 'no longer holds an eligible role') : 'missing from the SIS bulk export';
  const timers: StateUpdate[] = [];

  const endDate = facts?.eligibility === 'ended' ? facts.roleEntry?.endDate : undefined;
  const trigger = remembered?.missing_since ?? (endDate && endDate < today ? endDate : today);
  if (!remembered?.missing_since) {
    timers.push(timer(anchor, 'missing_since', trigger, { cause: facts ? 'sis' : 'lifecycle', rule, date: trigger, detail: why }));
  }
  const suspendOn = addDays(trigger, stage.suspendAfterDays);
  if (today < suspendOn) {
    return {
      decision: { state: 'active', rule, date: suspendOn, detail: `${why} since ${trigger}; suspends on ${suspendOn}` },
      provision: false,
      suspendPath: null,
      timers,
    };
  }
  if (!remembered?.suspended_at) {
    const hold = activeHold(lc.holds, today, 'disable');
    if (hold) {
      return {
        decision: { state: 'active', rule: hold.origin.id, date: hold.to, detail: `${why}; suspension held until ${hold.to}: ${hold.reason}` },
        provision: false,
        suspendPath: null,
        timers,
      };
    }
  }
  const suspendedAt = remembered?.suspended_at ?? today;
  if (!remembered?.suspended_at) {
    timers.push(timer(anchor, 'suspended_at', suspendedAt, { cause: 'lifecycle', rule, date: suspendOn, detail: `${why} since ${trigger}` }));
  }
  if (stage.deleteAfterDays !== null) {
    const deleteOn = addDays(suspendedAt, stage.deleteAfterDays);
    if (!remembered?.delete_after) {
      timers.push(timer(anchor, 'delete_after', deleteOn, { cause: 'lifecycle', rule, date: deleteOn, detail: `grace period of ${stage.deleteAfterDays} days` }));
    }
    if (deleteOn <= today) {
      const hold = activeHold(lc.holds, today, 'delete');
      if (!hold) {
        return {
          decision: { state: 'deleted', rule, date: deleteOn, detail: `suspended on ${suspendedAt}; grace period of ${stage.deleteAfterDays} days ended ${deleteOn}` },
          provision: false,
          suspendPath: stage.path,
          timers,
        };
      }
    }
  }
  return {
    decision: { state: 'suspended', rule, date: suspendOn, detail: `${why} since ${trigger}` },
    provision: false,
    suspendPath: stage.path,
    timers,
  };
}

function clearTimers(anchor: string, remembered: PersonState | undefined): StateUpdate[] {
  if (!remembered) return [];
  const out: StateUpdate[] = [];
  const reason: Reason = { cause: 'sis', rule: 'lifecycle.reenrollment', detail: 'the person is active in the SIS again' };
  for (const field of ['missing_since', 'suspended_at', 'delete_after'] as const) {
    if (remembered[field]) out.push(timer(anchor, field, null, reason));
  }
  return out;
}
