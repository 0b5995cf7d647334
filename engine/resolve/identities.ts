import type { Diagnostic } from '../model/diagnostics.js';
import { warningDiag } from '../model/diagnostics.js';
import type { PendingDecision, SisChanges, StateUpdate } from '../model/plan.js';
import type { ClassSection, Person, Roster } from '../model/people.js';
import type { GroupRule, Policy, Template } from '../model/policy.js';
import type { TargetConstraints } from '../model/provider.js';
import type { PersonState, StateDocument } from '../model/state.js';
import { firstMatch, matches } from './match.js';
import { indexRoster, personFacts, type PersonFacts, type RosterIndex } from './person-facts.js';
import { decideLifecycle, type LifecycleOutcome } from './lifecycle.js';
import { schoolYearFor } from './school-year.js';
import { FALLBACK_SOURCES, renderTemplate } from './naming/template.js';
import { allocateUsernames, type UsernameRequest } from './naming/usernames.js';
import { normalizePath } from './paths.js';

/**
 * Resolve: people + policy + state + time -> one target-neutral identity per person.
 * Pure. Targets differ only in placement overrides and group filters, applied per target
 * by the diff, so one person's name and username are computed exactly once.
 */

export interface GroupIntent {
  name: string;
  description: string;
  rule: string;
  membership: 'authoritative' | 'additive';
  /** Empty = every target. */
  targets: readonly string[];
}

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
  takenUsernames: ReadonlySet<string>;
}

export interface ResolveResult {
  identities: Identity[];
  /** People new, gone, or with changed role/grade/school since state last recorded them. */
  sisChanges: SisChanges;
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
export function personLifecycle(anchor: string, facts: PersonFacts | null, remembered: PersonState | undefined, known: boolean, policy: Policy, today: string): LifecycleOutcome | null {
  return decideLifecycle({
    facts,
    anchor,
    remembered,
    known,
    lastRole: remembered?.last_role ?? '',
    lastGrade: remembered?.last_grade ?? '',
    today,
    policy,
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
  const byAnchor = new Map<string, Person>();
  for (const p of roster.people) byAnchor.set(p.sourcedId, p);
  const anchors = new Set<string>(byAnchor.keys());
  // Every roster is complete by the time it gets here: a OneRoster delta set is merged over
  // the last applied snapshot by the reader. So absence always means the person left.
  for (const a of Object.keys(state.people)) anchors.add(a);
  for (const a of input.observedAnchors.keys()) anchors.add(a);
  const sorted = [...anchors].sort();

  // One slot per anchor in sorted order; the second pass below reads them by position.
  interface Considered { anchor: string; f: PersonFacts | null; outcome: LifecycleOutcome; factsChanged: boolean; remembered: PersonState | undefined }
  const sisChanges: SisChanges = { added: 0, gone: 0, changed: 0 };
  const considered: Considered[] = [];
  const requests: UsernameRequest[] = [];
  const current = new Map<string, string>();

  for (const anchor of sorted) {
    const person = byAnchor.get(anchor);
    const f = person ? personFacts(person, index, policy, eligible, schoolYear, today) : null;
    const remembered = state.people[anchor];
    const known = remembered !== undefined || input.observedAnchors.has(anchor);
    const outcome = personLifecycle(anchor, f, remembered, known, policy, today);
    if (!outcome) continue;
    for (const t of outcome.timers) {
      stateUpdates.push(t);
      if (!f && t.field === 'missing_since' && t.value !== null) sisChanges.gone++;
    }
    let factsChanged = false;
    if (f) {
      const seen = factsLine(f);
      const before = factsLineOf(remembered);
      factsChanged = before !== null && before !== seen;
      if (factsChanged) sisChanges.changed++;
      else if (outcome.provision && remembered === undefined) sisChanges.added++;
      if (outcome.provision && before !== seen) {
        stateUpdates.push({ anchor, field: 'facts', value: seen, reason: { cause: 'sis', record: anchor, detail: 'remember role, grade and school for lifecycle' } });
      }
    }
    considered.push({ anchor, f, outcome, factsChanged, remembered });
    const held = remembered?.username || input.observedAnchors.get(anchor)?.username;
    if (held) current.set(anchor, held);
    if (f && (outcome.provision || known)) {
      const hit = firstMatch(policy.naming.usernames, f.subject);
      if (hit) requests.push({ anchor, rule: hit.rule, values: f.values });
      else if (!held) diagnostics.push(warningDiag('resolve.no-username-rule', `no username rule matches ${anchor} (role ${f.role || 'none'}, school ${f.school || 'none'}); no account is created`));
    }
  }

  const allocation = allocateUsernames(requests, {
    registry: state.registry,
    current,
    reserved: policy.naming.reserved,
    constraints: input.constraints,
    taken: input.takenUsernames,
  });
  diagnostics.push(...allocation.diagnostics);

  const identities: Identity[] = [];
  const cache = new ResolveCache();
  const approvals = new Map((policy.renameApprovals ?? []).map((a) => [a.person, a]));
  for (const { anchor, f, outcome, factsChanged, remembered } of considered) {
    const alloc = allocation.results.get(anchor);
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
    const identity = buildIdentity(anchor, f, outcome, username, alloc?.rule ?? 'state.registry', alloc?.newlyIssued ?? false, rename, policy, index, diagnostics, remembered, cache, factsChanged);
    if (identity) identities.push(identity);
  }
  return { identities, schoolYear, stateUpdates, decisions, diagnostics, sisChanges };
}

function buildIdentity(
  anchor: string,
  f: PersonFacts | null,
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
  const rules = { username: usernameRule, email: '', displayName: '', path: '', password: '' };
  if (f) rules.password = firstMatch(policy.passwords.rules, f.subject)?.rule.origin.id ?? '';
  let attrs: Identity['attrs'] = null;
  let paths: Identity['paths'] = null;
  let groups: GroupIntent[] = [];

  if (f && username) {
    const values = { ...f.values, username };
    const emailRule = firstMatch(policy.naming.email, f.subject);
    const displayRule = firstMatch(policy.naming.displayName, f.subject);
    rules.email = emailRule?.rule.origin.id ?? '';
    rules.displayName = displayRule?.rule.origin.id ?? '';
    attrs = {
      givenName: f.values.preferredGiven ?? f.person.givenName,
      familyName: f.values.preferredFamily ?? f.person.familyName,
      displayName: displayRule ? collapseSpaces(renderTemplate(displayRule.rule.template, values)) : `${f.values.preferredGiven} ${f.values.preferredFamily}`.trim(),
      email: emailRule ? renderTemplate(emailRule.rule.template, values) : '',
    };
  }

  if (outcome.decision.state === 'active' && f) {
    const place = firstMatch(policy.placement.rules, f.subject);
    if (!place) {
      diagnostics.push(warningDiag('resolve.no-placement', `no placement rule matches ${anchor} (role ${f.role || 'none'}, school ${f.school || 'none'}); the account is not created or moved`));
      if (!username) return null;
    } else {
      rules.path = place.rule.origin.id;
      paths = renderPaths(place.rule.path, place.rule.targets, policy, f.values, cache);
    }
    groups = groupIntents(policy.groups.rules, f, index, cache);
  } else if (outcome.suspendPath && f) {
    paths = renderPaths(outcome.suspendPath, {}, policy, f.values, cache);
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
  return { anchor, facts: f, lifecycle: outcome, username, attrs, paths, groups, rules, newlyIssued, factsChanged, rename };
}

function renderPaths(base: Template, overrides: Readonly<Record<string, Template>>, policy: Policy, values: Readonly<Record<string, string>>, cache: ResolveCache): Record<string, string> {
  const out: Record<string, string> = {};
  const rendered = cache.path(renderTemplate(base, values));
  for (const t of policy.targets) {
    const o = overrides[t.name];
    out[t.name] = o ? cache.path(renderTemplate(o, values)) : rendered;
  }
  return out;
}

/**
 * Per-run caches of what thousands of people share. Group intents are the hot path at
 * district scale (a secondary student has ~10). Names that depend only on class fields are
 * computed once per class, intents with the same name are shared, and per-class values reuse
 * one scratch object instead of a copy per class.
 */
export class ResolveCache {
  private readonly byName = new Map<string, GroupIntent>();
  private readonly classOnly = new Map<GroupRule, boolean>();
  private readonly perClass = new Map<GroupRule, Map<string, GroupIntent>>();
  private readonly perPerson = new Map<GroupRule, Map<string, GroupIntent>>();
  private readonly deps = new Map<GroupRule, string[]>();
  private readonly paths = new Map<string, string>();

  /** A rendered placement path, normalized once per distinct text and shared by everyone placed there. */
  path(rendered: string): string {
    let p = this.paths.get(rendered);
    if (p === undefined) {
      p = normalizePath(rendered);
      this.paths.set(rendered, p);
    }
    return p;
  }

  isClassOnly(rule: GroupRule): boolean {
    let v = this.classOnly.get(rule);
    if (v === undefined) {
      v = this.dependencies(rule).every((f) => f.startsWith('class.'));
      this.classOnly.set(rule, v);
    }
    return v;
  }

  /** The template fields a rule's name and description read (with fallback sources). */
  private dependencies(rule: GroupRule): string[] {
    let deps = this.deps.get(rule);
    if (!deps) {
      deps = templateDependencies([rule.name, ...(rule.description ? [rule.description] : [])]);
      this.deps.set(rule, deps);
    }
    return deps;
  }

  classMap(rule: GroupRule): Map<string, GroupIntent> {
    let m = this.perClass.get(rule);
    if (!m) {
      m = new Map();
      this.perClass.set(rule, m);
    }
    return m;
  }

  /**
   * A `forEach: person` intent depends only on the template fields its name and description
   * use (school, gradYear, ...): thousands of people share one, so it is rendered once per
   * distinct combination of those values.
   */
  personIntent(rule: GroupRule, values: Readonly<Record<string, string>>): GroupIntent {
    const deps = this.dependencies(rule);
    let byKey = this.perPerson.get(rule);
    if (!byKey) {
      byKey = new Map();
      this.perPerson.set(rule, byKey);
    }
    // Length-prefixed, so no two value combinations share a key whatever the values hold.
    let key = '';
    for (const d of deps) {
      const v = values[d] ?? '';
      key += `${v.length}:${v}`;
    }
    let hit = byKey.get(key);
    if (!hit) {
      hit = this.shared(intent(rule, values));
      byKey.set(key, hit);
    }
    return hit;
  }

  shared(intent: GroupIntent): GroupIntent {
    const key = `${intent.rule}\u0000${intent.name}`;
    const hit = this.byName.get(key);
    if (hit && hit.description === intent.description && hit.membership === intent.membership) return hit;
    if (!hit) this.byName.set(key, intent);
    return intent;
  }
}

function groupIntents(rules: readonly GroupRule[], f: PersonFacts, index: RosterIndex, cache: ResolveCache): GroupIntent[] {
  const out: GroupIntent[] = [];
  let scratch: Record<string, string> | null = null;
  for (const rule of rules) {
    if (!matches(rule.when, f.subject)) continue;
    if (rule.forEach === 'person') {
      out.push(cache.personIntent(rule, f.values));
      continue;
    }
    const perClass = cache.isClassOnly(rule) ? cache.classMap(rule) : null;
    for (const e of f.person.enrollments) {
      if (perClass) {
        const hit = perClass.get(e.classSourcedId);
        if (hit) {
          out.push(hit);
          continue;
        }
      }
      const cls = index.classes.get(e.classSourcedId);
      if (!cls) continue;
      if (perClass) {
        const made = cache.shared(intent(rule, classValues({}, cls, index)));
        perClass.set(cls.sourcedId, made);
        out.push(made);
      } else {
        scratch ??= { ...f.values };
        out.push(cache.shared(intent(rule, classValues(scratch, cls, index))));
      }
    }
  }
  return out;
}

function classValues(values: Record<string, string>, cls: ClassSection, index: RosterIndex): Record<string, string> {
  values['class.code'] = cls.classCode;
  values['class.title'] = cls.title;
  values['class.sourcedId'] = cls.sourcedId;
  values['class.school'] = index.orgs.get(cls.schoolSourcedId)?.identifier ?? '';
  return values;
}

/** The value fields templates read, including the fields their fallbacks read (see template.ts). */
function templateDependencies(templates: readonly Template[]): string[] {
  const out = new Set<string>();
  for (const t of templates) {
    for (const p of t.parts) {
      if (p.kind !== 'field') continue;
      out.add(p.field);
      for (const f of FALLBACK_SOURCES[p.field] ?? []) out.add(f);
    }
  }
  return [...out].sort();
}

function intent(rule: GroupRule, values: Readonly<Record<string, string>>): GroupIntent {
  return {
    name: renderTemplate(rule.name, values),
    description: rule.description ? renderTemplate(rule.description, values) : '',
    rule: rule.origin.id,
    membership: rule.membership,
    targets: rule.targets,
  };
}

function factsLine(f: PersonFacts): string {
  return [f.role, f.grade, f.school, f.gradYear === null ? '' : String(f.gradYear)].join('|');
}

function factsLineOf(p: PersonState | undefined): string | null {
  if (!p || p.last_role === undefined) return null;
  return [p.last_role, p.last_grade ?? '', p.last_school ?? '', p.last_grad_year ?? ''].join('|');
}

function collapseSpaces(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
