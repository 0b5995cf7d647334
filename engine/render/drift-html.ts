import { DRIFT_CATEGORIES, CATEGORY_TITLES } from '../drift/model.js';
import { DRIFT_HTML_SCRIPT } from './drift-html-script.js';
import { DRIFT_HTML_STYLE } from './drift-html-style.js';
import { commitLabel, driftSummaryLine, type DriftRow, type DriftView } from './drift-view.js';

/**
 * The auditor's report: one self-contained HTML file (inline CSS and JS, no external
 * request of any kind, enforced by a Content-Security-Policy), readable without rollcall.
 * Summary figures, bar charts by school and by category (inline SVG drawn from the rows
 * shown), a filterable and sortable table, the policy commit and the time of the run.
 * Every value comes from the privacy-applied view and is HTML-escaped here.
 */

const PALETTE: Readonly<Record<string, string>> = {
  'privileged-member': '#b71c1c',
  'unexpected-enabled': '#e53935',
  'orphan-account': '#ef6c00',
  'username-out-of-policy': '#8e24aa',
  'missing-account': '#6d4c41',
  'unexpected-disabled': '#f9a825',
  'attribute-changed': '#1e88e5',
};

function esc(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** JSON inside a <script> element: `<` escaped so no value can close the element. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function options(values: readonly string[], label: (v: string) => string = (v) => v): string {
  return values.map((v) => `<option value="${esc(v)}">${esc(label(v))}</option>`).join('');
}

function attrsList(r: DriftRow): string {
  if (r.attrs.length === 0) return '';
  const li = r.attrs.map((a) => {
    if (a.hidden) return `<li><span class="mono">${esc(a.name)}</span>: values hidden</li>`;
    const parts = [`now ${a.observed}`, a.lastApplied !== undefined ? `last applied ${a.lastApplied}` : '', a.expected !== undefined ? `policy ${a.expected}` : ''].filter(Boolean);
    return `<li><span class="mono">${esc(a.name)}</span>: ${esc(parts.join(' · '))}</li>`;
  });
  return `<ul class="attrs">${li.join('')}</ul>`;
}

function rowHtml(r: DriftRow, order: number): string {
  const fix = r.status === 'allowed'
    ? `<span class="note">allow-listed: ${esc(r.allowReason)}<br><span class="mono">until ${esc(r.allowExpires)} · ${esc(r.allowSource)}</span></span>`
    : r.fix === 'apply'
      ? `<span class="fix-apply">next apply</span><br><span class="mono">${esc(r.fixActions.join(', '))}</span>`
      : '<span class="fix-manual">manual</span>';
  const modified = r.modifiedBy || r.modifiedAt ? `<div class="attrs">modified${r.modifiedBy ? ` by <span class="mono">${esc(r.modifiedBy)}</span>` : ''}${r.modifiedAt ? ` at ${esc(r.modifiedAt)}` : ''}</div>` : '';
  return `<tr class="${r.status}" data-order="${order}" data-category="${esc(r.category)}" data-target="${esc(r.target)}" data-school="${esc(r.school || '(none)')}" data-severity="${r.severity}" data-status="${r.status}">`
    + `<td data-col="severity"><span class="sev ${r.severity}">${r.severity}</span></td>`
    + `<td data-col="category" class="cat">${esc(r.category)}</td>`
    + `<td data-col="target">${esc(r.target)}</td>`
    + `<td data-col="school">${esc(r.school || '—')}</td>`
    + `<td data-col="subject" class="mono nowrap">${esc(r.subject)}</td>`
    + `<td data-col="where">${r.group ? `group <b>${esc(r.group)}</b><br>` : ''}<span class="mono">${esc(r.path)}</span></td>`
    + `<td data-col="detail">${esc(r.detail)}${attrsList(r)}${modified}</td>`
    + `<td data-col="origin">${r.origin === 'outside' ? 'outside rollcall' : 'pending plan'}</td>`
    + `<td data-col="fix">${fix}</td></tr>`;
}

function figure(n: number, label: string, cls = ''): string {
  return `<div class="figure ${cls}"><div class="n">${n}</div><div class="l">${esc(label)}</div></div>`;
}

export function renderDriftHtml(v: DriftView): string {
  const s = v.summary;
  const all = [...v.rows, ...v.allowed];
  const schools = [...new Set(all.map((r) => r.school || '(none)'))].sort();
  const targets = [...new Set([...v.targets.map((t) => t.name), ...all.map((r) => r.target)])].sort();
  const accounts = v.targets.reduce((n, t) => n + t.accounts, 0);
  const when = v.generatedAt;

  const head = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="rollcall drift">
<title>Drift report — ${esc(v.district)} — ${esc(when)}</title>
<style>${DRIFT_HTML_STYLE}</style>
</head>
<body>
<header>
<h1>Drift report</h1>
<div class="sub">${esc(v.district)} · ${esc(driftSummaryLine(v))}</div>
<dl>
<dt>Time of the run</dt><dd id="run-time">${esc(when)}</dd>
<dt>Policy commit</dt><dd id="policy-commit">${esc(commitLabel(v))}</dd>
<dt>Policy digest</dt><dd>${esc(v.policyDigest)}</dd>
<dt>State serial</dt><dd>${v.stateSerial}</dd>
<dt>Targets</dt><dd>${esc(v.targets.map((t) => `${t.name}: ${t.accounts} accounts, ${t.groups} groups (managed roots: ${t.managedRoots.join(', ') || 'none'})`).join(' · ') || 'none')}</dd>
<dt>People shown as</dt><dd>${v.showPii ? 'usernames (--show-pii: handle as confidential)' : 'pseudonymous ids (keyed hash of the SIS sourcedId)'}</dd>
</dl>
</header>
<main>`;

  const figures = `<section aria-label="Summary">
<div class="figures">
${figure(s.total, 'drift items', s.total === 0 ? 'none' : '')}
${figure(s.by_severity.high, 'high severity', 'high')}
${figure(s.by_severity.medium, 'medium severity', 'medium')}
${figure(s.by_severity.low, 'low severity', 'low')}
${figure(s.fixable, 'fixed by next apply')}
${figure(s.total - s.fixable, 'need a person')}
${figure(s.allowed, 'allow-listed')}
${figure(accounts, 'accounts scanned')}
</div>
</section>`;

  const countsTable = (title: string, entries: [string, number][]): string =>
    `<table><thead><tr><th>${esc(title)}</th><th>items</th></tr></thead><tbody>${entries.map(([k, n]) => `<tr><td>${esc(k)}</td><td>${n}</td></tr>`).join('')}</tbody></table>`;
  const charts = `<section aria-label="Charts" class="charts">
<div class="chart"><h2>Drift by school</h2><svg id="chart-school" role="img" aria-label="Drift items by school" xmlns="http://www.w3.org/2000/svg"></svg>
<noscript>${countsTable('school', Object.entries(s.by_school))}</noscript></div>
<div class="chart"><h2>Drift by category</h2><svg id="chart-category" role="img" aria-label="Drift items by category" xmlns="http://www.w3.org/2000/svg"></svg>
<noscript>${countsTable('category', v.categories.map((c) => [c.title, c.count]))}</noscript></div>
</section>`;

  const legend = v.categories.map((c) => `<a href="#items" data-filter-category="${esc(c.id)}">${esc(c.id)}</a> (${c.severity}): ${esc(c.title)} — ${c.count}${c.allowed ? ` + ${c.allowed} allow-listed` : ''}`).join('<br>');
  const filters = `<section aria-label="Items">
<h2>Items</h2>
<form class="filters" onsubmit="return false">
<label>Category<select id="f-category"><option value="">all</option>${v.categories.map((c) => `<option value="${esc(c.id)}">${esc(`${c.id} — ${c.title}`)}</option>`).join('')}</select></label>
<label>Target<select id="f-target"><option value="">all</option>${options(targets)}</select></label>
<label>School<select id="f-school"><option value="">all</option>${options(schools)}</select></label>
<label>Severity<select id="f-severity"><option value="">all</option>${options(['high', 'medium', 'low'])}</select></label>
<label>Status<select id="f-status"><option value="drift" selected>drift</option><option value="allowed">allow-listed</option><option value="">drift and allow-listed</option></select></label>
<label>Search<input id="f-q" type="search" placeholder="pseudonym, path, group, detail…" autocomplete="off"></label>
<span class="count" id="shown">${v.rows.length} item(s)</span>
</form>
<div class="tablewrap">
<table id="items">
<thead><tr><th data-sort="severity">Severity</th><th data-sort="category">Category</th><th data-sort="target">Target</th><th data-sort="school">School</th><th data-sort="subject">Subject</th><th data-sort="where">Where</th><th data-sort="detail">What</th><th data-sort="origin">Origin</th><th data-sort="fix">Fix</th></tr></thead>
<tbody>
${all.map((r, i) => rowHtml(r, i)).join('\n')}
</tbody>
</table>
${all.length === 0 ? '<div class="nodrift">No drift: every target holds what rollcall wrote and what policy wants.</div>' : '<div class="nodrift" id="no-match" hidden>No items match the filters.</div>'}
</div>
<p class="legend">${legend}</p>
</section>`;

  const warnings = v.warnings.length === 0 ? '' : `<section class="warnings" aria-label="Warnings"><h2>Warnings (${v.warnings.length})</h2><ul>${v.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul></section>`;
  const footer = `</main>
<footer>Generated by <span class="mono">rollcall drift</span> at ${esc(when)} for policy ${esc(commitLabel(v))}. ${v.showPii ? 'This report shows usernames and names: keep it private.' : 'People appear as pseudonymous ids; <span class="mono">x-</span> ids are accounts with no anchor, <span class="mono">a-</span> ids the directory admins who changed them. Names, usernames and emails are hidden; run <span class="mono">rollcall drift --show-pii</span> in a private context to see them.'} Origin “outside rollcall” means the target differs from what rollcall last wrote; “pending plan” means policy or the SIS moved on and the next plan carries it.</footer>
<script type="application/json" id="palette">${scriptJson(PALETTE)}</script>
<script type="application/json" id="titles">${scriptJson(Object.fromEntries(DRIFT_CATEGORIES.map((c) => [c, CATEGORY_TITLES[c]])))}</script>
<script>${DRIFT_HTML_SCRIPT}</script>
</body>
</html>
`;
  return [head, figures, charts, filters, warnings, footer].join('\n');
}
