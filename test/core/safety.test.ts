import { describe, expect, it } from 'vitest';
import type { Change } from '../../engine/model/plan.js';
import type { SafetyPolicy } from '../../engine/model/policy.js';
import { evaluateSafety } from '../../engine/plan/safety.js';

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

describe('evaluateSafety', () => {
  it('passes a plan within limits', () => {
    const v = evaluateSafety({ changes: changes('disable', 5), policy, managed: { sandbox: 1000 }, sis: { mode: 'bulk', people: 1000, previousPeople: 1000 } });
    expect(v).toEqual({ ok: true, halted: false, violations: [] });
  });

  it('halts on count and percent, with ids an override can name', () => {
    const v = evaluateSafety({ changes: changes('disable', 60), policy, managed: { sandbox: 1000 }, sis: { mode: 'bulk', people: 1000, previousPeople: 1000 } });
    expect(v.halted).toBe(true);
    expect(v.violations.map((x) => x.id)).toEqual(['disable.count', 'disable.percent']);
    expect(v.violations[1]!.actual).toBe('6.0%');
  });

  it('percent limits need a managed population; counts still apply on a first run', () => {
    const v = evaluateSafety({ changes: changes('create', 150), policy, managed: { sandbox: 0 }, sis: { mode: 'bulk', people: 150, previousPeople: null } });
    expect(v.violations.map((x) => x.id)).toEqual(['create.count']);
  });

  it('flags a shrinking bulk export (a truncated SIS file)', () => {
    const v = evaluateSafety({ changes: [], policy, managed: { sandbox: 1000 }, sis: { mode: 'bulk', people: 500, previousPeople: 1000 } });
    expect(v.violations.map((x) => x.id)).toEqual(['sis.shrink']);
    const delta = evaluateSafety({ changes: [], policy, managed: { sandbox: 1000 }, sis: { mode: 'delta', people: 5, previousPeople: 1000 } });
    expect(delta.ok).toBe(true);
  });
});
