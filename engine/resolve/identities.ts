import type { Diagnostic } from '../model/diagnostics.js';
import { warningDiag } from '../model/diagnostics.js';
import type { PendingDecision, SisChanges, StateUpdate } from '../model/plan.js';
import type { Roster } from '../model/people.js';
import type { Policy } from '../model/policy.js';
import type { TargetConstraints } from '../model/provider.js';
import type { PersonState, StateDocument } from '../model/state.js';
import { firstRule } from './match.js';
import { indexRoster, personFacts, plannedFacts, type PersonFacts, type RosterIndex } from './person-facts.js';
import { groupIntents, ResolveCache, type GroupIntent } from './resolve-cache.js';
import { consideredAnchors } from './considered-anchors.js';
import { decideLifecycle, LifecycleMemo, type LifecycleOutcome } from './lifecycle.js';
import { schoolYearFor } from './school-year.js';
import { renderTemplate } from './naming/template.js';
import { allocateUsernames, type UsernameRequest, type UsernameResult } from './naming/usernames.js';
import { FieldMemo } from './field-memo.js';
import { AnchorOrderedMap } from './anchor-ordered-map.js';

/**
 * Resolve: people + policy + state + time -> one target-neutral identity per person.
 * Pure. Targets differ only in placement overrides and group filters, applied per target
 * by the diff, so one person's name and username are computed exactly once. What people
 * share (group intents, placements) comes from ResolveCache (resolve-cache.ts); who is
 * considered at all, from considered-anchors.ts.
 */

export interface Identity {
  anchor: string;
  facts: PersonFacts | null;
  lifecycle: LifecycleOutcome;
  /** The username to hold; null when unknown (absent person never recorded in state). */
  username: string | null;
  /** Names and email computed from the SIS; null when the person is absent (keep what exists). */
  attrs: { givenName: string; familyName: string; displayName: string; email: string } | null;
  /** Rendered placement per target; null = leave in place. */
  paths: Record<string, string> | null;
  groups: GroupIntent[];
  rules: { username: string; email: string; displayName: string; path: string; password: string };
  newlyIssued: boolean;
  /** The person's role, grade or school differ from what state remembers (a SIS-driven change). */
  factsChanged: boolean;
  /** A rename the policy decided to carry out now (renames: rename). */
  rename: { from: string; to: string; rule: string } | null;
}

export interface ResolveInput {
  policy: Policy;
  roster: Roster;
  state: StateDocument;
  /** ISO date-time; lifecycle sees only this, never the clock. */
  now: string;
  constraints: TargetConstraints;
  /** Anchors that have an account in some target (so they are managed even if absent from state). */
  observedAnchors: ReadonlyMap<string, { username: string }>;
  /** Usernames held by accounts rollcall does not manage: never issued. */
  takenUsernames: Iterable<string>;
}

export interface ResolveResult {
  identities: Identity[];
  /** People new, gone, or with changed role/grade/school since state last recorded them. */
  sisChanges: SisChanges;
  /** People the export gives a role this policy provisions (plan `inputs.sis_eligible`). */
  sisEligible: number;
  schoolYear: number;
  stateUpdates: StateUpdate[];
  decisions: PendingDecision[];
  diagnostics: Diagnostic[];
}

/**
 * One person's lifecycle, given their facts (null: absent from the SIS) and what state
 * remembers. Shared by resolve and by `explain`/`rollcall test`, which must say why a person
 * resolve leaves untouched is held.
 */
export function personLifecycle(anchor: string, facts: PersonFacts | null, remembered: PersonState | undefined, known: boolean, policy: Policy, today: string, memo?: LifecycleMemo): LifecycleOutcome | null {
  return decideLifecycle({
    facts,
    anchor,
    remembered,
    known,
    lastRole: remembered?.last_role ?? '',
    lastGrade: remembered?.last_grade ?? '',
    today,
    policy,
    memo,
  });
}

export function resolveIdentities(input: ResolveInput): ResolveResult {
  const { policy, roster, state, now } = input;
  const today = now.slice(0, 10);
  const schoolYear = schoolYearFor(roster.academicSessions, now);
  const index = indexRoster(roster);
  const eligible = new Set(policy.roles);
  const diagnostics: Diagnostic[] = [];
  const decisions: PendingDecision[] = [];
  const stateUpdates: StateUpdate[] = [];

  // Everyone rollcall must consider: the SIS, remembered people, and anchored accounts.
  // Every roster is complete by the time it gets here: a OneRoster delta set is merged over
  // the last applied snapshot by the reader. So absence always means the person left.
  const stateAnchors = Object.keys(state.people);
  const { anchors: sorted, people } = consideredAnchors(roster.people, [stateAnchors, [...input.observedAnchors.keys()]]);
  // With nothing remembered (a first plan) indexing state.people is skipped: each lookup with
  // a SIS-made string probes V8's string table. Inherited names still read what indexing would.
  const noState = stateAnchors.length === 0;

  // One slot per considered person, in sorted order; the second pass below reads them by
  // position. Parallel arrays rather than an object per person: less for the GC to copy.
  const cAnchor: string[] = [];
  const cFacts: (PersonFacts | null)[] = [];
  const cOutcome: LifecycleOutcome[] = [];
  const cFactsChanged: boolean[] = [];
  const cRemembered: (PersonState | undefined)[] = [];
  const lifecycleMemo = new LifecycleMemo();
  // Few distinct role|grade|school|year lines: one shared string each.
  const factsLines = new FieldMemo<string>(['role', 'grade', 'school', 'gradYear']);
  const sisChanges: SisChanges = { added: 0, gone: 0, changed: 0 };
  // The safety valve's second SIS count (engine/plan/safety.ts, sis.shrink). `f` is non-null for
  // every person in the export, guardians and parents included (personFacts always answers),
  // so counting facts would only repeat users.csv's rows. What a truncated roles.csv takes away
  // is the eligible role: count the people holding any role in policy.roles, whatever its
  // dates (those with plannedFacts). Not only those provisioned today: whether a
  // role is current depends on the date (every student role of a school year ends on one day)
  // and being upcoming-but-provisioned on state, while this count must compare one export
  // with the last apply's and move only when the export or policy.roles does. A graduate whose
  // role ended is still counted until the SIS drops the row: the export still says they had it.
  let sisEligible = 0;
  const requests: UsernameRequest[] = [];
  // Filled in anchor order (the loop below walks sorted anchors).
  const current = new AnchorOrderedMap<string>();

  for (let k = 0; k < sorted.length; k++) {
    const anchor = sorted[k]!;
    const person = people[k];
    const f = person ? personFacts(person, index, policy, eligible, schoolYear, today) : null;
    const planned = plannedFacts(f);
    if (planned) sisEligible++;
    // Keyed, not walked beside the sorted anchors: Object.values of a million-key object
    // costs as much as the lookups (measured).
    const remembered = noState && !INHERITED.has(anchor) ? undefined : state.people[anchor];
    const known = remembered !== undefined || input.observedAnchors.has(anchor);
    const outcome = personLifecycle(anchor, f, remembered, known, policy, today, lifecycleMemo);
    if (!outcome) continue;
    for (const t of outcome.timers) {
      stateUpdates.push(t);
      if (!f && t.field === 'missing_since' && t.value !== null) sisChanges.gone++;
    }
    let factsChanged = false;
    if (f) {
      const line = factsLines.slot(f.values);
      const seen = (line.value ??= factsLine(f));
      const before = factsLineOf(remembered);
      factsChanged = before !== null && before !== seen;
      // Held without an eligible role, the facts state remembers are never replaced (nothing is
      // provisioned): count the lost role once, on the plan that starts the grace period, as a
      // person gone from the export is counted once, not on every plan until they come back.
      if (factsChanged && (planned || !remembered?.missing_since)) sisChanges.changed++;
      else if (outcome.provision && remembered === undefined) sisChanges.added++;
      if (outcome.provision && before !== seen) {
        stateUpdates.push({ anchor, field: 'facts', value: seen, reason: { cause: 'sis', record: anchor, detail: 'remember role, grade and school for lifecycle' } });
      }
    }
    cAnchor.push(anchor);
    cFacts.push(f);
    cOutcome.push(outcome);
    cFactsChanged.push(factsChanged);
    cRemembered.push(remembered);
    const held = remembered?.username || input.observedAnchors.get(anchor)?.username;
    if (held) current.set(anchor, held);
    // Someone holding no eligible role keeps the username they hold, as a person gone from the export does.
    if (planned && (outcome.provision || known)) {
      const rule = firstRule(policy.naming.usernames, planned.subject);
      if (rule) requests.push({ anchor, rule, values: planned.values });
      else if (!held) diagnostics.push(warningDiag('resolve.no-username-rule', `no username rule matches ${anchor} (role ${planned.role || 'none'}, school ${planned.school || 'none'}); no account is created`));
    }
  }

  const allocation = allocateUsernames(requests, {
    registry: state.registry,
    current,
    reserved: policy.naming.reserved,
    constraints: input.constraints,
    taken: input.takenUsernames,
    renames: policy.naming.renames,
  });
  diagnostics.push(...allocation.diagnostics);

  const identities: Identity[] = [];
  const cache = new ResolveCache();
  // Results come in anchor order, as the people below do: walked side by side, not looked up.
  const results = allocation.results.valuesInOrder();
  let r = 0;
  const approvals = new Map((policy.renameApprovals ?? []).map((a) => [a.person, a]));
  for (let k = 0; k < cAnchor.length; k++) {
    const anchor = cAnchor[k]!;
    const f = cFacts[k] ?? null;
    const outcome = cOutcome[k]!;
    let alloc: UsernameResult | undefined;
    const next = results[r];
    if (next !== undefined && next.anchor === anchor) {
      alloc = next;
      r++;
    } else if (next !== undefined && next.anchor < anchor) alloc = allocation.results.get(anchor);
    let username = alloc?.username ?? current.get(anchor) ?? null;
    let rename: Identity['rename'] = null;
    if (alloc?.pendingRename) {
      if (policy.naming.renames === 'rename') {
        rename = { from: alloc.username, to: alloc.pendingRename.to, rule: alloc.pendingRename.rule };
        username = alloc.pendingRename.to;
      } else if (policy.naming.renames === 'approve') {
        const approval = approvals.get(anchor);
        if (approval && approval.to === alloc.pendingRename.to) {
          rename = { from: alloc.username, to: alloc.pendingRename.to, rule: approval.origin.id };
          username = alloc.pendingRename.to;
        } else {
          const stale = approval ? ` (${approval.origin.id} approves another name)` : '';
          decisions.push({ kind: 'rename-approval', anchor, proposed: alloc.pendingRename.to, detail: `policy ${alloc.pendingRename.rule} now gives a different username; renames: approve: add { person, to, reason } under renames: in decisions/${stale}` });
        }
      }
    }
    const identity = buildIdentity(anchor, f, outcome, username, alloc?.rule ?? 'state.registry', alloc?.newlyIssued ?? false, rename, policy, index, diagnostics, cRemembered[k], cache, cFactsChanged[k]!);
    if (identity) identities.push(identity);
  }
  return { identities, schoolYear, stateUpdates, decisions, diagnostics, sisChanges, sisEligible };
}

function buildIdentity(
  anchor: string,
  facts: PersonFacts | null,
  outcome: LifecycleOutcome,
  username: string | null,
  usernameRule: string,
  newlyIssued: boolean,
  rename: Identity['rename'],
  policy: Policy,
  index: RosterIndex,
  diagnostics: Diagnostic[],
  remembered: PersonState | undefined,
  cache: ResolveCache,
  factsChanged: boolean,
): Identity | null {
  // Rendered only from facts the plan plans from: someone holding no eligible role is held as is, then suspended by what state remembers.
  const f = plannedFacts(facts);
  const rules = { username: usernameRule, email: '', displayName: '', path: '', password: '' };
  if (f) rules.password = firstRule(policy.passwords.rules, f.subject)?.origin.id ?? '';
  let attrs: Identity['attrs'] = null;
  let paths: Identity['paths'] = null;
  let groups: GroupIntent[] = [];

  if (f && username) {
    const emailRule = firstRule(policy.naming.email, f.subject);
    const displayRule = firstRule(policy.naming.displayName, f.subject);
    rules.email = emailRule?.origin.id ?? '';
    rules.displayName = displayRule?.origin.id ?? '';
    attrs = {
      givenName: f.values.preferredGiven ?? f.person.givenName,
      familyName: f.values.preferredFamily ?? f.person.familyName,
      displayName: displayRule ? collapseSpaces(cache.renderWithUsername(displayRule.template, f.values, username)) : `${f.values.preferredGiven} ${f.values.preferredFamily}`.trim(),
      email: emailRule ? cache.renderWithUsername(emailRule.template, f.values, username) : '',
    };
  }

  if (outcome.decision.state === 'active' && f) {
    const place = firstRule(policy.placement.rules, f.subject);
    if (!place) {
      diagnostics.push(warningDiag('resolve.no-placement', `no placement rule matches ${anchor} (role ${f.role || 'none'}, school ${f.school || 'none'}); the account is not created or moved`));
      if (!username) return null;
    } else {
      rules.path = place.origin.id;
      paths = cache.placement(place, policy, f.values);
    }
    groups = groupIntents(policy.groups.rules, f, index, cache);
  } else if (outcome.suspendPath && f) {
    paths = cache.renderPaths(outcome.suspendPath, {}, policy, f.values);
    rules.path = outcome.decision.rule;
  } else if (outcome.suspendPath) {
    // Absent people: render the stage path from what state remembers of them.
    const values: Record<string, string> = {
      role: remembered?.last_role ?? '',
      grade: remembered?.last_grade ?? '',
      school: remembered?.last_school ?? '',
      gradYear: remembered?.last_grad_year ?? '',
    };
    const rendered = cache.path(renderTemplate(outcome.suspendPath, values));
    if (rendered) {
      paths = Object.fromEntries(policy.targets.map((t) => [t.name, rendered]));
      rules.path = outcome.decision.rule;
    }
  }
  if (!outcome.provision && outcome.decision.state === 'active' && !f) return null;
  return { anchor, facts, lifecycle: outcome, username, attrs, paths, groups, rules: cache.rules(rules), newlyIssued, factsChanged, rename };
}

const INHERITED: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__']);

function factsLine(f: PersonFacts): string {
  return f.role + '|' + f.grade + '|' + f.school + '|' + (f.gradYear === null ? '' : String(f.gradYear));
}

function factsLineOf(p: PersonState | undefined): string | null {
  if (!p || p.last_role === undefined) return null;
  return p.last_role + '|' + (p.last_grade ?? '') + '|' + (p.last_school ?? '') + '|' + (p.last_grad_year ?? '');
}

function collapseSpaces(s: string): string {
  return isCollapsed(s) ? s : s.replace(/\s+/g, ' ').trim();
}

/**
 * Whether collapsing would leave `s` as it is: ASCII with single inner spaces and no other
 * whitespace. Most display names are, and the check costs less than the replace and trim.
 */
function isCollapsed(s: string): boolean {
  let prevSpace = true; // a leading space is not collapsed
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 32) {
      if (prevSpace) return false;
      prevSpace = true;
    } else {
      if (c >= 128 || (c >= 9 && c <= 13)) return false;
      prevSpace = false;
    }
  }
  return !prevSpace || s.length === 0;
}
