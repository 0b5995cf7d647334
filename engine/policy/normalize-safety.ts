import type { SafetyAction, SafetyLimit, SafetyPolicy } from '../model/policy.js';
import type { SectionContext } from './context.js';
import { DEFAULTS } from './defaults.js';
import { literalPaths } from './normalize-placement.js';
import type { WrittenSafety } from './written.js';

const ACTIONS: readonly SafetyAction[] = ['create', 'update', 'move', 'rename', 'disable', 'enable', 'delete', 'add', 'remove'];

function strings(v: (string | undefined)[] | undefined): string[] {
  return (v ?? []).filter((x): x is string => x !== undefined);
}

export function normalizeSafety(ctx: SectionContext, w: WrittenSafety | undefined): SafetyPolicy {
  const limits: Partial<Record<SafetyAction, SafetyLimit>> = {};
  for (const a of ACTIONS) {
    const written = w?.limits?.[a];
    // A listed action replaces its default entirely: `disable: { count: 100 }` has no percent limit.
    if (written) limits[a] = { count: written.count ?? null, percent: written.percent ?? null };
    else if (a in DEFAULTS.safety.limits) limits[a] = { ...DEFAULTS.safety.limits[a as keyof typeof DEFAULTS.safety.limits] };
  }
  const source = w ? ctx.at([]) : undefined;
  return {
    origin: source ? { id: 'safety', source } : { id: 'safety' },
    limits,
    maxSisShrinkPercent: w?.maxSisShrinkPercent ?? DEFAULTS.safety.maxSisShrinkPercent,
    protectedUsernames: strings(w?.protected?.usernames).map((u) => u.toLowerCase()),
    protectedPaths: literalPaths(ctx, w?.protected?.paths, ['protected', 'paths']),
    protectedGroups: strings(w?.protected?.groups),
  };
}
