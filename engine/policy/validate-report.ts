import { formatDiagnostic, sortDiagnostics, type Diagnostic } from '../model/diagnostics.js';

/**
 * `rollcall validate` output, as pure functions of the diagnostics. Text for people (one
 * `file:line:col: error: ...` line each, as compilers print, so editors and CI annotate them),
 * JSON for machines with a fixed shape: every key present, null when unknown.
 */

export interface ValidateJsonEntry {
  severity: Diagnostic['severity'];
  code: string;
  file: string | null;
  line: number | null;
  column: number | null;
  path: string | null;
  message: string;
}

export function validateJsonEntries(diags: readonly Diagnostic[]): ValidateJsonEntry[] {
  return sortDiagnostics(diags).map((d) => ({
    severity: d.severity,
    code: d.code,
    file: d.source?.file ?? null,
    line: d.source?.line ?? null,
    column: d.source?.column ?? null,
    path: d.path ?? null,
    message: d.detail ? `${d.summary}\n${d.detail}` : d.summary,
  }));
}

export function formatValidateJson(diags: readonly Diagnostic[]): string {
  return `${JSON.stringify(validateJsonEntries(diags), null, 2)}\n`;
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function formatValidateText(diags: readonly Diagnostic[]): string {
  const sorted = sortDiagnostics(diags);
  const errors = sorted.filter((d) => d.severity === 'error').length;
  const warnings = sorted.length - errors;
  const lines = sorted.map(formatDiagnostic);
  if (errors === 0) lines.push(warnings === 0 ? 'Policy is valid.' : `Policy is valid (${count(warnings, 'warning')}).`);
  else lines.push(`Policy is invalid: ${count(errors, 'error')}${warnings ? `, ${count(warnings, 'warning')}` : ''}.`);
  return `${lines.join('\n')}\n`;
}
