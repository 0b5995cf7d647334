import type { Change } from '../model/plan.js';
import type { Policy } from '../model/policy.js';
import { digestOf } from '../plan/canonical.js';
import type { RuleChange } from './types.js';

/**
 * Policy rules by qualified id, each with a digest of its definition. Source positions are
 * left out, so moving a rule within a file or editing a comment changes nothing; any edit
 * to what a rule says changes its digest. Rule order matters (first match wins), so each
 * ordered list also has an `(order)` entry.
 */
export function ruleDigests(policy: Policy): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (id: string, value: unknown): void => {
    out[id] = digestOf(stripPositions(value));
  };
  const list = (section: string, items: readonly { origin: { id: string } }[]): void => {
    items.forEach((item) => put(`${section}[${item.origin.id}]`, item));
    put(`${section} (order)`, items.map((i) => i.origin.id));
  };
  put('district', policy.district);
  put('roles', [...policy.roles].sort());
  put('schools', policy.schools);
  put('sis', policy.sis);
  put('state', policy.state);
  for (const t of policy.targets) put(`targets[${t.name}]`, t);
  list('naming.usernames', policy.naming.usernames);
  list('naming.email', policy.naming.email);
  list('naming.displayName', policy.naming.displayName);
  put('naming.reserved', [...policy.naming.reserved].sort());
  put('naming.renames', policy.naming.renames);
  list('placement.rules', policy.placement.rules);
  put('placement.protectedPaths', policy.placement.protectedPaths);
  list('groups.rules', policy.groups.rules);
  put('lifecycle.preEnrollmentDays', policy.lifecycle.preEnrollmentDays);
  put('lifecycle.withdrawal', policy.lifecycle.withdrawal);
  put('lifecycle.graduation', policy.lifecycle.graduation);
  put('lifecycle.staffDeparture', policy.lifecycle.staffDeparture);
  list('lifecycle.holds', policy.lifecycle.holds);
  list('passwords.rules', policy.passwords.rules);
  put('safety', policy.safety);
  // Sections this list does not know yet (added to Policy later) still count, as a whole.
  const known = new Set(['district', 'roles', 'schools', 'sis', 'state', 'targets', 'naming', 'placement', 'groups', 'lifecycle', 'passwords', 'safety']);
  for (const [key, value] of Object.entries(policy)) if (!known.has(key)) put(key, value);
  return out;
}

/** Rules added, removed or modified between two policies, sorted by id. */
export function diffRules(base: Record<string, string>, head: Record<string, string>): RuleChange[] {
  const out: RuleChange[] = [];
  for (const id of [...new Set([...Object.keys(base), ...Object.keys(head)])].sort()) {
    const b = base[id];
    const h = head[id];
    if (b === h) continue;
    if (b === undefined) out.push({ rule: id, change: 'added', head: h });
    else if (h === undefined) out.push({ rule: id, change: 'removed', base: b });
    else out.push({ rule: id, change: 'modified', base: b, head: h });
  }
  return out;
}

/**
 * A change's rule, qualified by section. Reasons carry a rule's own `id:` (`students`),
 * which is unique only within its section (`staff` names a username rule and a password
 * rule), so the change's kind and action say which sections to look in.
 */
export function qualifyRule(c: Change, policy: Policy): string {
  const rule = c.reason.rule ?? '';
  if (!rule) return `(${c.reason.cause})`;
  if (rule.startsWith('lifecycle.') || rule.startsWith('state.') || rule.startsWith('sis.')) return rule;
  const sections: [string, readonly { origin: { id: string } }[]][] = [];
  if (c.kind === 'group' || c.kind === 'membership') sections.push(['groups.rules', policy.groups.rules]);
  else if (c.kind === 'container' || c.action === 'move') sections.push(['placement.rules', policy.placement.rules]);
  else if (c.action === 'update') sections.push(['naming.displayName', policy.naming.displayName], ['naming.email', policy.naming.email]);
  else sections.push(['naming.usernames', policy.naming.usernames]);
  for (const [name, items] of sections) if (items.some((i) => i.origin.id === rule)) return `${name}[${rule}]`;
  return rule;
}

/** Drops `origin.source` (file positions) everywhere, keeping `origin.id`. */
function stripPositions(value: unknown, inOrigin = false): unknown {
  if (Array.isArray(value)) return value.map((v) => stripPositions(v));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!(inOrigin && k === 'source')) out[k] = stripPositions(v, k === 'origin');
    return out;
  }
  return value;
}
