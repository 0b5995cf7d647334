import type { ObservedAccount, TargetSnapshot } from '../model/accounts.js';
import type { Change, PendingDecision, PlanDocument, Reason } from '../model/plan.js';
import type { Roster } from '../model/people.js';
import type { Policy } from '../model/policy.js';
import type { TargetConstraints } from '../model/provider.js';
import type { PersonState, StateDocument } from '../model/state.js';
import type { Identity } from '../resolve/identities.js';
import { firstMatch } from '../resolve/match.js';
import { indexRoster, plannedFacts } from '../resolve/person-facts.js';
import { decisionFor } from './decision.js';
import { usernameStory, type UsernameStory } from './username.js';
import { trialsOf, type RuleTrial } from './why-not.js';

/**
 * `rollcall explain SOURCED_ID`, the pure part: from the same inputs and outputs as a plan,
 * one person's story, rule by rule. Plain data; engine/explain/render.ts prints it.
 * It holds personal data by design (it is for an admin looking at one person).
 */

export interface ExplainInput {
  anchor: string;
  policy: Policy;
  roster: Roster;
  state: StateDocument;
  snapshots: readonly TargetSnapshot[];
  plan: PlanDocument;
  identities: readonly Identity[];
  constraints: TargetConstraints;
  now: string;
}

export interface AttributeStory {
  rules: RuleTrial[];
  template: string | null;
  value: string | null;
}

export interface TargetStory {
  target: string;
  account: Pick<ObservedAccount, 'id' | 'username' | 'displayName' | 'email' | 'path' | 'enabled'> | null;
  path: string | null;
  groups: string[];
  changes: Pick<Change, 'id' | 'kind' | 'action' | 'key' | 'before' | 'after' | 'reason'>[];
}

export interface Explanation {
  anchor: string;
  now: string;
  /** What the SIS says; null when the person is not in this export. */
  sis: {
    record: string;
    givenName: string;
    familyName: string;
    preferredGivenName: string;
    preferredFamilyName: string;
    role: string;
    school: string;
    grade: string;
    gradYear: number | null;
    eligibility: string;
    enabledUser: boolean;
    classes: { sourcedId: string; code: string; title: string }[];
  } | null;
  remembered: PersonState | null;
  lifecycle: { state: string; rule: string; date?: string; detail: string; timers: { field: string; value: string | null; reason: Reason }[] } | null;
  username: { rules: RuleTrial[]; story: UsernameStory };
  email: AttributeStory;
  displayName: AttributeStory;
  placement: Omit<AttributeStory, 'value'> & { note: string };
  /**
   * The plan leaves the account as it is (missing from the export or holding no eligible role,
   * before the suspension or while a calendar hold postpones it): its email, path and groups.
   */
  held: boolean;
  /** The account keeps its names and email: the plan sets none (held, or suspended without an eligible role). */
  attributesKept: boolean;
  groups: { rules: RuleTrial[]; groups: { name: string; rule: string; membership: string; targets: readonly string[] }[] };
  password: { rules: RuleTrial[]; rule: string | null };
  targets: TargetStory[];
  decisions: PendingDecision[];
}

/** Whether the inputs know this person at all (SIS, state, or an anchored account). */
export function knowsPerson(anchor: string, roster: Roster, state: StateDocument, snapshots: readonly TargetSnapshot[]): boolean {
  return roster.people.some((p) => p.sourcedId === anchor) || state.people[anchor] !== undefined || snapshots.some((s) => s.accounts.some((a) => a.anchor === anchor));
}

export function explainPerson(input: ExplainInput): Explanation {
  const { anchor, policy, plan } = input;
  const identity = input.identities.find((i) => i.anchor === anchor);
  const observed = new Set(input.snapshots.flatMap((s) => s.accounts.map((a) => a.anchor).filter((a): a is string => a !== null)));
  const decided = decisionFor(anchor, { policy, roster: input.roster, state: input.state, now: input.now, observedAnchors: observed });
  const facts = identity?.facts ?? decided.facts;
  const outcome = identity?.lifecycle ?? decided.outcome;
  // No rule is tried against facts the plan does not plan from (see plannedFacts), or a student
  // with no role would read as matching the staff email rule the plan never applies.
  const planned = plannedFacts(facts ?? null);
  const s = planned?.subject;
  const trials = <R extends Parameters<typeof trialsOf>[0][number]>(rules: readonly R[], firstOnly = true): RuleTrial[] => (s ? trialsOf(rules, s, firstOnly) : []);

  const index = indexRoster(input.roster);
  const usernameRule = s ? firstMatch(policy.naming.usernames, s)?.rule ?? null : null;
  const others = new Map<string, string>();
  for (const i of input.identities) if (i.username && i.anchor !== anchor) others.set(i.username.toLowerCase(), i.anchor);
  const unmanaged = input.snapshots.flatMap((snap) => snap.accounts.filter((a) => a.anchor === null));
  const username = identity?.username ?? input.state.people[anchor]?.username ?? null;

  const emailHit = s ? firstMatch(policy.naming.email, s) : null;
  const displayHit = s ? firstMatch(policy.naming.displayName, s) : null;
  const placeHit = s ? firstMatch(policy.placement.rules, s) : null;
  // As the plan holds them: no identity (a person whose roles ended by date still has one, planned from those roles).
  const held = outcome !== null && outcome.decision.state === 'active' && !outcome.provision && identity === undefined;
  const active = outcome?.decision.state === 'active' && !held;
  const kept = outcome !== null && username !== null && !identity?.attrs && (held || outcome.decision.state === 'suspended');
  const until = outcome && held ? ` (${outcome.decision.rule}${outcome.decision.date ? `, ${outcome.decision.date}` : ''})` : '';

  return {
    anchor,
    now: input.now,
    sis: facts ? {
      record: facts.person.source.line !== undefined ? `${facts.person.source.file}:${facts.person.source.line}` : facts.person.source.file,
      givenName: facts.person.givenName,
      familyName: facts.person.familyName,
      preferredGivenName: facts.person.preferredGivenName,
      preferredFamilyName: facts.person.preferredFamilyName,
      role: facts.role,
      school: facts.school,
      grade: facts.grade,
      gradYear: facts.gradYear,
      eligibility: facts.eligibility,
      enabledUser: facts.person.enabledUser,
      classes: facts.person.enrollments.map((e) => index.classes.get(e.classSourcedId)).filter((c) => c !== undefined).map((c) => ({ sourcedId: c.sourcedId, code: c.classCode, title: c.title })),
    } : null,
    remembered: input.state.people[anchor] ?? null,
    lifecycle: outcome ? {
      ...outcome.decision,
      timers: plan.state_updates.filter((u) => u.anchor === anchor && u.field !== 'facts').map((u) => ({ field: u.field, value: u.value, reason: u.reason })),
    } : null,
    username: {
      rules: trials(policy.naming.usernames),
      story: withoutFacts(usernameStory({
        anchor, username, rule: usernameRule, values: planned?.values ?? {}, state: input.state, reserved: policy.naming.reserved,
        constraints: input.constraints, others, unmanaged, renames: policy.naming.renames,
      }), planned === null && outcome !== null),
    },
    email: { rules: trials(policy.naming.email), template: emailHit?.rule.template.text ?? null, value: identity?.attrs?.email ?? null },
    displayName: { rules: trials(policy.naming.displayName), template: displayHit?.rule.template.text ?? null, value: identity?.attrs?.displayName ?? null },
    placement: {
      rules: trials(policy.placement.rules),
      template: active ? placeHit?.rule.path.text ?? null : outcome?.suspendPath?.text ?? null,
      note: held ? `held: left where it is until the suspension${until}` : active ? 'active: placed by the first matching placement rule' : outcome ? `${outcome.decision.state}: ${outcome.suspendPath ? `moved to the ${outcome.decision.rule} path` : 'left where it is'}` : 'not managed',
    },
    held,
    attributesKept: kept,
    groups: {
      rules: trials(policy.groups.rules, false),
      groups: (identity?.groups ?? []).map((g) => ({ name: g.name, rule: g.rule, membership: g.membership, targets: g.targets })),
    },
    password: { rules: trials(policy.passwords.rules), rule: identity?.rules.password || null },
    targets: policy.targets.map((t) => targetStory(t.name, anchor, identity, input)),
    decisions: plan.decisions.filter((d) => d.anchor === anchor),
  };
}

function targetStory(target: string, anchor: string, identity: Identity | undefined, input: ExplainInput): TargetStory {
  const snap = input.snapshots.find((s) => s.target === target);
  const a = snap?.accounts.find((x) => x.anchor === anchor);
  return {
    target,
    account: a ? { id: a.id, username: a.username, displayName: a.displayName, email: a.email, path: a.path, enabled: a.enabled } : null,
    path: identity?.paths?.[target] ?? null,
    groups: [...new Set((identity?.groups ?? []).filter((g) => g.targets.length === 0 || g.targets.includes(target)).map((g) => g.name))].sort(),
    changes: input.plan.changes.filter((c) => c.target === target && concerns(c, anchor)).map((c) => ({
      id: c.id, kind: c.kind, action: c.action, key: c.key,
      // A grouped membership change lists every member: show the group only, not other people.
      ...(c.before && !c.members ? { before: c.before } : {}), ...(c.after && !c.members ? { after: c.after } : {}), reason: c.reason,
    })),
  };
}

/** Changes about this person: their own, and grouped membership changes that list them. */
function concerns(c: Change, anchor: string): boolean {
  return c.anchor === anchor || (c.members?.some((m) => m.anchor === anchor) ?? false);
}

/**
 * A person the plan does not render from the SIS (gone from the export, or holding no eligible
 * role) keeps the username they hold: no username rule was tried, so "no rule matches" would
 * mislead.
 */
function withoutFacts(story: UsernameStory, unplanned: boolean): UsernameStory {
  if (!unplanned || story.how !== 'kept') return story;
  return { ...story, detail: 'the person is not planned from the SIS (gone from the export, or holding no eligible role): the username already issued stays' };
}
