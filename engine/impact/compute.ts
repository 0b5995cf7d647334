import type { Roster } from '../model/people.js';
import type { Change, PlanDocument } from '../model/plan.js';
import type { Policy } from '../model/policy.js';
import { canonicalJson, digestOf } from '../plan/canonical.js';
import { compareChanges } from '../plan/order.js';
import type { Identity } from '../resolve/identities.js';
import { perMember } from './expand.js';
import { headlineOf } from './headline.js';
import { populationOf } from './population.js';
import { diffRules, qualifyRule, ruleDigests } from './rules.js';
import type { ImpactDocument, ImpactEntry, ImpactSide, ImpactSummary } from './types.js';

/**
 * The impact of a policy change, as a pure function of two plans computed from the same
 * roster, state and snapshots: every change the head plan adds, every change it drops, and
 * every change whose effect differs. Since everything but the policy is shared, each
 * entry is caused by the policy change and nothing else. Membership changes are compared
 * per member (see expand.ts).
 */

export interface ImpactSideInput {
  ref: string;
  commit: string | null;
  policy: Policy;
  plan: PlanDocument;
}

export interface ImpactInput {
  base: ImpactSideInput;
  head: ImpactSideInput & { identities: readonly Identity[] };
  roster: Roster;
}

/** What a change does, for "altered": its before/after values and password rule, not its reason. */
function effectOf(c: Change): string {
  return canonicalJson({ object_id: c.object_id, before: c.before, after: c.after, password_rule: c.password_rule });
}

export function computeImpact(input: ImpactInput): ImpactDocument {
  const { base, head } = input;
  const schoolOf = new Map(head.identities.map((i) => [i.anchor, i.facts?.school ?? '']));
  const baseChanges = perMember(base.plan.changes);
  const headChanges = perMember(head.plan.changes);
  const baseById = new Map(baseChanges.map((c) => [c.id, c]));
  const headById = new Map(headChanges.map((c) => [c.id, c]));
  const entries: ImpactEntry[] = [];
  const entry = (change: ImpactEntry['change'], c: Change, policy: Policy, b?: Change, h?: Change): ImpactEntry => ({
    key: c.id,
    change,
    target: c.target,
    kind: c.kind,
    action: c.action,
    ...(c.anchor !== undefined ? { anchor: c.anchor } : {}),
    rule: qualifyRule(c, policy),
    school: c.anchor !== undefined ? schoolOf.get(c.anchor) ?? '' : '',
    ...(b ? { base: b } : {}),
    ...(h ? { head: h } : {}),
  });
  for (const h of headChanges) {
    const b = baseById.get(h.id);
    if (!b) entries.push(entry('added', h, head.policy, undefined, h));
    else if (effectOf(b) !== effectOf(h)) entries.push(entry('altered', h, head.policy, b, h));
  }
  for (const b of baseChanges) if (!headById.has(b.id)) entries.push(entry('removed', b, base.policy, b, undefined));
  entries.sort(compareEntries);

  const baseViolations = new Set(base.plan.safety.violations.map((v) => v.id));
  const summary = summarizeImpact(entries);
  const body: Omit<ImpactDocument, 'digest'> = {
    format_version: 1,
    kind: 'rollcall-impact',
    created_at: head.plan.created_at,
    base: side(base),
    head: side(head),
    inputs: {
      now: head.plan.inputs.now,
      sis_digest: head.plan.inputs.sis_digest,
      sis_people: head.plan.inputs.sis_people,
      state_lineage: head.plan.inputs.state_lineage,
      state_serial: head.plan.inputs.state_serial,
      targets: Object.fromEntries(Object.entries(head.plan.inputs.targets).map(([k, v]) => [k, { digest: v.digest }])),
    },
    plans: { base: base.plan.digest, head: head.plan.digest },
    rules: diffRules(ruleDigests(base.policy), ruleDigests(head.policy)),
    summary,
    headline: headlineOf(entries),
    entries,
    safety: {
      head: { ok: head.plan.safety.ok, violations: head.plan.safety.violations },
      introduced: head.plan.safety.violations.map((v) => v.id).filter((id) => !baseViolations.has(id)),
    },
    population: populationOf(input.roster, baseChanges),
  };
  return { ...body, digest: impactDigest(body) };
}

export function impactDigest(doc: Omit<ImpactDocument, 'digest'> | ImpactDocument): string {
  const { digest: _ignored, ...rest } = doc as ImpactDocument;
  return digestOf(rest);
}

function side(s: ImpactSideInput): ImpactSide {
  return { ref: s.ref, commit: s.commit, policy_digest: s.plan.inputs.policy_digest };
}

/** By rule, then the plan's own order, so every renderer groups the same way. */
function compareEntries(a: ImpactEntry, b: ImpactEntry): number {
  if (a.rule !== b.rule) return a.rule < b.rule ? -1 : 1;
  const byPlan = compareChanges((a.head ?? a.base)!, (b.head ?? b.base)!);
  if (byPlan !== 0) return byPlan;
  return a.change < b.change ? -1 : a.change > b.change ? 1 : 0;
}

export function summarizeImpact(entries: readonly ImpactEntry[]): ImpactSummary {
  const s: ImpactSummary = { total: entries.length, by_change: { added: 0, removed: 0, altered: 0 }, by_action: {}, removed_by_action: {}, by_rule: {}, by_school: {}, people: 0 };
  const people = new Set<string>();
  for (const e of entries) {
    s.by_change[e.change]++;
    if (e.anchor !== undefined) people.add(e.anchor);
    const bucket = e.change === 'removed' ? s.removed_by_action : s.by_action;
    bucket[e.action] = (bucket[e.action] ?? 0) + 1;
    const r = (s.by_rule[e.rule] ??= {});
    r[e.action] = (r[e.action] ?? 0) + 1;
    if (e.school) {
      const sc = (s.by_school[e.school] ??= {});
      sc[e.action] = (sc[e.action] ?? 0) + 1;
    }
  }
  s.people = people.size;
  return s;
}
