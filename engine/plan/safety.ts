import type { Change, SafetyViolation } from '../model/plan.js';
import type { SafetyAction, SafetyPolicy } from '../model/policy.js';

/**
 * The safety valve: a plan that would, say, suspend 40% of students because the export
 * was truncated is halted. Apply refuses a halted plan unless the operator names each
 * violation id it accepts (`--accept disable.percent`).
 */

export interface SafetyInput {
  changes: readonly Change[];
  policy: SafetyPolicy;
  /** Managed accounts per target, the base for percent limits. */
  managed: Readonly<Record<string, number>>;
  sis: SisCounts;
}

/** What the `sis.shrink` check compares: this export's counts and the last apply's (state.sis). */
export interface SisCounts {
  mode: 'bulk' | 'delta';
  /** Every person row of the export, guardians and parents included (plan `inputs.sis_people`). */
  people: number;
  previousPeople: number | null;
  /**
   * People the export gives a role this policy provisions (plan `inputs.sis_eligible`). A
   * truncated roles.csv keeps every users.csv row, so only this count shows it.
   */
  eligible: number;
  /** The last apply's eligible count; null when unknown (state written by an older rollcall). */
  previousEligible: number | null;
}

export interface SafetyVerdict {
  ok: boolean;
  halted: boolean;
  violations: SafetyViolation[];
}

const LIMITED: readonly SafetyAction[] = ['create', 'update', 'move', 'rename', 'disable', 'enable', 'delete', 'add', 'remove'];

export function evaluateSafety(input: SafetyInput): SafetyVerdict {
  // target -> action -> operations. Changes come grouped by target: one lookup per run of them,
  // not a key made per change (a 100,000-person first plan has 173,710 changes).
  const counts = new Map<string, Map<string, number>>();
  let target: string | undefined;
  let byAction: Map<string, number> | undefined;
  for (const c of input.changes) {
    if (c.kind === 'container' || c.kind === 'group') continue;
    if (c.target !== target) {
      target = c.target;
      byAction = counts.get(target);
      if (!byAction) counts.set(target, (byAction = new Map()));
    }
    const action = c.action === 'adopt' ? 'update' : c.action;
    byAction!.set(action, (byAction!.get(action) ?? 0) + operations(c));
  }
  const violations = new Map<string, SafetyViolation>();
  // Only targets with counted changes can break a limit.
  const targets = [...counts.keys()].sort();
  for (const target of targets) {
    const base = input.managed[target] ?? 0;
    const counted = counts.get(target)!;
    for (const action of LIMITED) {
      const limit = input.policy.limits[action];
      if (!limit) continue;
      const n = counted.get(action) ?? 0;
      if (n === 0) continue;
      if (limit.count !== null && n > limit.count) {
        addViolation(violations, { id: `${action}.count`, action, limit: `${limit.count}`, actual: `${n}`, detail: `${n} ${action} change(s) in target ${target}, over the limit of ${limit.count}` });
      }
      // Percent limits need a population; on a first run (nothing managed yet) only counts apply.
      if (limit.percent !== null && base > 0) {
        const pct = (100 * n) / base;
        if (pct > limit.percent) {
          addViolation(violations, { id: `${action}.percent`, action, limit: `${limit.percent}%`, actual: `${pct.toFixed(1)}%`, detail: `${n} of ${base} managed accounts (${pct.toFixed(1)}%) in target ${target} would be ${pastTense(action)}, over the limit of ${limit.percent}%` });
        }
      }
    }
  }
  const shrink = sisShrink(input.sis, input.policy.maxSisShrinkPercent);
  if (shrink) addViolation(violations, shrink);
  const list = [...violations.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { ok: list.length === 0, halted: list.length > 0, violations: list };
}

/**
 * A bulk export that lost more than `maxSisShrinkPercent` of its people, or of the people it
 * gives an eligible role, since the last apply: one `sis.shrink` violation (the id operators
 * accept), its detail naming each count that fell. Counts only, never who. A delta set says
 * nothing about the people it leaves out, and an unknown previous count compares nothing.
 */
function sisShrink(sis: SisCounts, maxPercent: number): SafetyViolation | null {
  if (sis.mode !== 'bulk') return null;
  const people = fell(sis.people, sis.previousPeople, maxPercent);
  const eligible = fell(sis.eligible, sis.previousEligible, maxPercent);
  if (!people && !eligible) return null;
  const details: string[] = [];
  if (people) details.push(`the SIS export has ${count(people.now)} people, ${count(people.lost)} fewer than the last run (${count(people.previous)}); a truncated export?`);
  if (eligible) details.push(`the SIS export gives ${count(eligible.now)} people a role this policy provisions, ${count(eligible.lost)} fewer than the last run (${count(eligible.previous)}); a truncated roles.csv, or a policy that provisions fewer roles?`);
  const pct = Math.max(people?.pct ?? 0, eligible?.pct ?? 0);
  return { id: 'sis.shrink', action: 'sis-shrink', limit: `${maxPercent}%`, actual: `${pct.toFixed(1)}%`, detail: details.join('; ') };
}

/** How far a count fell below the previous one, when by more than `maxPercent` percent of it. */
function fell(now: number, previous: number | null, maxPercent: number): { now: number; previous: number; lost: number; pct: number } | null {
  if (previous === null || previous <= 0) return null;
  const lost = previous - now;
  const pct = (100 * lost) / previous;
  return lost > 0 && pct > maxPercent ? { now, previous, lost, pct } : null;
}

/** 12345 -> "12,345": digits grouped the same on every machine (no locale). */
function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A planned membership change adds or removes many members; limits count members. */
export function operations(c: Change): number {
  return c.kind === 'membership' && c.members ? c.members.length : 1;
}

function addViolation(map: Map<string, SafetyViolation>, v: SafetyViolation): void {
  const prev = map.get(v.id);
  if (prev) prev.detail += `; ${v.detail}`;
  else map.set(v.id, v);
}

function pastTense(action: SafetyAction): string {
  switch (action) {
    case 'add': return 'added to groups';
    case 'remove': return 'removed from groups';
    case 'create': return 'created';
    case 'update': return 'updated';
    case 'move': return 'moved';
    case 'rename': return 'renamed';
    case 'disable': return 'disabled';
    case 'enable': return 'enabled';
    case 'delete': return 'deleted';
  }
}
