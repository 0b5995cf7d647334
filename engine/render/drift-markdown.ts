import { commitLabel, attrsLine, driftSummaryLine, type DriftRow, type DriftView } from './drift-view.js';

/**
 * Drift as Markdown, for the nightly workflow's issue and step summary: figures by category,
 * target and school, then the items in a collapsed table. Pseudonymous by default, and capped
 * below GitHub's 65,536-character limit (the HTML report is the complete one).
 */

export interface DriftMarkdownOptions {
  maxChars: number;
}

function esc(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/\n/g, ' ');
}

function itemRow(r: DriftRow): string {
  const fix = r.fix === 'apply' ? `apply (${r.fixActions.join(', ')})` : 'manual';
  return `| ${r.severity} | ${r.category} | ${esc(r.target)} | ${esc(r.school || '—')} | \`${esc(r.subject)}\` | ${esc([r.group && `group ${r.group}`, r.path].filter(Boolean).join(' · ') || '—')} | ${esc([r.detail, attrsLine(r)].filter(Boolean).join(' — '))} | ${fix} |`;
}

export function renderDriftMarkdown(v: DriftView, opts: DriftMarkdownOptions): string {
  const head: string[] = [`### rollcall drift — ${esc(v.district)}`, ''];
  head.push(`Run at \`${v.generatedAt}\` · policy \`${esc(commitLabel(v))}\` · state serial ${v.stateSerial}`, '');
  const high = v.summary.by_severity.high;
  if (high > 0) head.push('> [!WARNING]', `> **${high} high-severity item(s)**: privileged group members not granted by policy, enabled accounts policy says are disabled, or orphan accounts.`, '');
  head.push(`**${driftSummaryLine(v)}**`, '');
  head.push('| category | severity | drift | allow-listed |', '|---|---|---:|---:|');
  for (const c of v.categories) head.push(`| ${c.title} (\`${c.id}\`) | ${c.severity} | ${c.count} | ${c.allowed} |`);
  head.push('');
  const targets = Object.entries(v.summary.by_target);
  if (targets.length > 0) head.push('| target | drift |', '|---|---:|', ...targets.map(([k, n]) => `| ${esc(k)} | ${n} |`), '');
  const schools = Object.entries(v.summary.by_school);
  if (schools.length > 0) head.push('| school | drift |', '|---|---:|', ...schools.map(([k, n]) => `| ${esc(k)} | ${n} |`), '');
  if (v.warnings.length > 0) head.push('<details><summary>Warnings (' + String(v.warnings.length) + ')</summary>', '', ...v.warnings.map((w) => `- ${esc(w)}`), '', '</details>', '');

  const footer = v.showPii ? '' : '\n_People appear as pseudonymous ids (keyed hash of the SIS sourcedId; `x-` ids hash an account with no anchor). Names, usernames and emails are hidden: run with `--show-pii` in a private context._\n';
  let out = head.join('\n');
  const tableHead = ['| severity | category | target | school | subject | where | what | fix |', '|---|---|---|---|---|---|---|---|'];
  const sections: [string, DriftRow[]][] = [['Drift items', v.rows], ['Allow-listed items', v.allowed]];
  let budget = opts.maxChars - out.length - footer.length - 400;
  for (const [title, rows] of sections) {
    if (rows.length === 0) continue;
    const body: string[] = [`<details><summary>${title} (${rows.length})</summary>`, '', ...tableHead];
    let omitted = 0;
    for (const r of rows) {
      const line = title === 'Allow-listed items' ? itemRow(r).replace(/\| [^|]*\|$/, `| allowed: ${esc(r.allowReason)} (until ${r.allowExpires}) |`) : itemRow(r);
      if (budget - line.length - 1 < 0) {
        omitted++;
        continue;
      }
      body.push(line);
      budget -= line.length + 1;
    }
    if (omitted > 0) body.push('', `_… ${omitted} more item(s) omitted to fit the comment limit; see the HTML report artifact._`);
    body.push('', '</details>', '');
    out += '\n' + body.join('\n');
  }
  out += footer;
  return out.length > opts.maxChars ? out.slice(0, opts.maxChars - 20) + '\n…(truncated)\n' : out;
}
