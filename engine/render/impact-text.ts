import type { ImpactDocument } from '../impact/types.js';
import { ACTION_ORDER } from '../model/plan.js';
import type { PrivacyOptions } from './pseudonym.js';
import { impactLine, shortCommit } from './impact-view.js';

/**
 * The impact for a terminal: the headline, the rules that changed, counts by rule, then
 * the entries grouped by rule (cut after `limit` per rule). Privacy as in the plan text.
 */

export interface ImpactTextOptions extends PrivacyOptions {
  /** Entries shown per rule; 0 = all. */
  limit: number;
}

export function renderImpactText(doc: ImpactDocument, opts: ImpactTextOptions): string {
  const out: string[] = [];
  out.push(`Policy impact: ${doc.base.ref} (${shortCommit(doc.base.commit)}) -> ${doc.head.ref} (${shortCommit(doc.head.commit)})`);
  out.push(`SIS ${doc.inputs.sis_people} people, state serial ${doc.inputs.state_serial}, time ${doc.inputs.now}`, '');
  out.push(doc.headline, '');
  if (doc.rules.length === 0) out.push('No policy rule changed.');
  else {
    out.push('Policy rules changed:');
    for (const r of doc.rules) out.push(`  ${r.change === 'added' ? '+' : r.change === 'removed' ? '-' : '~'} ${r.rule}`);
  }
  const rules = Object.keys(doc.summary.by_rule).sort();
  if (rules.length > 0) {
    out.push('', 'Changes by rule:');
    for (const rule of rules) {
      const row = doc.summary.by_rule[rule] ?? {};
      out.push(`  ${rule}: ${ACTION_ORDER.filter((a) => row[a]).map((a) => `${a} ${row[a]}`).join(', ')}`);
    }
    out.push('', '(+ the change adds it to the plan, ~ it alters it, - it takes it out of the plan)');
    let rule = '';
    let shown = 0;
    let hidden = 0;
    const flush = (): void => {
      if (hidden > 0) out.push(`    … and ${hidden} more (see the impact JSON, or --limit 0)`);
      hidden = 0;
    };
    for (const e of doc.entries) {
      if (e.rule !== rule) {
        flush();
        rule = e.rule;
        shown = 0;
        out.push('', `  # ${rule}`);
      }
      if (opts.limit > 0 && shown >= opts.limit) {
        hidden++;
        continue;
      }
      shown++;
      const l = impactLine(e, opts);
      out.push(`  ${l.marker} ${l.line.target} ${l.line.kind} ${l.line.action} ${l.line.subject}`);
      for (const d of l.differs) out.push(`      ${d.name}: ${d.base} -> ${d.head}`);
      if (e.change === 'added') for (const a of l.line.attrs) if (a.after !== undefined) out.push(`      ${a.name}: ${a.before !== undefined ? `${a.before} -> ` : ''}${a.after}`);
    }
    flush();
  }
  out.push('');
  const s = doc.safety;
  if (s.head.ok) out.push('Safety: ok.');
  else {
    out.push('SAFETY: the plan with this change is HALTED:');
    for (const v of s.head.violations) out.push(`  - ${v.id}: ${v.detail}${s.introduced.includes(v.id) ? ' (caused by this change)' : ''}`);
  }
  return out.join('\n') + '\n';
}
