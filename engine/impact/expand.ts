import type { Change } from '../model/plan.js';

/**
 * Plans carry one membership change per group and action, naming many members. An impact
 * compares people, so it expands each into one change per member, in the shape apply hands
 * to providers (key `${group}|${anchor or username}`, after/before {group, member}). Other
 * changes pass through unchanged.
 */
export function perMember(changes: readonly Change[]): Change[] {
  const out: Change[] = [];
  for (const c of changes) {
    if (c.kind !== 'membership' || !c.members) {
      out.push(c);
      continue;
    }
    const spec = c.action === 'add' ? c.after : c.before;
    const group = typeof spec?.group === 'string' ? spec.group : c.key;
    for (const m of c.members) {
      const key = `${group}|${m.anchor ?? m.username}`;
      const attrs = { group, member: m.username };
      out.push({
        id: `${c.target}:membership:${key}:${c.action}`, target: c.target, kind: 'membership', action: c.action,
        ...(m.anchor ? { anchor: m.anchor } : {}), key,
        ...(c.object_id ? { object_id: c.object_id } : {}),
        ...(c.action === 'add' ? { after: attrs } : { before: attrs }),
        reason: c.reason,
      });
    }
  }
  return out;
}
