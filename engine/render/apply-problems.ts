import type { Change, PlanDocument } from '../model/plan.js';
import { PII_ATTRS, pseudonym, type PrivacyOptions } from './pseudonym.js';
import { subjectOf } from './view-model.js';

/**
 * The failed and skipped changes `apply` lists for the operator, in CI logs too: each by
 * target, kind, action and its person's pseudonym (a change id carries the sourcedId), with the
 * provider's message stripped of the change's own names, usernames and emails (a directory's
 * conflict message quotes the address it could not take). The journal keeps them whole.
 */

export interface ApplyProblem {
  /** A change id, or `CHANGE_ID#ANCHOR` (or `#INDEX`) for one member of a membership change. */
  id: string;
  text: string;
}

export function renderApplyProblems(verb: 'failed' | 'skipped', problems: readonly ApplyProblem[], plan: Pick<PlanDocument, 'changes'>, privacy: PrivacyOptions): string[] {
  if (problems.length === 0) return [];
  const byId = new Map(plan.changes.map((c) => [c.id, c]));
  return problems.map((p) => {
    if (privacy.showPii) return `  ${verb} ${p.id}: ${p.text}`;
    const hash = p.id.lastIndexOf('#');
    const change = byId.get(p.id) ?? (hash > 0 ? byId.get(p.id.slice(0, hash)) : undefined);
    if (!change) return `  ${verb} (a change not in this plan): ${redact(p.text, new Set())}`;
    const member = change.id === p.id ? undefined : p.id.slice(hash + 1);
    return `  ${verb} ${change.target} ${change.kind} ${change.action} ${who(change, member, privacy)}: ${redact(p.text, piiOf(change))}`;
  });
}

/** The change's subject; for one member of a membership change, that member alone. */
function who(c: Change, member: string | undefined, privacy: PrivacyOptions): string {
  if (member === undefined) return subjectOf(c, privacy);
  const group = String((c.after ?? c.before)?.group ?? c.key);
  const m = c.members?.find((x) => x.anchor === member);
  return `${group} member ${m ? pseudonym(privacy.pseudonymKey, member) : `#${member} (unmanaged)`}`;
}

/** Every value of a personal attribute the change holds, and its members' usernames. */
function piiOf(c: Change): Set<string> {
  const out = new Set<string>();
  const add = (v: unknown): void => {
    if (typeof v === 'string' && v.length > 1) out.add(v);
    else if (Array.isArray(v)) for (const x of v) add(x);
  };
  for (const attrs of [c.before, c.after]) for (const [k, v] of Object.entries(attrs ?? {})) if (PII_ATTRS.has(k)) add(v);
  for (const m of c.members ?? []) add(m.username);
  if (c.anchor) out.add(c.anchor);
  return out;
}

/**
 * The text with each of `values` replaced, and any word shaped like an email address: a
 * provider may quote an address the change does not hold (an alias's owner).
 */
function redact(text: string, values: ReadonlySet<string>): string {
  let out = text;
  // Longest first, so a name inside an email address does not leave the rest of it; whole
  // words only, so a short name ("Al") does not eat into "Already".
  for (const v of [...values].sort((a, b) => b.length - a.length)) {
    out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(v)}(?![\\p{L}\\p{N}])`, 'gu'), '(redacted)');
  }
  return out.replace(/[^\s'"`(),;<>]+@[^\s'"`(),;<>]+\.[A-Za-z]{2,}/g, '(redacted email)');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
