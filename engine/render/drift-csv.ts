import { attrsLine, type DriftRow, type DriftView } from './drift-view.js';

/**
 * One row per drift item (reported and allow-listed), for spreadsheets. RFC 4180 quoting;
 * a cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a leading
 * apostrophe, because auditors open these files in Excel.
 */

const COLUMNS = ['status', 'severity', 'category', 'target', 'school', 'subject', 'group', 'path', 'attributes', 'origin', 'fix', 'fix_actions', 'modified_by', 'modified_at', 'detail', 'allow_reason', 'allow_expires', 'allow_source'] as const;

function cells(r: DriftRow): string[] {
  return [r.status, r.severity, r.category, r.target, r.school, r.subject, r.group, r.path, attrsLine(r), r.origin, r.fix, r.fixActions.join(' '), r.modifiedBy, r.modifiedAt, r.detail, r.allowReason, r.allowExpires, r.allowSource];
}

function cell(s: string): string {
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function renderDriftCsv(v: DriftView): string {
  const lines = [COLUMNS.join(',')];
  for (const r of [...v.rows, ...v.allowed]) lines.push(cells(r).map(cell).join(','));
  return lines.join('\r\n') + '\r\n';
}
