import type { ImpactEntry } from '../impact/types.js';
import type { AttrValue } from '../model/plan.js';
import { PII_ATTRS, type PrivacyOptions } from './pseudonym.js';
import { changeLine, type ChangeLine } from './view-model.js';

/**
 * What every impact renderer shows of one entry, privacy applied once: the change (head
 * side, or base side for a removed one) and, for an altered change, the values that differ
 * between the base plan and the head plan.
 */

export interface ImpactLine {
  /** `+` the PR adds it, `-` the PR takes it out of the plan, `~` the PR alters it. */
  marker: '+' | '-' | '~';
  line: ChangeLine;
  /** For altered entries: `name: base -> head`. */
  differs: { name: string; base: string; head: string }[];
}

const MARKERS = { added: '+', removed: '-', altered: '~' } as const;

function show(v: AttrValue | undefined): string {
  if (v === undefined) return '(none)';
  if (v === null) return 'null';
  return Array.isArray(v) ? `[${v.map((x) => JSON.stringify(x)).join(', ')}]` : JSON.stringify(v);
}

export function impactLine(e: ImpactEntry, privacy: PrivacyOptions): ImpactLine {
  const change = (e.head ?? e.base)!;
  const differs: ImpactLine['differs'] = [];
  if (e.change === 'altered' && e.base && e.head) {
    const b = e.base.after ?? {};
    const h = e.head.after ?? {};
    for (const name of [...new Set([...Object.keys(b), ...Object.keys(h)])].sort()) {
      if (JSON.stringify(b[name]) === JSON.stringify(h[name])) continue;
      const hide = !privacy.showPii && PII_ATTRS.has(name);
      differs.push({ name, base: hide ? '(sensitive)' : show(b[name]), head: hide ? '(sensitive)' : show(h[name]) });
    }
    if (e.base.password_rule !== e.head.password_rule) differs.push({ name: 'password rule', base: e.base.password_rule ?? '(none)', head: e.head.password_rule ?? '(none)' });
  }
  return { marker: MARKERS[e.change], line: changeLine(change, privacy), differs };
}

/** "disables **3** and deletes **1** account(s)", or null when nothing is disabled or deleted. */
export function destructiveNote(byAction: Partial<Record<string, number>>): string | null {
  const d = byAction.disable ?? 0;
  const x = byAction.delete ?? 0;
  if (d + x === 0) return null;
  return `disables **${d}** and deletes **${x}** account(s)`;
}

export function shortCommit(c: string | null): string {
  if (!c) return 'not in git';
  const dirty = c.endsWith('-dirty');
  return c.slice(0, 12) + (dirty ? ' (uncommitted changes)' : '');
}
