import type { Action, Change, PlanDocument } from '../model/plan.js';
import { ACTION_ORDER } from '../model/plan.js';
import type { PrivacyOptions } from './pseudonym.js';
import { changeLine, sisLine, summaryLine } from './view-model.js';

/**
 * Markdown for a pull-request comment or a job summary: a loud warning when anything is
 * disabled or deleted, the safety verdict, tables by action, school and rule, and details
 * collapsed. PII-safe by default (pseudonyms and counts), and capped below GitHub's
 * 65,536-character comment limit: the full plan belongs in the workflow artifact.
 */

export interface MarkdownOptions extends PrivacyOptions {
  /** Hard cap on output length (GitHub comments: 65,536). */
  maxChars: number;
  title?: string;
  /** The school code of a person, for the table by school; default: the account's placement. */
  schoolOf?: (anchor: string) => string | undefined;
}

/** GitHub refuses comments longer than this; the renderers stay below it. */
export const GITHUB_COMMENT_LIMIT = 65_536;

export function renderMarkdown(plan: PlanDocument, opts: MarkdownOptions): string {
  const head: string[] = [];
  head.push(`### ${opts.title ?? 'rollcall plan'}`, '');
  const warning = destructiveWarning(plan.summary.by_action, 'This plan');
  if (warning) head.push(...warning, '');
  head.push(safetyVerdict(plan.safety), '');
  head.push(`**${summaryLine(plan)}**`, '', sisLine(plan), '');

  const actions = ACTION_ORDER.filter((a) => (plan.summary.by_action[a] ?? 0) > 0);
  if (actions.length > 0) {
    const targets = Object.keys(plan.summary.by_target).sort();
    head.push(...countTable('target', actions, targets.map((t) => [t, plan.summary.by_target[t] ?? {}])), '');
    const byCause = Object.entries(plan.summary.by_cause).sort();
    head.push('| cause | changes |', '|---|---:|', ...byCause.map(([k, v]) => `| ${k} | ${v} |`), '');
    head.push(...collapsed('Changes by school', countTable('school', actions, crossCount(plan.changes, (c) => schoolOf(c, opts)))));
    head.push(...collapsed('Changes by rule', countTable('cause · rule', actions, crossCount(plan.changes, (c) => `${c.reason.cause} · ${c.reason.rule ?? '(none)'}`))));
  }
  if (plan.decisions.length > 0) head.push(`**Decisions needed:** ${plan.decisions.length} (see the plan artifact)`, '');
  if (plan.warnings.length > 0) head.push(`**Warnings:** ${plan.warnings.length} (see the plan artifact)`, '');

  const lines = plan.changes.map((c) => {
    const l = changeLine(c, opts);
    return `${l.symbol} ${l.target} ${l.kind} ${l.action} ${l.subject}` + (l.attrs.length ? ` {${l.attrs.map((x) => `${x.name}: ${x.before ?? ''}${x.before !== undefined && x.after !== undefined ? ' → ' : ''}${x.after ?? ''}`).join('; ')}}` : '');
  });
  return fitComment(head.join('\n'), plan.changes.length > 0 ? [{ summary: `All ${plan.changes.length} changes`, fence: 'diff', lines }] : [], footerFor(opts, 'plan'), opts.maxChars);
}

/** `> [!CAUTION]` block when the counts disable or delete anything. */
export function destructiveWarning(byAction: Partial<Record<Action, number>>, subject: string): string[] | null {
  const d = byAction.disable ?? 0;
  const x = byAction.delete ?? 0;
  if (d + x === 0) return null;
  return ['> [!CAUTION]', `> ${subject} **disables ${d}** and **deletes ${x}** account(s). Check each lifecycle reason before approving.`];
}

export function safetyVerdict(safety: PlanDocument['safety'], introduced?: readonly string[]): string {
  if (!safety.halted && safety.violations.length === 0) return '**Safety: ok** — within every limit in `policy/safety.yaml`.';
  const list = safety.violations.map((v) => `\`${v.id}\` (${v.actual} > ${v.limit})${introduced?.includes(v.id) ? ' — caused by this change' : ''}`).join(', ');
  return `**Safety: HALTED** — ${list}. Apply refuses it unless each violation is accepted.`;
}

/** A Markdown table of counts: one row per key, one column per action, plus a total. */
export function countTable(label: string, actions: readonly Action[], rows: readonly [string, Partial<Record<Action, number>>][], maxRows = 60): string[] {
  if (rows.length === 0) return [];
  const out = [`| ${label} | ${actions.join(' | ')} | total |`, `|---|${actions.map(() => '---:').join('|')}|---:|`];
  for (const [k, row] of rows.slice(0, maxRows)) {
    const total = actions.reduce((n, a) => n + (row[a] ?? 0), 0);
    out.push(`| ${escapeCell(k)} | ${actions.map((a) => String(row[a] ?? 0)).join(' | ')} | ${total} |`);
  }
  if (rows.length > maxRows) out.push(`| … ${rows.length - maxRows} more | ${actions.map(() => '').join(' | ')} | |`);
  return out;
}

export function collapsed(summary: string, body: readonly string[]): string[] {
  if (body.length === 0) return [];
  return [`<details><summary>${summary}</summary>`, '', ...body, '', '</details>', ''];
}

export function crossCount(changes: readonly Change[], key: (c: Change) => string): [string, Partial<Record<Action, number>>][] {
  const m = new Map<string, Partial<Record<Action, number>>>();
  for (const c of changes) {
    const k = key(c);
    const row = m.get(k) ?? {};
    // A planned membership change stands for each member it adds or removes.
    row[c.action] = (row[c.action] ?? 0) + (c.kind === 'membership' && c.members ? c.members.length : 1);
    m.set(k, row);
  }
  const total = (r: Partial<Record<Action, number>>) => Object.values(r).reduce((n, v) => n + (v ?? 0), 0);
  return [...m.entries()].sort((a, b) => total(b[1]) - total(a[1]) || (a[0] < b[0] ? -1 : 1));
}

export interface DetailBlock {
  summary: string;
  fence: string;
  lines: readonly string[];
}

/**
 * The head, then collapsed blocks of lines, filled until the budget is spent; each block
 * gets a fair share (what a small block leaves over goes to the next), so one large rule
 * cannot crowd out the others. What does not fit is counted and pointed to the artifact.
 * The result is always below maxChars.
 */
export function fitComment(head: string, blocks: readonly DetailBlock[], footer: string, maxChars: number): string {
  const opens = blocks.map((b) => `\n<details><summary>${b.summary}</summary>\n\n\`\`\`${b.fence}\n`);
  const close = '```\n\n</details>\n';
  const omittedNote = (n: number) => `# … ${n} more omitted to fit the comment limit; see the workflow artifact\n`;
  let left = maxChars - head.length - footer.length - 400 - opens.reduce((n, o) => n + o.length + close.length + omittedNote(0).length + 8, 0);
  let out = head;
  blocks.forEach((b, i) => {
    const share = Math.floor(Math.max(0, left) / (blocks.length - i));
    let body = '';
    let omitted = 0;
    for (const l of b.lines) {
      if (body.length + l.length + 1 > share) {
        omitted++;
        continue;
      }
      body += l + '\n';
    }
    left -= body.length;
    if (omitted > 0) body += omittedNote(omitted);
    out += opens[i] + body + close;
  });
  out += footer;
  return out.length > maxChars ? out.slice(0, maxChars - 20) + '\n…(truncated)\n' : out;
}

export function footerFor(opts: PrivacyOptions, what: 'plan' | 'impact'): string {
  const artifact = what === 'plan' ? 'The full plan is in the workflow artifact.' : 'The impact and the full plan are in the workflow artifacts.';
  return opts.showPii ? `\n_${artifact}_\n` : `\n_People appear as pseudonymous ids (a keyed hash of the SIS sourcedId). ${artifact}_\n`;
}

export function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/[<>]/g, (ch) => (ch === '<' ? '&lt;' : '&gt;'));
}

function schoolOf(c: Change, opts: MarkdownOptions): string {
  const fromRoster = c.anchor !== undefined ? opts.schoolOf?.(c.anchor) : undefined;
  if (fromRoster) return fromRoster;
  const p = c.after?.path ?? c.before?.path;
  if (typeof p === 'string' && p) return p.split('/').slice(0, 2).join('/');
  return c.kind === 'account' || c.kind === 'membership' ? '(unknown)' : `(${c.kind}s)`;
}
