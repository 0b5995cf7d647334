import { diffLines } from 'diff';
import { formatDiagnostic, formatSource } from '../model/diagnostics.js';
import type { SuiteResult } from './suite.js';

/**
 * Renderers for a test run. Text: one line per case, and for each failing expectation its
 * file:line:col and a line diff (`-` expected, `+` actual). JSON: the same data for CI.
 */

export function diffText(expected: string, actual: string): string {
  const lines: string[] = [];
  for (const part of diffLines(`${expected}\n`, `${actual}\n`)) {
    const mark = part.added ? '+' : part.removed ? '-' : ' ';
    for (const line of part.value.replace(/\n$/, '').split('\n')) lines.push(`${mark} ${line}`);
  }
  return lines.join('\n');
}

export function renderSuiteText(r: SuiteResult): string {
  const out: string[] = [];
  for (const d of r.diagnostics) out.push(formatDiagnostic(d));
  for (const c of r.cases) {
    out.push(`${c.ok ? 'ok  ' : 'FAIL'} ${formatSource(c.source)} ${c.name}`);
    for (const d of c.diagnostics) out.push(`     ${formatDiagnostic(d)}`);
    for (const f of c.failures) {
      out.push(`     ${formatSource(f.source)}: ${f.anchor} ${f.field}: expected (-) vs actual (+)`);
      out.push(diffText(f.expected, f.actual).split('\n').map((l) => `       ${l}`).join('\n'));
    }
  }
  if (r.cases.length === 0 && r.diagnostics.length === 0) out.push(`no tests found (put them in tests/*.yaml)`);
  const bad = r.diagnostics.length ? `, ${r.diagnostics.length} file error(s)` : '';
  out.push('', `${r.passed} passed, ${r.failed} failed${bad} (${r.files.length} file(s))`);
  return out.join('\n') + '\n';
}

export function renderSuiteJson(r: SuiteResult): string {
  return JSON.stringify({
    ok: r.failed === 0 && r.diagnostics.length === 0 && r.cases.length > 0,
    passed: r.passed,
    failed: r.failed,
    files: r.files,
    diagnostics: r.diagnostics,
    cases: r.cases,
  }, null, 2) + '\n';
}
