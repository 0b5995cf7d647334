import type { GroupRule, GroupsPolicy } from '../model/policy.js';
import { CLASS_FIELDS, PERSON_FIELDS } from '../resolve/naming/template.js';
import { closest } from '../resolve/naming/suggest.js';
import type { SectionContext } from './context.js';
import { DEFAULTS } from './defaults.js';
import { normalizeMatch } from './normalize-match.js';
import type { WrittenGroups } from './written.js';

const CLASS_GROUP_FIELDS: readonly string[] = [...PERSON_FIELDS, ...CLASS_FIELDS];

export function normalizeGroups(ctx: SectionContext, w: WrittenGroups | undefined): GroupsPolicy {
  const rules: GroupRule[] = [];
  (w?.groups ?? []).forEach((r, i) => {
    if (!r) return;
    const at = ['groups', i];
    const origin = ctx.origin(at, r.id);
    const when = normalizeMatch(ctx, r.when, [...at, 'when']);
    const forEach = r.forEach ?? DEFAULTS.groups.forEach;
    // `{class.code}` exists only when the rule iterates classes.
    const fields = forEach === 'class' ? CLASS_GROUP_FIELDS : PERSON_FIELDS;
    const targets: string[] = [];
    (r.targets ?? []).forEach((t, j) => {
      if (t === undefined) return;
      if (ctx.known.targets === null || ctx.known.targets.has(t)) {
        targets.push(t);
        return;
      }
      const near = closest(t, [...(ctx.known.targets ?? [])]);
      ctx.error(
        'policy.unknown-target',
        `Unknown target "${t}": not in \`targets\` in rollcall.yaml.${near ? ` Did you mean "${near}"?` : ''} Declared: ${[...(ctx.known.targets ?? [])].join(', ') || '(none)'}`,
        [...at, 'targets', j],
      );
    });
    const description = r.description === undefined ? null : ctx.template(r.description, [...at, 'description'], origin.id, fields);
    if (r.name === undefined) return;
    const name = ctx.template(r.name, [...at, 'name'], origin.id, fields);
    if (!name) return;
    const rule: GroupRule = { origin, when, name, forEach, membership: r.membership ?? DEFAULTS.groups.membership, targets };
    if (description) rule.description = description;
    rules.push(rule);
  });
  return { rules };
}
