import type { Match } from '../model/policy.js';

/** The facts a policy predicate (`when:`) can test about one person in one role. */
export interface MatchSubject {
  role: string;
  school: string;
  grade: string;
  gradYear: number | null;
  /** Extra fields for `fields:` predicates, e.g. `enabledUser`, `userIds.LDAP`. */
  field: (name: string) => string;
}

/** Every listed key must match; each key's list is an OR. An empty match matches everyone. */
export function matches(m: Match, s: MatchSubject): boolean {
  if (m.role && !m.role.includes(s.role)) return false;
  if (m.school && !m.school.includes(s.school)) return false;
  if (m.grade && !m.grade.includes(s.grade)) return false;
  if (m.gradYear && (s.gradYear === null || !m.gradYear.includes(s.gradYear))) return false;
  if (m.fields) {
    for (const [name, allowed] of Object.entries(m.fields)) {
      if (!allowed.includes(s.field(name))) return false;
    }
  }
  return true;
}

/** The first rule whose `when` matches, with its index; the order in the file is the priority. */
export function firstMatch<R extends { when: Match }>(rules: readonly R[], s: MatchSubject): { rule: R; index: number } | null {
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    if (matches(rule.when, s)) return { rule, index: i };
  }
  return null;
}

/** The first matching rule itself: firstMatch without the result object, for per-person hot paths. */
export function firstRule<R extends { when: Match }>(rules: readonly R[], s: MatchSubject): R | undefined {
  for (const rule of rules) {
    if (matches(rule.when, s)) return rule;
  }
  return undefined;
}
