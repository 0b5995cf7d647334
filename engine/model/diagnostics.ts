/**
 * User-facing problems are collected, never thrown one at a time, so one run reports every
 * mistake in a policy or an export (after Terraform's tfdiags). Each carries where it came
 * from so the CLI can print `file:line:col` and CI can annotate the diff line.
 */
export type Severity = 'error' | 'warning';

/** A position in a user's file. Lines and columns are 1-based, as editors show them. */
export interface SourceRange {
  file: string;
  line?: number;
  column?: number;
}

export interface Diagnostic {
  severity: Severity;
  /** Stable machine code, e.g. `csv.duplicate-sourcedid`, `policy.schema`. */
  code: string;
  /** One line a person can act on. Never contains a secret. */
  summary: string;
  detail?: string;
  source?: SourceRange;
  /** JSON-pointer-like path inside a policy document, e.g. `/naming/usernames/0/templates/1`. */
  path?: string;
}

export function errorDiag(code: string, summary: string, extra: Omit<Diagnostic, 'severity' | 'code' | 'summary'> = {}): Diagnostic {
  return { severity: 'error', code, summary, ...extra };
}

export function warningDiag(code: string, summary: string, extra: Omit<Diagnostic, 'severity' | 'code' | 'summary'> = {}): Diagnostic {
  return { severity: 'warning', code, summary, ...extra };
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error');
}

/** `file:line:col` as compilers print it; omits what is unknown. */
export function formatSource(src: SourceRange | undefined): string {
  if (!src) return '';
  let s = src.file;
  if (src.line !== undefined) s += `:${src.line}`;
  if (src.line !== undefined && src.column !== undefined) s += `:${src.column}`;
  return s;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = formatSource(d.source);
  const head = `${where ? where + ': ' : ''}${d.severity}: ${d.summary}${d.path ? ` (at ${d.path})` : ''} [${d.code}]`;
  return d.detail ? `${head}\n  ${d.detail.split('\n').join('\n  ')}` : head;
}

/** Sort for stable output: by file, line, column, then code. */
export function sortDiagnostics(diags: readonly Diagnostic[]): Diagnostic[] {
  return [...diags].sort((a, b) => {
    const fa = a.source?.file ?? '';
    const fb = b.source?.file ?? '';
    if (fa !== fb) return fa < fb ? -1 : 1;
    const la = a.source?.line ?? 0;
    const lb = b.source?.line ?? 0;
    if (la !== lb) return la - lb;
    const ca = a.source?.column ?? 0;
    const cb = b.source?.column ?? 0;
    if (ca !== cb) return ca - cb;
    return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
  });
}
