import { warningDiag, type Diagnostic } from '../model/diagnostics.js';
import type { Change } from '../model/plan.js';
import type { AttributeOverride, OverridableAttr } from '../model/policy.js';
import type { Identity } from '../resolve/identities.js';

/**
 * Per-person overrides (policy/overrides.yaml) replace computed attributes after resolve and
 * before the diff, so every target sees them and the diff needs no special case. An expired
 * override is a warning and no longer applies. Changes the override causes name it as their
 * reason, so a reviewer sees why the value differs from the naming rules.
 */

export interface OverrideResult {
  identities: Identity[];
  /** anchor -> the overrides in force for that person. */
  applied: Map<string, AttributeOverride[]>;
  diagnostics: Diagnostic[];
}

const NAME_ATTRS = new Set<OverridableAttr>(['givenName', 'familyName', 'displayName', 'email']);

/** `taken`: lower-case username -> the anchor holding it ('' for unanchored accounts). */
export function applyOverrides(identities: readonly Identity[], overrides: readonly AttributeOverride[], today: string, taken: ReadonlyMap<string, string>): OverrideResult {
  const diagnostics: Diagnostic[] = [];
  const applied = new Map<string, AttributeOverride[]>();
  if (overrides.length === 0) return { identities: [...identities], applied, diagnostics };
  const where = (o: AttributeOverride) => (o.origin.source ? { source: o.origin.source } : {});
  const byPerson = new Map<string, AttributeOverride[]>();
  for (const o of overrides) {
    if (o.expires <= today) {
      diagnostics.push(warningDiag('overrides.expired', `${o.origin.id}: the override of ${o.attribute} for ${o.person} expired on ${o.expires} and no longer applies; renew or remove it`, where(o)));
      continue;
    }
    const list = byPerson.get(o.person) ?? [];
    list.push(o);
    byPerson.set(o.person, list);
  }
  const usernames = new Map<string, string>(taken);
  for (const idn of identities) if (idn.username) usernames.set(idn.username.toLowerCase(), idn.anchor);
  const seen = new Set<string>();
  const out = identities.map((idn) => {
    const list = byPerson.get(idn.anchor);
    if (!list) return idn;
    seen.add(idn.anchor);
    const next: Identity = { ...idn, attrs: idn.attrs ? { ...idn.attrs } : null, paths: idn.paths ? { ...idn.paths } : null };
    const used: AttributeOverride[] = [];
    for (const o of list) {
      if (o.attribute === 'path') {
        if (!next.paths) continue;
        for (const t of Object.keys(next.paths)) if (o.targets.length === 0 || o.targets.includes(t)) next.paths[t] = o.value;
      } else if (o.attribute === 'username') {
        const holder = usernames.get(o.value.toLowerCase());
        if (holder !== undefined && holder !== idn.anchor) {
          diagnostics.push(warningDiag('overrides.username-taken', `${o.origin.id}: username override for ${o.person} is held by another account; the override is not applied`, where(o)));
          continue;
        }
        next.username = o.value;
      } else if (NAME_ATTRS.has(o.attribute)) {
        if (!next.attrs) continue;
        next.attrs[o.attribute as 'givenName' | 'familyName' | 'displayName' | 'email'] = o.value;
      }
      used.push(o);
    }
    if (used.length > 0) applied.set(idn.anchor, used);
    return next;
  });
  for (const [person, list] of byPerson) {
    if (seen.has(person)) continue;
    for (const o of list) diagnostics.push(warningDiag('overrides.unknown-person', `${o.origin.id}: no person ${person} in this plan; the override does nothing`, where(o)));
  }
  return { identities: out, applied, diagnostics };
}

/** Changes caused by an override carry it as their reason (creates mention it). */
export function annotateOverrides(changes: Change[], applied: ReadonlyMap<string, AttributeOverride[]>): void {
  if (applied.size === 0) return;
  for (const c of changes) {
    if (c.kind !== 'account' || !c.anchor) continue;
    const list = applied.get(c.anchor);
    if (!list) continue;
    const relevant = list.filter((o) => (o.targets.length === 0 || o.targets.includes(c.target)) && (c.action === 'create' || (c.after !== undefined && o.attribute in c.after)));
    const first = relevant[0];
    if (!first) continue;
    const text = relevant.map((o) => `${o.attribute} overridden by ${o.origin.id}: ${o.reason} (until ${o.expires})`).join('; ');
    c.reason = c.action === 'create' ? { ...c.reason, detail: `${c.reason.detail}; ${text}` } : { cause: 'policy', rule: first.origin.id, detail: text };
  }
}
