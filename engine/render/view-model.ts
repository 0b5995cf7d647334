import type { AttrValue, Change, PlanDocument } from '../model/plan.js';
import { PII_ATTRS, pseudonym, type PrivacyOptions } from './pseudonym.js';

/**
 * What every renderer shows of a change, computed once, with privacy applied: text,
 * Markdown and HTML read these lines, so they agree and none can leak by accident.
 */

export interface AttrLine {
  name: string;
  before?: string;
  after?: string;
}

export interface ChangeLine {
  symbol: '+' | '~' | '-';
  target: string;
  kind: Change['kind'];
  action: Change['action'];
  /** Who or what: a pseudonym or username for people, a path or group name otherwise. */
  subject: string;
  attrs: AttrLine[];
  why: string;
}

export function symbolFor(action: Change['action']): ChangeLine['symbol'] {
  switch (action) {
    case 'create':
    case 'add':
      return '+';
    case 'disable':
    case 'delete':
    case 'remove':
      return '-';
    default:
      return '~';
  }
}

function show(v: AttrValue | undefined): string {
  if (v === undefined) return '';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `[${v.map((x) => JSON.stringify(x)).join(', ')}]`;
  return JSON.stringify(v);
}

export function subjectOf(c: Change, privacy: PrivacyOptions): string {
  const who = (anchor: string | undefined, username: AttrValue | undefined): string => {
    if (privacy.showPii) return typeof username === 'string' && username ? username : anchor ?? '?';
    return anchor ? pseudonym(privacy.pseudonymKey, anchor) : 'unmanaged-member';
  };
  switch (c.kind) {
    case 'account':
      return who(c.anchor, c.after?.username ?? c.before?.username);
    case 'membership': {
      const spec = c.after ?? c.before ?? {};
      const group = String(spec.group ?? c.key);
      const members = c.members ?? [];
      if (members.length === 0) return `${group} ← ${who(c.anchor, spec.member)}`;
      const shown = members.slice(0, 10).map((m) => who(m.anchor, m.username));
      const more = members.length > shown.length ? `, … ${members.length - shown.length} more` : '';
      return `${group} ${c.action === 'add' ? '←' : '→'} ${members.length} member(s): ${shown.join(', ')}${more}`;
    }
    default:
      return c.key;
  }
}

export function changeLine(c: Change, privacy: PrivacyOptions): ChangeLine {
  const names = new Set([...Object.keys(c.before ?? {}), ...Object.keys(c.after ?? {})]);
  const attrs: AttrLine[] = [];
  if (c.kind === 'account') {
    for (const name of names) {
      const b = c.before?.[name];
      const a = c.after?.[name];
      const hide = !privacy.showPii && PII_ATTRS.has(name);
      const line: AttrLine = { name };
      if (c.before && name in c.before) line.before = hide ? '(sensitive)' : show(b);
      if (c.after && name in c.after) line.after = hide ? '(sensitive)' : show(a);
      attrs.push(line);
    }
  }
  const r = c.reason;
  const why = [r.cause, r.rule, r.date].filter(Boolean).join(' · ') + (r.detail && (privacy.showPii || r.cause !== 'sis') ? ` — ${r.detail}` : '');
  return { symbol: symbolFor(c.action), target: c.target, kind: c.kind, action: c.action, subject: subjectOf(c, privacy), attrs, why };
}

/** The SIS side of the plan in one line: export size and people new, gone or changed since the last apply. */
export function sisLine(plan: PlanDocument): string {
  const c = plan.inputs.sis_changes;
  const since = c ? `; since the last apply: ${c.added} new, ${c.gone} gone, ${c.changed} with a new role, grade or school` : '';
  // Absent from plans saved before rollcall counted it.
  const eligible: unknown = plan.inputs.sis_eligible;
  const provisioned = typeof eligible === 'number' ? `, ${eligible} with a role the policy provisions` : '';
  return `SIS: ${plan.inputs.sis_people} people${provisioned}${since}.`;
}

/** Counts per action in Terraform's reading order. */
export function summaryLine(plan: PlanDocument): string {
  const a = plan.summary.by_action;
  const parts = [
    `${a.create ?? 0} to create`,
    `${(a.update ?? 0) + (a.rename ?? 0) + (a.move ?? 0) + (a.adopt ?? 0)} to change`,
    `${a.enable ?? 0} to enable`,
    `${a.disable ?? 0} to disable`,
    `${a.delete ?? 0} to delete`,
    `${a.add ?? 0} memberships to add`,
    `${a.remove ?? 0} to remove`,
  ];
  return `Plan: ${parts.join(', ')}.`;
}
