import type { NamingPolicy, Template, UsernameRule } from '../model/policy.js';
import { PERSON_FIELDS } from '../resolve/naming/template.js';
import { builtinTemplate, type SectionContext } from './context.js';
import { DEFAULTS } from './defaults.js';
import { normalizeMatch } from './normalize-match.js';
import type { WrittenNaming, WrittenTemplateRule } from './written.js';

/** Email templates may use the username computed by the username rules. */
export const EMAIL_FIELDS: readonly string[] = [...PERSON_FIELDS, 'username'];

function templateRules(
  ctx: SectionContext,
  rules: (WrittenTemplateRule | undefined)[],
  key: 'email' | 'displayName',
  fields: readonly string[],
): NamingPolicy['email'] {
  const out: NamingPolicy['email'] = [];
  rules.forEach((r, i) => {
    if (!r) return;
    const origin = ctx.origin([key, i], r.id);
    const when = normalizeMatch(ctx, r.when, [key, i, 'when']);
    if (r.template === undefined) return;
    const template = ctx.template(r.template, [key, i, 'template'], origin.id, fields);
    if (template) out.push({ origin, when, template });
  });
  return out;
}

export function normalizeNaming(ctx: SectionContext, w: WrittenNaming | undefined, domain: string): NamingPolicy {
  const usernames: UsernameRule[] = [];
  (w?.usernames ?? []).forEach((r, i) => {
    if (!r) return;
    const origin = ctx.origin(['usernames', i], r.id);
    const when = normalizeMatch(ctx, r.when, ['usernames', i, 'when']);
    const templates: Template[] = [];
    (r.templates ?? []).forEach((t, j) => {
      if (t === undefined) return;
      const compiled = ctx.template(t, ['usernames', i, 'templates', j], origin.id, PERSON_FIELDS);
      if (compiled) templates.push(compiled);
    });
    const d = DEFAULTS.naming.collision;
    usernames.push({
      origin,
      when,
      templates,
      collision: { strategy: 'number', minDigits: r.collision?.minDigits ?? d.minDigits, start: r.collision?.start ?? d.start },
      maxLength: r.maxLength ?? DEFAULTS.naming.maxLength,
    });
  });
  if (!w?.usernames) {
    const id = 'naming.usernames[default]';
    usernames.push({
      origin: { id },
      when: {},
      templates: DEFAULTS.naming.usernameTemplates.map((t) => builtinTemplate(t, id, PERSON_FIELDS)),
      collision: { strategy: 'number', ...DEFAULTS.naming.collision },
      maxLength: DEFAULTS.naming.maxLength,
    });
  }
  const email = w?.email
    ? templateRules(ctx, w.email, 'email', EMAIL_FIELDS)
    : [{ origin: { id: 'naming.email[default]' }, when: {}, template: builtinTemplate(`{username}@${domain}`, 'naming.email[default]', EMAIL_FIELDS) }];
  const displayName = w?.displayName
    ? templateRules(ctx, w.displayName, 'displayName', PERSON_FIELDS)
    : [{ origin: { id: 'naming.displayName[default]' }, when: {}, template: builtinTemplate(DEFAULTS.naming.displayName, 'naming.displayName[default]', PERSON_FIELDS) }];
  const reserved = [...new Set((w?.reserved ?? []).filter((x): x is string => x !== undefined).map((x) => x.toLowerCase()))].sort();
  return { usernames, email, displayName, reserved, renames: w?.renames ?? DEFAULTS.naming.renames };
}
