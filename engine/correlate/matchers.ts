import type { ObservedAccount } from '../model/accounts.js';
import type { CorrelationMatcher } from '../model/policy.js';
import type { PersonFacts } from '../resolve/person-facts.js';
import { renderTemplate } from '../resolve/naming/template.js';
import { nameKey, pathSegments, valueKey } from './keys.js';

/**
 * One matcher, compiled for one target: an index from comparison key to candidate account
 * ids, built once over the candidate accounts, and the person's keys. Lookups are O(1), so
 * correlating N people against M accounts costs O(N + M), never O(N x M).
 */

export interface CompiledMatcher {
  matcher: CorrelationMatcher;
  /** Candidate account ids for a person, sorted, without duplicates (shared: do not mutate). */
  candidates(f: PersonFacts): string[];
}

function accountValues(m: CorrelationMatcher, a: ObservedAccount): string[] {
  const attr = m.attribute;
  if (attr === 'email') return [a.email, ...a.aliases];
  if (attr === 'username') return [a.username];
  if (attr === 'anchor') return a.anchor === null ? [] : [a.anchor];
  if (attr === 'givenName' || attr === 'familyName' || attr === 'displayName') return [a[attr]];
  if (attr.startsWith('extra.')) {
    const v = a.extra?.[attr.slice('extra.'.length)];
    return v === undefined ? [] : [v];
  }
  return [];
}

/** The person value named by `field:` (the naming fields, the SIS email, `userIds.<type>`). */
export function personField(f: PersonFacts, field: string): string {
  if (field === 'email') return f.person.email;
  if (field.startsWith('userIds.')) {
    const type = field.slice('userIds.'.length);
    return f.person.userIds.find((u) => u.type === type)?.identifier ?? '';
  }
  return f.values[field] ?? '';
}

function withValue(m: CorrelationMatcher, f: PersonFacts): string {
  if (m.with === 'school') return f.school;
  if (m.with === 'grade') return f.grade;
  if (m.with === 'gradYear') return f.gradYear === null ? '' : String(f.gradYear);
  return '';
}

/** Template values per person, built once (the naming fields plus the SIS email). */
const templateValues = new WeakMap<PersonFacts, Record<string, string>>();
function valuesOf(f: PersonFacts): Record<string, string> {
  let v = templateValues.get(f);
  if (!v) {
    v = { ...f.values, email: f.person.email };
    templateValues.set(f, v);
  }
  return v;
}

function personKeys(m: CorrelationMatcher, f: PersonFacts): string[] {
  if (m.kind === 'name') {
    const legal = nameKey(f.person.givenName, f.person.familyName);
    const preferred = nameKey(f.values.preferredGiven ?? '', f.values.preferredFamily ?? '');
    const names = [legal, ...(preferred !== legal ? [preferred] : [])].filter((k) => k !== '');
    if (m.with === null) return names;
    const w = valueKey(withValue(m, f));
    return w === '' ? [] : names.map((n) => `${n}|${w}`);
  }
  const raw = m.template ? renderTemplate(m.template, valuesOf(f)) : m.field ? personField(f, m.field) : '';
  const k = valueKey(raw);
  return k === '' ? [] : [k];
}

export function compileMatcher(m: CorrelationMatcher, accounts: readonly ObservedAccount[]): CompiledMatcher {
  const index = new Map<string, string[]>();
  const add = (k: string, id: string): void => {
    if (k === '') return;
    const list = index.get(k);
    if (!list) index.set(k, [id]);
    else if (list[list.length - 1] !== id) list.push(id);
  };
  for (const a of accounts) {
    if (m.kind === 'name') {
      const n = nameKey(a.givenName, a.familyName);
      if (n === '') continue;
      if (m.with === null) add(n, a.id);
      else for (const seg of new Set(pathSegments(a.path))) add(`${n}|${seg}`, a.id);
      continue;
    }
    for (const v of new Set(accountValues(m, a).map(valueKey))) add(v, a.id);
  }
  for (const list of index.values()) if (list.length > 1) list.sort();
  const seen = new WeakMap<PersonFacts, string[]>();
  return {
    matcher: m,
    candidates(f) {
      const hit = seen.get(f);
      if (hit) return hit;
      const keys = personKeys(m, f);
      let out: string[];
      if (keys.length === 1) out = index.get(keys[0]!) ?? [];
      else {
        const set = new Set<string>();
        for (const k of keys) for (const id of index.get(k) ?? []) set.add(id);
        out = [...set].sort();
      }
      seen.set(f, out);
      return out;
    },
  };
}
