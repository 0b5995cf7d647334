import type { Action, Change, PlanDocument } from '../model/plan.js';
import type { PrivacyOptions } from './pseudonym.js';
import { changeLine, summaryLine } from './view-model.js';

/**
 * Markdown for a pull-request comment: summary tables, a loud warning when anything is
 * disabled or deleted, the safety verdict, and details collapsed. PII-safe by default
 * (pseudonyms and counts), and capped below GitHub's 65,536-character comment limit: the
 * full plan belongs in the workflow artifact.
 */

export interface MarkdownOptions extends PrivacyOptions {
  /** Hard cap on output length. */
  maxChars: number;
  title?: string;
}

const ACTIONS: readonly Action[] = ['create', 'adopt', 'rename', 'update', 'move', 'enable', 'disable', 'delete', 'add', 'remove'];

export function renderMarkdown(plan: PlanDocument, opts: MarkdownOptions): string {
  const head: string[] = [];
  head.push(`### ${opts.title ?? 'rollcall plan'}`, '');
  const a = plan.summary.by_action;
  if ((a.disable ?? 0) + (a.delete ?? 0) > 0) {
    head.push(`> [!WARNING]`, `> This plan **disables ${a.disable ?? 0}** and **deletes ${a.delete ?? 0}** account(s). Review the lifecycle reasons below.`, '');
  }
  head.push(plan.safety.halted
    ? `**Safety: HALTED** — ${plan.safety.violations.map((v) => `\`${v.id}\` (${v.actual} > ${v.limit})`).join(', ')}. Apply refuses it unless each violation is accepted.`
    : '**Safety: ok**', '');
  head.push(summaryLine(plan), '');

  const targets = Object.keys(plan.summary.by_target).sort();
  if (targets.length > 0) {
    head.push(`| target | ${ACTIONS.join(' | ')} |`, `|---|${ACTIONS.map(() => '---:').join('|')}|`);
    for (const t of targets) {
      const row = plan.summary.by_target[t] ?? {};
      head.push(`| ${t} | ${ACTIONS.map((x) => String(row[x] ?? 0)).join(' | ')} |`);
    }
    head.push('');
  }
  const byCause = Object.entries(plan.summary.by_cause).sort();
  if (byCause.length > 0) {
    head.push('| cause | changes |', '|---|---:|', ...byCause.map(([k, v]) => `| ${k} | ${v} |`), '');
  }
  const rules = countBy(plan.changes, (c) => `${c.reason.cause}: ${c.reason.rule ?? '(none)'} · ${c.action}`);
  if (rules.length > 0) {
    head.push('<details><summary>Changes by rule</summary>', '', '| cause: rule · action | changes |', '|---|---:|');
    for (const [k, v] of rules.slice(0, 100)) head.push(`| ${escapeCell(k)} | ${v} |`);
    head.push('', '</details>', '');
  }
  const schools = countBy(plan.changes.filter((c) => c.kind === 'account'), (c) => schoolOf(c));
  if (schools.length > 0) {
    head.push('<details><summary>Account changes by placement</summary>', '', '| placement | changes |', '|---|---:|');
    for (const [k, v] of schools.slice(0, 100)) head.push(`| ${escapeCell(k)} | ${v} |`);
    head.push('', '</details>', '');
  }
  if (plan.decisions.length > 0) head.push(`**Decisions needed:** ${plan.decisions.length}`, '');
  if (plan.warnings.length > 0) head.push(`**Warnings:** ${plan.warnings.length} (see the plan artifact)`, '');

  const footer = opts.showPii ? '' : '\n_People appear as pseudonymous ids (keyed hash of the SIS sourcedId). The full plan is in the workflow artifact._\n';
  let out = head.join('\n');
  const details: string[] = ['<details><summary>All changes</summary>', '', '```diff'];
  const closing = ['```', '', '</details>', ''];
  const budget = opts.maxChars - out.length - footer.length - closing.join('\n').length - 200;
  let used = details.join('\n').length;
  let omitted = 0;
  for (const c of plan.changes) {
    const l = changeLine(c, opts);
    const text = `${l.symbol} ${l.target} ${l.kind} ${l.action} ${l.subject}` + (l.attrs.length ? ` {${l.attrs.map((x) => `${x.name}: ${x.before ?? ''}${x.before !== undefined && x.after !== undefined ? ' → ' : ''}${x.after ?? ''}`).join('; ')}}` : '');
    if (used + text.length + 1 > budget) {
      omitted++;
      continue;
    }
    details.push(text);
    used += text.length + 1;
  }
  if (omitted > 0) details.push(`# … ${omitted} more change(s) omitted to fit the comment limit; see the plan artifact`);
  if (plan.changes.length > 0) out += '\n' + [...details, ...closing].join('\n');
  out += footer;
  return out.length > opts.maxChars ? out.slice(0, opts.maxChars - 20) + '\n…(truncated)\n' : out;
}

function schoolOf(c: Change): string {
  const p = c.after?.path ?? c.before?.path;
  return typeof p === 'string' && p ? p.split('/').slice(0, 2).join('/') : '(unchanged placement)';
}

function countBy(changes: readonly Change[], key: (c: Change) => string): [string, number][] {
  const m = new Map<string, number>();
  for (const c of changes) m.set(key(c), (m.get(key(c)) ?? 0) + 1);
  return [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|');
}
