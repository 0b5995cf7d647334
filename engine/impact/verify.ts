import type { Action, Cause, Change, PlanDocument } from '../model/plan.js';
import type { SafetyPolicy } from '../model/policy.js';
import { canonicalJson } from '../plan/canonical.js';
import { evaluateSafety, type SafetyInput, type SafetyVerdict } from '../plan/safety.js';
import { impactDigest } from './compute.js';
import { perMember } from './expand.js';
import { personDelta, type PersonDelta } from './population.js';
import type { ImpactDocument, ImpactEntry, RuleChange } from './types.js';

/**
 * Apply-on-merge verification, pure. A plan made on the PR is stale by merge time (the SIS
 * moved on), so verify does not compare plans. It compares IMPACTS: the impact approved on
 * the PR, and the impact of the same base policy -> the merged policy recomputed today
 * against today's SIS, state and targets. Then it splits today's plan in two:
 *
 * - the policy part: changes in today's impact for people present and unchanged in both
 *   rosters. It must match the approved impact entry for entry (same key, same kind of
 *   difference, same values). People who joined, left or whose SIS record changed since
 *   approval are reported, not compared: their difference is the SIS's doing. So are people
 *   whose pending changes under the base policy differ (the daily sync created their
 *   account since, or a pre-enrollment window opened): the policy meets a new situation.
 * - the rest: everything else in today's plan (SIS, lifecycle, drift, and the joined/left/
 *   changed people). It must be within the safety limits on its own, unless the operator
 *   accepts a violation by id.
 *
 * Besides the entries, the set of policy rules that changed (with their definitions'
 * digests) must equal the approved set: a policy edit slipped in after approval is refused
 * even when it changes nothing in today's directories.
 *
 * When both hold, the full plan's safety violations that the rest does not cause are the
 * approved policy change's own (a reviewed rename of 400 accounts exceeds `rename.count`);
 * verify lists them in `accept` for apply.
 */

export interface VerifyInput {
  approved: ImpactDocument;
  /** The impact recomputed today: base = the approved base policy, head = the merged policy. */
  fresh: ImpactDocument;
  /** Today's plan with the merged policy: what apply will carry out. */
  plan: PlanDocument;
  safety: SafetyPolicy;
  /** Managed accounts per target, the base for percent limits. */
  managed: Readonly<Record<string, number>>;
  sis: SafetyInput['sis'];
  /** Violation ids the operator accepts for the rest (`--accept`). */
  accept: readonly string[];
}

export type MismatchKind = 'not-approved' | 'not-in-merge' | 'differs' | 'rule-not-approved' | 'rule-not-in-merge' | 'approved-edited' | 'rest-unsafe';

export interface Mismatch {
  kind: MismatchKind;
  /** The entry key or the rule id. */
  subject: string;
  detail: string;
  /**
   * The impact entry's change (per member for memberships), when the subject is one: its key
   * names a person by sourcedId or username, so renderers show it pseudonymized through this.
   */
  change?: Change;
}

export interface VerifyReport {
  ok: boolean;
  /** One line per failed check, for people and for the issue apply.yml opens. */
  reasons: string[];
  /** The first mismatches (up to 200); `mismatch_count` has them all. */
  mismatches: Mismatch[];
  mismatch_count: number;
  approved: { digest: string; base: string | null; head: string | null; entries: number };
  policy_part: { changes: number; matched: number; by_action: Partial<Record<Action, number>> };
  /**
   * Impact entries reported, not compared: people who joined, left or changed since
   * approval; and `shifted`: same person, same change, but a username (and so email or
   * membership name) that a collision with someone else's SIS change moved, e.g. a
   * withdrawn student freed `jsmith2029`. These stay in the policy part.
   */
  reported: Record<Exclude<PersonDelta, 'same'> | 'shifted', number>;
  rest: { changes: number; by_cause: Partial<Record<Cause, number>>; safety: SafetyVerdict };
  /** Violation ids `rollcall apply` must accept for today's plan (empty unless ok). */
  accept: string[];
  /** Ids of today's plan changes in the policy part, memberships per member (see expand.ts). */
  policy_change_ids: string[];
}

const MAX_LISTED = 200;

function effect(e: ImpactEntry): string {
  const pick = (c: Change | undefined) => (c ? { object_id: c.object_id, before: c.before, after: c.after, password_rule: c.password_rule } : null);
  return canonicalJson({ change: e.change, base: pick(e.base), head: pick(e.head) });
}

/** Attributes a username collision can move; any other difference is a real mismatch. */
const COLLISION_ATTRS: ReadonlySet<string> = new Set(['username', 'email', 'aliases', 'member']);

function onlyCollision(a: ImpactEntry, f: ImpactEntry): boolean {
  if (a.change !== f.change) return false;
  const pairs: [Change | undefined, Change | undefined][] = [[a.base, f.base], [a.head, f.head]];
  for (const [x, y] of pairs) {
    if (x === undefined && y === undefined) continue;
    if (!x || !y || x.object_id !== y.object_id || x.password_rule !== y.password_rule) return false;
    for (const side of ['before', 'after'] as const) {
      const m = x[side] ?? {};
      const n = y[side] ?? {};
      for (const k of new Set([...Object.keys(m), ...Object.keys(n)])) if (!COLLISION_ATTRS.has(k) && canonicalJson(m[k]) !== canonicalJson(n[k])) return false;
    }
  }
  return true;
}

function ruleKey(r: RuleChange): string {
  return `${r.rule}\u0000${r.change}\u0000${r.base ?? ''}\u0000${r.head ?? ''}`;
}

export function verifyImpact(input: VerifyInput): VerifyReport {
  const { approved, fresh, plan } = input;
  const mismatches: Mismatch[] = [];
  if (impactDigest(approved) !== approved.digest) {
    mismatches.push({ kind: 'approved-edited', subject: 'approved impact', detail: 'the approved impact does not match its digest: it was edited after it was made' });
  }

  // 1. The same rules changed, in the same way.
  const approvedRules = new Map(approved.rules.map((r) => [ruleKey(r), r]));
  const freshRules = new Map(fresh.rules.map((r) => [ruleKey(r), r]));
  for (const [k, r] of freshRules) if (!approvedRules.has(k)) mismatches.push({ kind: 'rule-not-approved', subject: r.rule, detail: `policy rule ${r.rule} is ${r.change} in the merged policy, but not in the approved impact` });
  for (const [k, r] of approvedRules) if (!freshRules.has(k)) mismatches.push({ kind: 'rule-not-in-merge', subject: r.rule, detail: `the approved change to policy rule ${r.rule} (${r.change}) is not what the merged policy has` });

  // 2. The same effect on every person present and unchanged in both rosters.
  const reported = { joined: 0, left: 0, changed: 0, shifted: 0 };
  const deltaOf = (e: ImpactEntry): PersonDelta => (e.anchor === undefined ? 'same' : personDelta(e.anchor, approved.population, fresh.population));
  const approvedByKey = new Map(approved.entries.map((e) => [e.key, e]));
  const freshKeys = new Set(fresh.entries.map((e) => e.key));
  const matchedKeys = new Set<string>();
  for (const f of fresh.entries) {
    const d = deltaOf(f);
    if (d !== 'same') {
      reported[d]++;
      continue;
    }
    const a = approvedByKey.get(f.key);
    if (!a) mismatches.push({ kind: 'not-approved', subject: f.key, detail: `${f.change} ${f.kind} ${f.action} (rule ${f.rule}) is not in the approved impact`, ...changeOf(f) });
    else if (effect(a) === effect(f)) matchedKeys.add(f.key);
    else if (onlyCollision(a, f)) {
      // The rules are identical (checked above) and so is the person: only another
      // person's SIS change can move a collision-numbered username.
      reported.shifted++;
      matchedKeys.add(f.key);
    } else mismatches.push({ kind: 'differs', subject: f.key, detail: `${f.kind} ${f.action} (rule ${f.rule}) differs from the approved impact`, ...changeOf(f) });
  }
  for (const a of approved.entries) {
    if (freshKeys.has(a.key)) continue;
    const d = deltaOf(a);
    if (d !== 'same') {
      reported[d]++;
      continue;
    }
    mismatches.push({ kind: 'not-in-merge', subject: a.key, detail: `approved ${a.change} ${a.kind} ${a.action} (rule ${a.rule}) is not in the impact of the merged policy`, ...changeOf(a) });
  }

  // 3. Split today's plan; the rest must be within the safety limits on its own.
  const policyIds = new Set(fresh.entries.filter((e) => matchedKeys.has(e.key) && e.head).map((e) => e.key));
  // Per member: one group's membership change can mix approved and SIS-driven members.
  const changes = perMember(plan.changes);
  const part = changes.filter((c) => policyIds.has(c.id));
  const rest = changes.filter((c) => !policyIds.has(c.id));
  const restSafety = evaluateSafety({ changes: rest, policy: input.safety, managed: input.managed, sis: input.sis });
  const unaccepted = restSafety.violations.filter((v) => !input.accept.includes(v.id));
  for (const v of unaccepted) mismatches.push({ kind: 'rest-unsafe', subject: v.id, detail: `the SIS-driven rest of the plan is over a safety limit: ${v.detail} (accept with --accept ${v.id})` });

  const restViolations = new Set(restSafety.violations.map((v) => v.id));
  const ok = mismatches.length === 0;
  const accept = ok ? plan.safety.violations.map((v) => v.id).filter((id) => !restViolations.has(id) || input.accept.includes(id)) : [];
  return {
    ok,
    reasons: reasonsOf(mismatches),
    mismatches: mismatches.slice(0, MAX_LISTED),
    mismatch_count: mismatches.length,
    approved: { digest: approved.digest, base: approved.base.commit, head: approved.head.commit, entries: approved.entries.length },
    policy_part: { changes: part.length, matched: matchedKeys.size, by_action: countBy(part, (c) => c.action) },
    reported,
    rest: { changes: rest.length, by_cause: countBy(rest, (c) => c.reason.cause), safety: restSafety },
    accept,
    policy_change_ids: [...policyIds].sort(),
  };
}

function reasonsOf(ms: readonly Mismatch[]): string[] {
  const by = new Map<MismatchKind, Mismatch[]>();
  for (const m of ms) by.set(m.kind, [...(by.get(m.kind) ?? []), m]);
  const out: string[] = [];
  const first = (k: MismatchKind) => by.get(k)?.[0]?.detail ?? '';
  const n = (k: MismatchKind) => by.get(k)?.length ?? 0;
  if (n('approved-edited')) out.push(first('approved-edited'));
  if (n('rule-not-approved')) out.push(`the merged policy changes ${n('rule-not-approved')} rule(s) the PR's approved impact does not: ${by.get('rule-not-approved')!.map((m) => m.subject).join(', ')}`);
  if (n('rule-not-in-merge')) out.push(`${n('rule-not-in-merge')} approved rule change(s) differ in the merged policy: ${by.get('rule-not-in-merge')!.map((m) => m.subject).join(', ')}`);
  if (n('not-approved')) out.push(`${n('not-approved')} policy-caused change(s) were never approved, e.g. ${first('not-approved')}`);
  if (n('differs')) out.push(`${n('differs')} policy-caused change(s) differ from what was approved, e.g. ${first('differs')}`);
  if (n('not-in-merge')) out.push(`${n('not-in-merge')} approved change(s) are missing from the merged policy's impact, e.g. ${first('not-in-merge')}`);
  for (const m of by.get('rest-unsafe') ?? []) out.push(m.detail);
  return out;
}

function countBy<K extends string>(changes: readonly Change[], key: (c: Change) => K): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const c of changes) out[key(c)] = (out[key(c)] ?? 0) + 1;
  return out;
}

function changeOf(e: ImpactEntry): { change?: Change } {
  const c = e.head ?? e.base;
  return c ? { change: c } : {};
}
