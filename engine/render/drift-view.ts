import { formatDiagnostic, formatSource } from '../model/diagnostics.js';
import type { AttrValue } from '../model/plan.js';
import { CATEGORY_TITLES, DRIFT_CATEGORIES, SEVERITY_OF, type DriftCategory, type DriftItem, type DriftReport, type DriftSeverity } from '../drift/model.js';
import { PII_ATTRS, pseudonym, type PrivacyOptions } from './pseudonym.js';

/**
 * What every drift renderer shows, computed once with privacy applied: text, JSON, CSV,
 * Markdown and HTML read only these rows, so they agree and none can leak by accident.
 * Without --show-pii people are pseudonyms (keyed hash of the sourcedId), accounts without
 * an anchor are keyed hashes of their provider id, and names, usernames and emails read
 * "(sensitive)". Paths, group names and school codes are policy's own words and stay.
 */

export interface DriftAttrView {
  name: string;
  /** The values identify a person and are not shown (no --show-pii). */
  hidden: boolean;
  expected?: string;
  observed: string;
  lastApplied?: string;
}

export interface DriftRow {
  /** Stable and privacy-safe: `${target}:${category}:${subject}` (plus the group). */
  id: string;
  status: 'drift' | 'allowed';
  category: DriftCategory;
  title: string;
  severity: DriftSeverity;
  origin: 'outside' | 'pending';
  target: string;
  school: string;
  /** The person or account: a pseudonym, or with --show-pii the username. */
  subject: string;
  group: string;
  path: string;
  attrs: DriftAttrView[];
  modifiedBy: string;
  modifiedAt: string;
  detail: string;
  /** `apply` when the next plan corrects it (with the actions), else `manual`. */
  fix: 'apply' | 'manual';
  fixActions: string[];
  allowReason: string;
  allowExpires: string;
  allowSource: string;
}

export interface DriftView {
  district: string;
  generatedAt: string;
  /** The policy repo's commit; null outside git. */
  policyCommit: string | null;
  policyDigest: string;
  stateSerial: number;
  showPii: boolean;
  targets: DriftReport['targets'];
  summary: DriftReport['summary'];
  categories: { id: DriftCategory; title: string; severity: DriftSeverity; count: number; allowed: number }[];
  rows: DriftRow[];
  allowed: DriftRow[];
  warnings: string[];
}


function show(v: AttrValue | undefined): string {
  if (v === undefined) return '';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `[${v.map((x) => JSON.stringify(x)).join(', ')}]`;
  return JSON.stringify(v);
}

function tagged(prefix: string, key: string, value: string): string {
  return prefix + pseudonym(key, value).slice(2);
}

export function subjectOf(item: DriftItem, privacy: PrivacyOptions): string {
  if (privacy.showPii) return item.username || item.anchor || item.objectId || '?';
  if (item.anchor) return pseudonym(privacy.pseudonymKey, item.anchor);
  if (item.objectId) return tagged('x-', privacy.pseudonymKey, `object:${item.target}:${item.objectId}`);
  return 'unknown';
}

function row(item: DriftItem, privacy: PrivacyOptions): DriftRow {
  const hide = (name: string): boolean => !privacy.showPii && PII_ATTRS.has(name);
  const val = (name: string, v: AttrValue | undefined): string => (hide(name) ? '(sensitive)' : show(v));
  const subject = subjectOf(item, privacy);
  const fixActions = item.fixedBy.map((id) => id.slice(id.lastIndexOf(':') + 1));
  return {
    id: `${item.target}:${item.category}:${item.group ? `${item.group}|` : ''}${subject}`,
    status: item.allow ? 'allowed' : 'drift',
    category: item.category,
    title: CATEGORY_TITLES[item.category],
    severity: item.severity,
    origin: item.origin,
    target: item.target,
    school: item.school,
    subject,
    group: item.group ?? '',
    path: item.path ?? '',
    attrs: item.attrs.map((a) => ({
      name: a.name,
      hidden: hide(a.name),
      observed: val(a.name, a.observed),
      ...(a.expected !== undefined ? { expected: val(a.name, a.expected) } : {}),
      ...(a.lastApplied !== undefined ? { lastApplied: val(a.name, a.lastApplied) } : {}),
    })),
    // The directory's own admins, but often named in their DN: hashed like everyone else.
    modifiedBy: item.modifiedBy ? (privacy.showPii ? item.modifiedBy : tagged('a-', privacy.pseudonymKey, `actor:${item.modifiedBy}`)) : '',
    modifiedAt: item.modifiedAt ?? '',
    detail: item.detail,
    fix: fixActions.length > 0 ? 'apply' : 'manual',
    fixActions,
    allowReason: item.allow?.reason ?? '',
    allowExpires: item.allow?.expires ?? '',
    allowSource: item.allow?.source ? formatSource(item.allow.source) : '',
  };
}

export function driftView(report: DriftReport, privacy: PrivacyOptions): DriftView {
  const allowedCount = new Map<DriftCategory, number>();
  for (const a of report.allowed) allowedCount.set(a.category, (allowedCount.get(a.category) ?? 0) + 1);
  return {
    district: report.district,
    generatedAt: report.generated_at,
    policyCommit: report.policy_commit,
    policyDigest: report.policy_digest,
    stateSerial: report.state_serial,
    showPii: privacy.showPii,
    targets: report.targets,
    summary: report.summary,
    categories: DRIFT_CATEGORIES.map((c) => ({ id: c, title: CATEGORY_TITLES[c], severity: SEVERITY_OF[c], count: report.summary.by_category[c], allowed: allowedCount.get(c) ?? 0 })),
    rows: report.items.map((i) => row(i, privacy)),
    allowed: report.allowed.map((i) => row(i, privacy)),
    warnings: report.warnings.map(formatDiagnostic),
  };
}

/** One line of attribute differences, e.g. `displayName: "A" (last applied "B", policy "B")`. */
export function attrsLine(r: DriftRow): string {
  return r.attrs
    .map((a) => {
      if (a.hidden) return `${a.name} (values hidden)`;
      const extra = [a.lastApplied !== undefined ? `last applied ${a.lastApplied}` : '', a.expected !== undefined ? `policy ${a.expected}` : ''].filter(Boolean).join(', ');
      return `${a.name}: ${a.observed}${extra ? ` (${extra})` : ''}`;
    })
    .join('; ');
}

/** `Drift: 3 item(s) — 1 high, 2 medium, 0 low; 2 corrected by the next apply; 1 allow-listed.` */
export function driftSummaryLine(v: DriftView): string {
  const s = v.summary;
  if (s.total === 0) return `No drift${s.allowed ? ` (${s.allowed} allow-listed item(s))` : ''}.`;
  return `Drift: ${s.total} item(s) — ${s.by_severity.high} high, ${s.by_severity.medium} medium, ${s.by_severity.low} low; ${s.fixable} corrected by the next apply, ${s.total - s.fixable} need a person; ${s.allowed} allow-listed.`;
}

/** The commit as people read it. */
export function commitLabel(v: DriftView): string {
  return v.policyCommit ?? '(not a git repository)';
}
