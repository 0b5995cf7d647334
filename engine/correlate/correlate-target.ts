import type { ObservedAccount, TargetSnapshot } from '../model/accounts.js';
import type { Diagnostic } from '../model/diagnostics.js';
import type { Change, CorrelationCounts, PendingDecision } from '../model/plan.js';
import type { CorrelationMatcher, Policy } from '../model/policy.js';
import type { PersonFacts } from '../resolve/person-facts.js';
import { isUnder } from '../resolve/paths.js';
import { resolveDecisions } from './decisions.js';
import { applyExclusions } from './exclusions.js';
import { compileMatcher } from './matchers.js';

/**
 * Correlation for one target: who already has an account (linked), who gets one adopted
 * (matched by one strong candidate nobody else claims, or decided in a reviewed file), who
 * must wait for a person to decide (ambiguous: no create), and which accounts belong to
 * nobody (orphans: reported, never touched). Pure; linear in people + accounts.
 */

export interface TargetCorrelationInput {
  target: string;
  snapshot: TargetSnapshot;
  policy: Policy;
  /** The SIS people correlation considers (an eligible role), sorted by sourcedId. */
  people: readonly PersonFacts[];
  /** Anchors rollcall knows: SIS people and people in state. */
  knownAnchors: ReadonlySet<string>;
  /** People state records a username for. */
  registered: ReadonlySet<string>;
  adoption: boolean;
}

export interface TargetCorrelation {
  target: string;
  /**
   * What the diff sees: no excluded accounts; adopted accounts already carrying their person's
   * anchor (so the normal diff follows the adopt); in adoption mode, unclaimed accounts with an
   * anchor nobody knows carry none (they are orphans, not departed people to suspend).
   */
  prepared: TargetSnapshot;
  adopts: Change[];
  /** People with no create in this target (ambiguous, or their account is excluded). */
  hold: Set<string>;
  decisions: PendingDecision[];
  counts: CorrelationCounts;
  orphanIds: string[];
  excluded: ObservedAccount[];
  diagnostics: Diagnostic[];
}

interface Adopted {
  account: ObservedAccount;
  rule: string;
  detail: string;
  decided: boolean;
}

export function correlateTarget(input: TargetCorrelationInput): TargetCorrelation {
  const { target, policy, knownAnchors } = input;
  const ex = applyExclusions(input.snapshot, policy.exclusions ?? [], knownAnchors);
  const accounts = ex.kept.accounts;
  const excludedIds = new Set(ex.excluded.map((a) => a.id));

  // Linked: the account carries a known anchor. Candidates: no anchor, or (adopting) an unknown one.
  const linked = new Map<string, string>();
  const candidates: ObservedAccount[] = [];
  for (const a of accounts) {
    if (a.anchor !== null && knownAnchors.has(a.anchor)) {
      const prev = linked.get(a.anchor);
      if (prev === undefined || a.id < prev) linked.set(a.anchor, a.id);
    } else if (a.anchor === null || input.adoption) candidates.push(a);
  }
  const people = new Set(input.people.map((f) => f.anchor));
  const decided = resolveDecisions(policy.decisions ?? [], { target, accounts, excludedIds, people, knownAnchors, linked });
  const claimedByDecision = new Set<string>([...decided.notAPerson.keys(), ...[...decided.links.values()].map((l) => l.account.id)]);
  const open = candidates.filter((a) => !claimedByDecision.has(a.id));
  const matchers = (policy.correlation?.matchers ?? [])
    .filter((m) => m.targets.length === 0 || m.targets.includes(target))
    .map((m) => compileMatcher(m, open));

  const adopted = new Map<string, Adopted>();
  // An account that already carries its person's anchor, but that state has never recorded
  // (a district whose old tool wrote the anchor): an adopt records its username in state and
  // the registry, so it is kept and never issued to anyone else. Providers see the anchor is
  // there already and write nothing.
  const accountsById = new Map(accounts.map((a) => [a.id, a]));
  const registrations: Change[] = [];
  for (const [person, id] of [...linked.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    const account = accountsById.get(id);
    if (!account || input.registered.has(person) || !people.has(person)) continue;
    registrations.push({
      id: `${target}:account:${person}:adopt`, target, kind: 'account', action: 'adopt', anchor: person, key: person, object_id: id,
      after: { anchor: person, username: account.username },
      reason: { cause: 'adoption', rule: 'correlation.linked', detail: 'already carries the anchor; record its username in state' },
    });
  }
  for (const [person, link] of decided.links) {
    adopted.set(person, { account: link.account, rule: link.decision.origin.id, detail: `reviewed decision ${link.decision.origin.id}`, decided: true });
  }

  // First pass: each person's deciding matcher (the first with any candidate) and its claims.
  const deciding = new Map<string, { matcher: CorrelationMatcher; ids: string[] }>();
  const claims = new Map<string, number>();
  const waiting: PersonFacts[] = [];
  for (const f of input.people) {
    if (linked.has(f.anchor) || adopted.has(f.anchor) || ex.heldPeople.has(f.anchor)) continue;
    waiting.push(f);
    for (const cm of matchers) {
      const ids = cm.candidates(f);
      if (ids.length === 0) continue;
      deciding.set(f.anchor, { matcher: cm.matcher, ids });
      for (const id of ids) claims.set(id, (claims.get(id) ?? 0) + 1);
      break;
    }
  }

  // Second pass: one strong candidate nobody else claims is a match; anything else waits.
  const decisions: PendingDecision[] = [];
  const hold = new Set<string>(ex.heldPeople);
  const inDoubt = new Set<string>();
  let matched = 0;
  let unmatched = 0;
  for (const f of waiting) {
    const d = deciding.get(f.anchor);
    if (!d) {
      unmatched++;
      continue;
    }
    const only = d.ids.length === 1 ? d.ids[0] : undefined;
    if (d.matcher.confidence === 'strong' && only !== undefined && claims.get(only) === 1) {
      const account = accountsById.get(only);
      if (account) {
        adopted.set(f.anchor, { account, rule: d.matcher.origin.id, detail: `matched by ${d.matcher.origin.id} (${d.matcher.kind}, strong)`, decided: false });
        matched++;
        continue;
      }
    }
    // For the reviewer: every candidate any matcher finds, not only the deciding matcher's.
    const all = new Set<string>(d.ids);
    for (const cm of matchers) for (const id of cm.candidates(f)) all.add(id);
    const list = [...all].sort();
    for (const id of list) inDoubt.add(id);
    const why = d.matcher.confidence === 'weak'
      ? `only a weak match (${d.matcher.origin.id})`
      : d.ids.length > 1
        ? `${d.ids.length} candidates by ${d.matcher.origin.id}`
        : `the candidate by ${d.matcher.origin.id} is also claimed by another person`;
    decisions.push({ kind: 'ambiguous-correlation', anchor: f.anchor, target, detail: `${why}; no account is created until a decision is recorded (rollcall correlate)`, candidates: list });
    hold.add(f.anchor);
  }

  // The adopt changes, and the snapshot the diff sees.
  const adopts: Change[] = [...registrations];
  const newAnchor = new Map<string, string>(); // account id -> person
  for (const [person, a] of [...adopted.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    newAnchor.set(a.account.id, person);
    adopts.push({
      id: `${target}:account:${person}:adopt`, target, kind: 'account', action: 'adopt', anchor: person, key: person, object_id: a.account.id,
      ...(a.account.anchor !== null ? { before: { anchor: a.account.anchor } } : {}),
      after: { anchor: person, username: a.account.username },
      reason: { cause: 'adoption', rule: a.rule, detail: a.detail },
    });
  }
  const scope = policy.correlation?.scope ?? [];
  const inScope = (p: string): boolean => scope.length === 0 || scope.some((root) => isUnder(p, root));
  const orphanIds: string[] = [];
  let outOfScope = 0;
  for (const a of candidates) {
    if (newAnchor.has(a.id) || claimedByDecision.has(a.id) || inDoubt.has(a.id)) continue;
    if (inScope(a.path)) orphanIds.push(a.id);
    else outOfScope++;
  }
  const candidateIds = new Set(candidates.map((a) => a.id));
  const prepared: TargetSnapshot = {
    ...ex.kept,
    accounts: accounts.map((a) => {
      const person = newAnchor.get(a.id);
      if (person !== undefined) return { ...a, anchor: person };
      // Adopting: an unknown anchor belongs to no one rollcall knows; treat it as none.
      if (input.adoption && a.anchor !== null && candidateIds.has(a.id)) return { ...a, anchor: null };
      return a;
    }),
  };
  const decidedCount = [...adopted.values()].filter((a) => a.decided).length;
  return {
    target,
    prepared,
    adopts,
    hold,
    decisions,
    counts: {
      linked: [...linked.keys()].filter((p) => people.has(p)).length,
      matched,
      decided: decidedCount,
      ambiguous: decisions.length,
      unmatched_persons: unmatched,
      orphans: orphanIds.length,
      out_of_scope: outOfScope,
      excluded: ex.excluded.length,
      not_a_person: decided.notAPerson.size,
      held_changes: 0,
    },
    orphanIds: orphanIds.sort(),
    excluded: ex.excluded,
    diagnostics: decided.diagnostics,
  };
}
