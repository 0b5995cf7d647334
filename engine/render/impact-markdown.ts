import type { ImpactDocument } from '../impact/types.js';
import { ACTION_ORDER, type Action } from '../model/plan.js';
import { impactLine, shortCommit } from './impact-view.js';
import { collapsed, countTable, destructiveWarning, escapeCell, fitComment, footerFor, GITHUB_COMMENT_LIMIT, safetyVerdict, type DetailBlock } from './markdown.js';
import type { PrivacyOptions } from './pseudonym.js';

/**
 * The pull-request comment: what merging this policy change will do to the directories,
 * today, and nothing the SIS would do anyway. Headline, a warning when it disables or
 * deletes, the safety verdict, tables by action, rule and school, then the entries by
 * rule, collapsed. Capped below GitHub's comment limit; PII-safe unless showPii.
 */

export interface ImpactMarkdownOptions extends PrivacyOptions {
  maxChars?: number;
  title?: string;
  /** An HTML comment the workflow finds its own sticky comment by. */
  marker?: string;
}

export function renderImpactMarkdown(doc: ImpactDocument, opts: ImpactMarkdownOptions): string {
  const s = doc.summary;
  const head: string[] = [];
  if (opts.marker) head.push(`<!-- ${opts.marker} -->`);
  head.push(`### ${opts.title ?? 'rollcall: policy impact of this change'}`, '');
  const warning = destructiveWarning(s.by_action, 'Merging this change');
  if (warning) head.push(...warning, '');
  head.push(`**${escapeCell(doc.headline)}**`, '');
  head.push(`Base \`${escapeCell(doc.base.ref)}\` (${shortCommit(doc.base.commit)}) → head \`${escapeCell(doc.head.ref)}\` (${shortCommit(doc.head.commit)}), against the same SIS export (${doc.inputs.sis_people} people), state (serial ${doc.inputs.state_serial}) and directories, at ${doc.inputs.now}.`, '');
  head.push(safetyVerdict({ ok: doc.safety.head.ok, halted: !doc.safety.head.ok, violations: doc.safety.head.violations }, doc.safety.introduced), '');
  if (doc.safety.introduced.length > 0) {
    head.push(`Approving this PR approves ${doc.safety.introduced.map((v) => `\`${v}\``).join(', ')} for the changes listed here: apply-on-merge accepts them only for exactly these changes.`, '');
  }

  if (s.total > 0) {
    const actions = ACTION_ORDER.filter((a) => (s.by_action[a] ?? 0) + (s.removed_by_action[a] ?? 0) > 0);
    head.push('| action | added by this change | altered | taken out of the plan |', '|---|---:|---:|---:|');
    for (const a of actions) head.push(`| ${a} | ${count(doc, a, 'added')} | ${count(doc, a, 'altered')} | ${s.removed_by_action[a] ?? 0} |`);
    head.push('', `${s.people} people affected.`, '');
    head.push(...collapsed('By rule', countTable('rule', actions, Object.entries(s.by_rule).sort())));
    head.push(...collapsed('By school', countTable('school', actions, Object.entries(s.by_school).sort())));
  }
  if (doc.rules.length > 0) {
    head.push(...collapsed(`Policy rules changed (${doc.rules.length})`, doc.rules.map((r) => `- ${r.change}: \`${escapeCell(r.rule)}\``)));
  } else head.push('No policy rule changed.', '');

  const blocks: DetailBlock[] = [];
  let current: string[] = [];
  let rule = '';
  const push = (): void => {
    if (current.length > 0) blocks.push({ summary: `${escapeCell(rule)} (${current.length})`, fence: 'diff', lines: current });
    current = [];
  };
  for (const e of doc.entries) {
    if (e.rule !== rule) {
      push();
      rule = e.rule;
    }
    const l = impactLine(e, opts);
    const attrs = l.differs.length > 0
      ? ` {${l.differs.map((d) => `${d.name}: ${d.base} → ${d.head}`).join('; ')}}`
      : l.line.attrs.length > 0 ? ` {${l.line.attrs.map((a) => (opts.showPii ? `${a.name}: ${a.before !== undefined ? `${a.before} → ` : ''}${a.after ?? ''}` : a.name)).join('; ')}}` : '';
    current.push(`${l.marker} ${l.line.target} ${l.line.kind} ${l.line.action} ${l.line.subject}${attrs}`);
  }
  push();
  return fitComment(head.join('\n'), blocks, footerFor(opts, 'impact'), Math.min(opts.maxChars ?? GITHUB_COMMENT_LIMIT - 1536, GITHUB_COMMENT_LIMIT - 1));
}

function count(doc: ImpactDocument, a: Action, change: 'added' | 'altered'): number {
  return doc.entries.filter((e) => e.action === a && e.change === change).length;
}
