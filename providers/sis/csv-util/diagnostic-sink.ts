import { type Diagnostic, errorDiag, type SourceRange, warningDiag } from '../../../engine/model/diagnostics.js';

/**
 * Collects diagnostics for one read. Errors are all kept (the user must see every one);
 * warnings are capped per code and file, with one closing warning counting the rest, so a
 * million-row export with one systematic quirk does not produce a million lines.
 */
export class DiagnosticSink {
  readonly diagnostics: Diagnostic[] = [];
  private readonly counts = new Map<string, number>();
  /** Every error and warning reported, listed or only counted. */
  reported = 0;
  constructor(private readonly warningCap = 20) {}

  error(code: string, summary: string, source?: SourceRange, detail?: string): void {
    this.reported++;
    this.diagnostics.push(errorDiag(code, summary, { ...(source ? { source } : {}), ...(detail ? { detail } : {}) }));
  }

  warn(code: string, summary: string, source?: SourceRange, detail?: string): void {
    this.reported++;
    const key = `${code}\0${source?.file ?? ''}`;
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    if (n <= this.warningCap) this.diagnostics.push(warningDiag(code, summary, { ...(source ? { source } : {}), ...(detail ? { detail } : {}) }));
  }

  add(diags: readonly Diagnostic[]): void {
    for (const d of diags) {
      if (d.severity === 'error') {
        this.reported++;
        this.diagnostics.push(d);
      }
      else this.warn(d.code, d.summary, d.source, d.detail);
    }
  }

  get hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }

  /** Warnings, plus one per capped code saying how many more were not listed. */
  warnings(): Diagnostic[] {
    const out = this.diagnostics.filter((d) => d.severity === 'warning');
    for (const [key, n] of this.counts) {
      if (n <= this.warningCap) continue;
      const [code, file] = key.split('\0') as [string, string];
      out.push(warningDiag(code, `${n - this.warningCap} more "${code}" warning(s) not listed`, file ? { source: { file } } : {}));
    }
    return out;
  }
}
