import type { Change, PlanDocument } from '../model/plan.js';
import { formatDiagnostic } from '../model/diagnostics.js';
import type { PrivacyOptions } from './pseudonym.js';
import { changeLine, sisLine, summaryLine } from './view-model.js';

/**
 * Terraform-style text: `+` create, `~` change, `-` disable/delete/remove, with
 * attribute-level before -> after. Large groups (a promotion moves 40,000 accounts) are
 * cut after `limit` lines per target/kind/action with a count of the rest.
 */

export interface TextOptions extends PrivacyOptions {
  /** Lines per target/kind/action group; 0 = all. */
  limit: number;
  color: boolean;
}

const COLORS = { '+': '\u001b[32m', '~': '\u001b[33m', '-': '\u001b[31m' } as const;
const RESET = '\u001b[0m';

export function renderText(plan: PlanDocument, opts: TextOptions): string {
  const out: string[] = [];
  const paint = (sym: '+' | '~' | '-', s: string): string => (opts.color ? `${COLORS[sym]}${s}${RESET}` : s);
  if (plan.changes.length === 0) {
    out.push('No changes. The directories match the policy and the SIS.');
  } else {
    out.push('rollcall will perform the following actions:', '');
    let group = '';
    let shown = 0;
    let hidden = 0;
    const flush = (): void => {
      if (hidden > 0) out.push(`    … and ${hidden} more (see the JSON plan, or --limit 0)`);
      hidden = 0;
    };
    let target = '';
    for (const c of plan.changes) {
      if (c.target !== target) {
        flush();
        target = c.target;
        out.push(`  # target ${target}`);
      }
      const g = groupKey(c);
      if (g !== group) {
        flush();
        group = g;
        shown = 0;
      }
      if (opts.limit > 0 && shown >= opts.limit) {
        hidden++;
        continue;
      }
      shown++;
      const line = changeLine(c, opts);
      out.push(paint(line.symbol, `  ${line.symbol} ${line.kind} ${line.action} ${line.subject}`) + `  (${line.why})`);
      for (const a of line.attrs) {
        if (a.before !== undefined && a.after !== undefined) out.push(`      ${a.name}: ${a.before} -> ${a.after}`);
        else if (a.after !== undefined) out.push(`      ${a.name}: ${a.after}`);
      }
    }
    flush();
    out.push('');
  }
  out.push(sisLine(plan));
  out.push(summaryLine(plan));
  if (plan.decisions.length > 0) out.push(`Decisions needed: ${plan.decisions.length} (e.g. rename approvals, ambiguous matches).`);
  if (plan.safety.halted) {
    out.push('', 'SAFETY: this plan is HALTED. apply refuses it unless each violation is accepted:');
    for (const v of plan.safety.violations) out.push(`  - ${v.id}: ${v.detail}  (accept with --accept ${v.id})`);
  } else out.push('Safety: ok.');
  if (plan.warnings.length > 0) {
    out.push('', `Warnings (${plan.warnings.length}):`);
    for (const w of plan.warnings.slice(0, 20)) out.push(`  ${formatDiagnostic(w)}`);
    if (plan.warnings.length > 20) out.push(`  … and ${plan.warnings.length - 20} more in the JSON plan`);
  }
  return out.join('\n') + '\n';
}

function groupKey(c: Change): string {
  return `${c.target}\u0000${c.kind}\u0000${c.action}`;
}
