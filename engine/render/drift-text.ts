import { commitLabel, driftSummaryLine, attrsLine, type DriftRow, type DriftView } from './drift-view.js';

/**
 * Drift for a terminal or a CI log: one block per category, most serious first, each item
 * with its target, school, subject and what differs, then the summary line. Long categories
 * are cut after `limit` items with a count of the rest (the JSON/HTML report has them all).
 */

export interface DriftTextOptions {
  /** Items shown per category; 0 = all. */
  limit: number;
}

const MARK = { high: '!!', medium: '! ', low: '~ ' } as const;

export function renderDriftText(v: DriftView, opts: DriftTextOptions): string {
  const out: string[] = [];
  out.push(`rollcall drift — ${v.district}`, `Run at ${v.generatedAt}; policy ${commitLabel(v)}; state serial ${v.stateSerial}`);
  out.push(`Targets: ${v.targets.map((t) => `${t.name} (${t.accounts} accounts, ${t.groups} groups)`).join(', ') || 'none'}`, '');
  if (v.rows.length === 0) out.push('No drift. The targets hold what rollcall wrote and what policy wants.', '');
  for (const c of v.categories) {
    const rows = v.rows.filter((r) => r.category === c.id);
    if (rows.length === 0) continue;
    out.push(`${c.title} [${c.id}, ${c.severity}]: ${rows.length}`);
    const shown = opts.limit > 0 ? rows.slice(0, opts.limit) : rows;
    for (const r of shown) out.push(...lines(r));
    if (shown.length < rows.length) out.push(`    … and ${rows.length - shown.length} more (see --format json or html, or --limit 0)`);
    out.push('');
  }
  if (v.allowed.length > 0) {
    out.push(`Allow-listed (expected drift, not counted): ${v.allowed.length}`);
    const shown = opts.limit > 0 ? v.allowed.slice(0, opts.limit) : v.allowed;
    for (const r of shown) out.push(`  = ${r.target} ${r.category} ${r.subject}${r.group ? ` in ${r.group}` : ''} — ${r.allowReason} (until ${r.allowExpires}, ${r.allowSource})`);
    if (shown.length < v.allowed.length) out.push(`    … and ${v.allowed.length - shown.length} more`);
    out.push('');
  }
  // With nothing at all to report, the "No drift." line above already says it.
  if (v.rows.length > 0 || v.allowed.length > 0) out.push(driftSummaryLine(v));
  if (v.warnings.length > 0) {
    out.push('', `Warnings (${v.warnings.length}):`, ...v.warnings.map((w) => `  ${w.split('\n').join('\n  ')}`));
  }
  return out.join('\n') + '\n';
}

function lines(r: DriftRow): string[] {
  const where = [r.school && `school ${r.school}`, r.path && `at ${r.path}`].filter(Boolean).join(', ');
  const head = `  ${MARK[r.severity]} ${r.target} ${r.subject}${r.group ? ` in ${r.group}` : ''}${where ? ` (${where})` : ''}: ${r.detail}`;
  const out = [head];
  if (r.attrs.length > 0) out.push(`      ${attrsLine(r)}`);
  if (r.modifiedBy || r.modifiedAt) out.push(`      modified${r.modifiedBy ? ` by ${r.modifiedBy}` : ''}${r.modifiedAt ? ` at ${r.modifiedAt}` : ''}`);
  out.push(`      fix: ${r.fix === 'apply' ? `the next plan + apply (${r.fixActions.join(', ')})` : 'a person must resolve it (or allow-list it)'}`);
  return out;
}
