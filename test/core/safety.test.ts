import { describe, expect, it } from 'vitest';
import type { Change } from '../../engine/model/plan.js';
import type { SafetyPolicy } from '../../engine/model/policy.js';
import { evaluateSafety, type SisCounts } from '../../engine/plan/safety.js';

const policy: SafetyPolicy = {
  origin: { id: 'safety' },
  limits: { disable: { count: 10, percent: 5 }, create: { count: 100, percent: null } },
  maxSisShrinkPercent: 10,
  protectedUsernames: [],
  protectedPaths: [],
  protectedGroups: [],
};

function changes(action: Change['action'], n: number, target = 'sandbox'): Change[] {
  return Array.from({ length: n }, (_, i) => ({ id: `${target}:account:${i}:${action}`, target, kind: 'account' as const, action, key: String(i), reason: { cause: 'sis' as const, detail: '' } }));
}

/** A bulk export as large as the last applied one, in people and in eligible people. */
function sis(over: Partial<SisCounts> = {}): SisCounts {
  return { mode: 'bulk', people: 1000, previousPeople: 1000, eligible: 800, previousEligible: 800, ...over };
}

describe('evaluateSafety', () => {
  it('passes a plan within limits', () => {
    const v = evaluateSafety({ changes: changes('disable', 5), policy, managed: { sandbox: 1000 }, sis: sis() });
    expect(v).toEqual({ ok: true, halted: false, violations: [] });
  });

  it('halts on count and percent, with ids an override can name', () => {
    const v = evaluateSafety({ changes: changes('disable', 60), policy, managed: { sandbox: 1000 }, sis: sis() });
    expect(v.halted).toBe(true);
    expect(v.violations.map((x) => x.id)).toEqual(['disable.count', 'disable.percent']);
    expect(v.violations[1]!.actual).toBe('6.0%');
  });

  it('percent limits need a managed population; counts still apply on a first run', () => {
    const v = evaluateSafety({ changes: changes('create', 150), policy, managed: { sandbox: 0 }, sis: sis({ people: 150, previousPeople: null, eligible: 150, previousEligible: null }) });
    expect(v.violations.map((x) => x.id)).toEqual(['create.count']);
  });

  it('flags a shrinking bulk export (a truncated SIS file)', () => {
    const v = evaluateSafety({ changes: [], policy, managed: { sandbox: 1000 }, sis: sis({ people: 500 }) });
    expect(v.violations.map((x) => x.id)).toEqual(['sis.shrink']);
    const delta = evaluateSafety({ changes: [], policy, managed: { sandbox: 1000 }, sis: sis({ mode: 'delta', people: 5 }) });
    expect(delta.ok).toBe(true);
  });
});

describe('sis.shrink', () => {
  const shrink = (counts: Partial<SisCounts>) => evaluateSafety({ changes: [], policy, managed: { sandbox: 1000 }, sis: sis(counts) });

  it('fires when the eligible count fell, though every person row is still there (a truncated roles.csv)', () => {
    const v = shrink({ people: 1000, eligible: 300 });
    expect(v.halted).toBe(true);
    expect(v.violations).toEqual([{
      id: 'sis.shrink',
      action: 'sis-shrink',
      limit: '10%',
      actual: '62.5%',
      detail: 'the SIS export gives 300 people a role this policy provisions, 500 fewer than the last run (800); a truncated roles.csv, or a policy that provisions fewer roles?',
    }]);
  });

  it('groups digits the same on every machine', () => {
    const v = shrink({ people: 12_000, previousPeople: 12_000, eligible: 4210, previousEligible: 8110 });
    expect(v.violations[0]!.detail).toContain('gives 4,210 people a role this policy provisions, 3,900 fewer than the last run (8,110)');
  });

  it('still fires when the people count fell, and names each count that fell in one violation', () => {
    const people = shrink({ people: 500, eligible: 800 });
    expect(people.violations.map((x) => x.id)).toEqual(['sis.shrink']);
    expect(people.violations[0]!.actual).toBe('50.0%');
    expect(people.violations[0]!.detail).toBe('the SIS export has 500 people, 500 fewer than the last run (1,000); a truncated export?');

    const both = shrink({ people: 800, eligible: 200 });
    expect(both.violations).toHaveLength(1);
    expect(both.violations[0]!.actual).toBe('75.0%');
    expect(both.violations[0]!.detail).toBe('the SIS export has 800 people, 200 fewer than the last run (1,000); a truncated export?; the SIS export gives 200 people a role this policy provisions, 600 fewer than the last run (800); a truncated roles.csv, or a policy that provisions fewer roles?');
  });

  it('compares people only when the last eligible count is unknown (state from an older rollcall)', () => {
    expect(shrink({ eligible: 0, previousEligible: null }).ok).toBe(true);
    expect(shrink({ people: 500, eligible: 0, previousEligible: null }).violations.map((x) => x.detail)).toEqual([
      'the SIS export has 500 people, 500 fewer than the last run (1,000); a truncated export?',
    ]);
    // Nothing applied yet with eligible people: nothing to compare with either.
    expect(shrink({ eligible: 0, previousEligible: 0 }).ok).toBe(true);
  });

  it('never fires on a delta set', () => {
    expect(shrink({ mode: 'delta', people: 10, eligible: 1 }).ok).toBe(true);
  });

  it('does not fire at exactly the threshold, only past it', () => {
    // 10% of 800 eligible and of 1000 people: exactly maxSisShrinkPercent.
    expect(shrink({ people: 900, eligible: 720 }).ok).toBe(true);
    expect(shrink({ people: 1000, eligible: 719 }).violations.map((x) => x.id)).toEqual(['sis.shrink']);
    expect(shrink({ people: 899, eligible: 800 }).violations.map((x) => x.id)).toEqual(['sis.shrink']);
  });

  it('does not fire when either count grew', () => {
    expect(shrink({ people: 2000, eligible: 1600 }).ok).toBe(true);
  });
});
