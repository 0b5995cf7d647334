import type { Diagnostic } from '../model/diagnostics.js';
import { warningDiag } from '../model/diagnostics.js';
import type { PendingDecision, SisChanges, StateUpdate } from '../model/plan.js';
import type { ClassSection, Enrollment, Person, Roster } from '../model/people.js';
import type { GroupRule, PlacementRule, Policy, Template } from '../model/policy.js';
import type { TargetConstraints } from '../model/provider.js';
import type { PersonState, StateDocument } from '../model/state.js';
import { firstRule, matches } from './match.js';
import { indexRoster, personFacts, type PersonFacts, type RosterIndex } from './person-facts.js';
import { decideLifecycle, LifecycleMemo, type LifecycleOutcome } from './lifecycle.js';
import { schoolYearFor } from './school-year.js';
import { FALLBACK_SOURCES, renderTemplate } from './naming/template.js';
import { allocateUsernames, type UsernameRequest, type UsernameResult } from './naming/usernames.js';
import { normalizePath } from './paths.js';
import { FieldMemo } from './field-memo.js';
import { AnchorOrderedMap } from './anchor-ordered-map.js';

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
  /**
   * The intent's number among those one resolve shares (0, 1, ...; -1 or absent: not shared),
   * so the diff can find its group by array index instead of a Map lookup per membership.
   */
  seq?: number;
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
  takenUsernames: Iterable<string>;
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
  const requests: UsernameRequest[] = [];
  // Filled in anchor order (the loop below walks sorted anchors).
  const current = new AnchorOrderedMap<string>();

  for (let k = 0; k < sorted.length; k++) {
    const anchor = sorted[k]!;
    const person = people[k];
    const f = person ? personFacts(person, index, policy, eligible, schoolYear, today) : null;
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
      if (factsChanged) sisChanges.changed++;
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
    if (f && (outcome.provision || known)) {
      const rule = firstRule(policy.naming.usernames, f.subject);
      if (rule) requests.push({ anchor, rule, values: f.values });
      else if (!held) diagnostics.push(warningDiag('resolve.no-username-rule', `no username rule matches ${anchor} (role ${f.role || 'none'}, school ${f.school || 'none'}); no account is created`));
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
  return { anchor, facts: f, lifecycle: outcome, username, attrs, paths, groups, rules: cache.rules(rules), newlyIssued, factsChanged, rename };
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
  private readonly perEnrollment = new Map<GroupRule, Map<Enrollment, GroupIntent | null>>();
  private readonly perPerson = new Map<GroupRule, FieldMemo<GroupIntent>>();
  private readonly deps = new Map<GroupRule, string[]>();
  private readonly paths = new Map<string, string>();
  private readonly fields = new Map<Template, string[]>();
  private readonly placements = new Map<PlacementRule, FieldMemo<Record<string, string>>>();
  private readonly ruleSets = new FieldMemo<Identity['rules']>(['username', 'email', 'displayName', 'path', 'password']);

  /** The rule ids that decided a person's values: few distinct sets, one shared object each (nothing mutates them). */
  rules(r: Identity['rules']): Identity['rules'] {
    const slot = this.ruleSets.slot(r);
    return (slot.value ??= r);
  }

  /** The value fields a template reads, with its fallbacks' (see template.ts). */
  private fieldsOf(t: Template): string[] {
    let f = this.fields.get(t);
    if (!f) {
      f = templateDependencies([t]);
      this.fields.set(t, f);
    }
    return f;
  }

  /**
   * A template over a person's values plus their username, without copying all the values
   * per person: only the fields the template reads (usually just the username) are copied.
   */
  renderWithUsername(t: Template, values: Readonly<Record<string, string>>, username: string): string {
    const deps = this.fieldsOf(t);
    if (!deps.includes('username')) return renderTemplate(t, values);
    const v: Record<string, string> = {};
    for (const d of deps) if (Object.hasOwn(values, d)) v[d] = values[d]!;
    v.username = username;
    return renderTemplate(t, v);
  }

  /**
   * A placement rule's rendered paths per target. They depend only on the fields the rule's
   * templates read (school, gradYear): everyone placed alike shares one rendered object.
   */
  placement(rule: PlacementRule, policy: Policy, values: Readonly<Record<string, string>>): Record<string, string> {
    let memo = this.placements.get(rule);
    if (!memo) {
      const templates = [rule.path];
      for (const t of policy.targets) {
        const o = rule.targets[t.name];
        if (o) templates.push(o);
      }
      memo = new FieldMemo(templateDependencies(templates));
      this.placements.set(rule, memo);
    }
    const slot = memo.slot(values);
    return (slot.value ??= renderPaths(rule.path, rule.targets, policy, values, this));
  }

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

  /**
   * A class-only rule's intent per enrollment object, null when its class is unknown. Readers
   * share one object among enrollments alike (same class, role, dates), so a hit here skips
   * reading the class id: at a million people, most of a lookup by id is that read (profile).
   */
  enrollmentMap(rule: GroupRule, limit: number): Map<Enrollment, GroupIntent | null> | null {
    let m = this.perEnrollment.get(rule);
    if (!m) {
      m = new Map();
      this.perEnrollment.set(rule, m);
    }
    return m.size < limit ? m : null;
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
    let memo = this.perPerson.get(rule);
    if (!memo) {
      memo = new FieldMemo(this.dependencies(rule));
      this.perPerson.set(rule, memo);
    }
    const slot = memo.slot(values);
    return (slot.value ??= this.shared(intent(rule, values)));
  }

  shared(intent: GroupIntent): GroupIntent {
    const key = `${intent.rule}\u0000${intent.name}`;
    const hit = this.byName.get(key);
    if (hit && hit.description === intent.description && hit.membership === intent.membership) return hit;
    if (!hit) {
      intent.seq = this.byName.size;
      this.byName.set(key, intent);
    }
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
    // Bounded: a reader that keeps enrollment ids makes an object per row, not per kind.
    const perEnrollment = perClass ? cache.enrollmentMap(rule, 4 * index.classes.size + 1024) : null;
    for (const e of f.person.enrollments) {
      if (perEnrollment) {
        const seen = perEnrollment.get(e);
        if (seen !== undefined) {
          if (seen !== null) out.push(seen);
          continue;
        }
      }
      if (perClass) {
        const hit = perClass.get(e.classSourcedId);
        if (hit) {
          perEnrollment?.set(e, hit);
          out.push(hit);
          continue;
        }
      }
      const cls = index.classes.get(e.classSourcedId);
      if (!cls) {
        perEnrollment?.set(e, null);
        continue;
      }
      if (perClass) {
        const made = cache.shared(intent(rule, classValues({}, cls, index)));
        perClass.set(cls.sourcedId, made);
        perEnrollment?.set(e, made);
        out.push(made);
      } else {
        scratch ??= { ...f.values };
        out.push(cache.shared(intent(rule, classValues(scratch, cls, index))));
      }
    }
  }
  // Kept as long as the plan: push() over-allocates (a secondary student has a dozen or more).
  return out.slice();
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
    seq: -1, // every intent has the field from the start: one object shape
  };
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

/**
 * Every anchor to consider, sorted and unique, each with its SIS record (undefined when not in
 * the SIS). The roster arrives sorted by sourcedId, so it is only checked; the other anchors
 * (state, accounts) are sorted and merged in, rather than the whole union re-sorted.
 */
function consideredAnchors(roster: readonly Person[], others: string[][]): { anchors: string[]; people: (Person | undefined)[] } {
  let extra: string[] = [];
  for (const list of others) extra = mergeUnique(extra, sortedUnique(list));
  // The roster nearly always arrives sorted: merged as it is, its order checked on the way
  // (one pass over a million records, not three), and sorted only when the check fails.
  const merged = mergeRoster(roster, (k) => roster[k]!.sourcedId, extra);
  if (merged) return merged;
  // Of two records with one sourcedId the later wins, as it always has.
  const byAnchor = new Map<string, Person>();
  for (const p of roster) byAnchor.set(p.sourcedId, p);
  const rosterAnchors = [...byAnchor.keys()].sort();
  const rosterPeople = rosterAnchors.map((a) => byAnchor.get(a)!);
  return mergeRoster(rosterPeople, (k) => rosterAnchors[k]!, extra)!;
}

/**
 * The roster's people merged with the other anchors (sorted, unique) into one sorted list,
 * or null when the roster's anchors are not strictly ascending.
 */
function mergeRoster(roster: readonly Person[], anchorAt: (k: number) => string, extra: readonly string[]): { anchors: string[]; people: (Person | undefined)[] } | null {
  const anchors: string[] = [];
  const people: (Person | undefined)[] = [];
  let i = 0;
  let j = 0;
  let prev: string | undefined;
  let a: string | undefined = roster.length > 0 ? anchorAt(0) : undefined;
  while (a !== undefined || j < extra.length) {
    const b = extra[j];
    const same = a === b;
    if (a !== undefined && (b === undefined || same || a < b)) {
      // The same text, but the other list's string when both have it: state's anchors are
      // property keys (internalized), so looking one up in state.people skips hashing it
      // and probing V8's string table, a cache miss each at a million people (profile).
      anchors.push(same ? b! : a);
      people.push(roster[i]);
      if (same) j++;
      prev = a;
      i++;
      a = i < roster.length ? anchorAt(i) : undefined;
      if (a !== undefined && !(prev < a)) return null;
    } else {
      anchors.push(b!);
      people.push(undefined);
      j++;
    }
  }
  return { anchors, people };
}

/** `list` sorted without duplicates; sorted in place only when it is not already. */
function sortedUnique(list: string[]): string[] {
  let ok = true;
  for (let i = 1; i < list.length; i++) {
    if (!(list[i - 1]! < list[i]!)) {
      ok = false;
      break;
    }
  }
  if (ok) return list;
  list.sort();
  let n = 0;
  for (let i = 0; i < list.length; i++) if (n === 0 || list[i] !== list[n - 1]) list[n++] = list[i]!;
  list.length = n;
  return list;
}

/** The union of two sorted, duplicate-free lists. */
function mergeUnique(a: string[], b: string[]): string[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    // Equality first: the lists mostly hold the same anchors (state and accounts), and a
    // match then costs one comparison of the two texts instead of two.
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) {
      out.push(x);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}
