import type { Match, RuleOrigin } from '../model/policy.js';
import type { MatchSubject } from '../resolve/match.js';

/**
 * Why a rule's `when` did or did not match one person: the first key that failed, in words,
 * with what the person has and what the rule wants. Checks keys in the order `matches` does,
 * so the reason given is the one that decided.
 */

export interface RuleTrial {
  rule: string;
  /** `file:line` of the rule, when known. */
  source?: RuleOrigin['source'];
  matched: boolean;
  /** For a rule that did not match: which key failed and why. */
  why?: string;
}

const list = (xs: readonly (string | number)[]): string => xs.map(String).join(', ');

export function whyNot(m: Match, s: MatchSubject): string | null {
  if (m.role && !m.role.includes(s.role)) return `role is ${s.role || '(none)'}; the rule wants ${list(m.role)}`;
  if (m.school && !m.school.includes(s.school)) return `school is ${s.school || '(none)'}; the rule wants ${list(m.school)}`;
  if (m.grade && !m.grade.includes(s.grade)) return `grade is ${s.grade || '(none)'}; the rule wants ${list(m.grade)}`;
  if (m.gradYear && (s.gradYear === null || !m.gradYear.includes(s.gradYear))) {
    return `gradYear is ${s.gradYear ?? '(none)'}; the rule wants ${list(m.gradYear)}`;
  }
  for (const [name, allowed] of Object.entries(m.fields ?? {})) {
    const v = s.field(name);
    if (!allowed.includes(v)) return `${name} is ${v === '' ? '(empty)' : JSON.stringify(v)}; the rule wants ${list(allowed.map((a) => JSON.stringify(a)))}`;
  }
  return null;
}

/**
 * Every rule tried, in order. `firstOnly`: naming and placement stop at the first match
 * (later rules are listed as not reached); groups apply every matching rule.
 */
export function trialsOf(rules: readonly { origin: RuleOrigin; when: Match }[], s: MatchSubject, firstOnly: boolean): RuleTrial[] {
  const out: RuleTrial[] = [];
  let decided = false;
  for (const r of rules) {
    const base = { rule: r.origin.id, ...(r.origin.source ? { source: r.origin.source } : {}) };
    if (decided) {
      out.push({ ...base, matched: false, why: 'not tried: an earlier rule matched' });
      continue;
    }
    const why = whyNot(r.when, s);
    if (why === null) {
      out.push({ ...base, matched: true });
      if (firstOnly) decided = true;
    } else out.push({ ...base, matched: false, why });
  }
  return out;
}
