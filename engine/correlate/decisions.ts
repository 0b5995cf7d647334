import type { ObservedAccount } from '../model/accounts.js';
import { warningDiag, type Diagnostic } from '../model/diagnostics.js';
import type { CorrelationDecision } from '../model/policy.js';

/**
 * Reviewed decisions (decisions/*.yaml) for one target, checked against what the target holds
 * now. A decision that no longer fits (the account is gone, or already carries someone else's
 * anchor) is a warning and is ignored, never forced: the matchers then run as if it were
 * absent, and the person stays ambiguous rather than being linked to the wrong account.
 */

export interface DecidedLink {
  account: ObservedAccount;
  decision: CorrelationDecision;
}

export interface ResolvedDecisions {
  /** person -> the account decided for them. */
  links: Map<string, DecidedLink>;
  /** Accounts decided to be nobody's, by id. */
  notAPerson: Map<string, CorrelationDecision>;
  diagnostics: Diagnostic[];
}

export interface DecisionContext {
  target: string;
  accounts: readonly ObservedAccount[];
  /** Account ids that are excluded in this target. */
  excludedIds: ReadonlySet<string>;
  /** The SIS people correlation considers, by sourcedId. */
  people: ReadonlySet<string>;
  /** Anchors known to rollcall (SIS or state). */
  knownAnchors: ReadonlySet<string>;
  /** person -> id of the account already carrying their anchor. */
  linked: ReadonlyMap<string, string>;
}

export function resolveDecisions(all: readonly CorrelationDecision[], ctx: DecisionContext): ResolvedDecisions {
  const out: ResolvedDecisions = { links: new Map(), notAPerson: new Map(), diagnostics: [] };
  const mine = all.filter((d) => d.target === ctx.target);
  if (mine.length === 0) return out;
  const byId = new Map<string, ObservedAccount>();
  const byName = new Map<string, ObservedAccount>();
  for (const a of ctx.accounts) {
    byId.set(a.id, a);
    byName.set(a.username.toLowerCase(), a);
  }
  const taken = new Map<string, CorrelationDecision>(); // account id -> the decision that claimed it
  const warn = (d: CorrelationDecision, msg: string): void => {
    out.diagnostics.push(warningDiag('correlation.decision-ignored', `${d.origin.id}: ${msg}; the decision is ignored`, d.origin.source ? { source: d.origin.source } : {}));
  };
  for (const d of mine) {
    const acc = byId.get(d.account) ?? byName.get(d.account.toLowerCase());
    if (!acc) {
      warn(d, `no account "${d.account}" in target ${ctx.target}`);
      continue;
    }
    if (ctx.excludedIds.has(acc.id)) {
      warn(d, `account ${acc.id} is excluded by policy/exclusions.yaml`);
      continue;
    }
    const first = taken.get(acc.id);
    if (first) {
      warn(d, `account ${acc.id} is already decided by ${first.origin.id}`);
      continue;
    }
    const foreign = acc.anchor !== null && ctx.knownAnchors.has(acc.anchor) ? acc.anchor : null;
    if (d.notAPerson) {
      if (foreign !== null) {
        warn(d, `account ${acc.id} is linked to a person`);
        continue;
      }
      taken.set(acc.id, d);
      out.notAPerson.set(acc.id, d);
      continue;
    }
    const person = d.person ?? '';
    if (foreign === person) continue; // already linked: the decision has done its job
    if (foreign !== null) {
      warn(d, `account ${acc.id} already carries another person's anchor`);
      continue;
    }
    if (!ctx.people.has(person)) {
      warn(d, `person ${person} is not in the SIS export (or has no role that gets accounts)`);
      continue;
    }
    const linkedId = ctx.linked.get(person);
    if (linkedId !== undefined) {
      warn(d, `person ${person} already has account ${linkedId} in target ${ctx.target}`);
      continue;
    }
    if (out.links.has(person)) {
      warn(d, `person ${person} is already given an account by ${out.links.get(person)?.decision.origin.id ?? 'another decision'}`);
      continue;
    }
    taken.set(acc.id, d);
    out.links.set(person, { account: acc, decision: d });
  }
  return out;
}
