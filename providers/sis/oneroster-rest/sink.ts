import type { SourceRange } from '../../../engine/model/diagnostics.js';
import { DiagnosticSink } from '../csv-util/diagnostic-sink.js';

/**
 * The CSV reader's diagnostic sink, for JSON records. A REST record has no line or column:
 * its `source.file` is the endpoint path with the record's 0-based index in the collection,
 * e.g. `/ims/oneroster/rostering/v1p2/users[17]`, and the shared field parsers' line/column
 * are dropped. Warnings are still capped per code and endpoint (not per record).
 */
export class RestDiagnosticSink extends DiagnosticSink {
  override error(code: string, summary: string, source?: SourceRange, detail?: string): void {
    super.error(code, summary, source ? { file: source.file } : undefined, detail);
  }

  override warn(code: string, summary: string, source?: SourceRange, detail?: string): void {
    const before = this.diagnostics.length;
    super.warn(code, summary, source ? { file: endpointOf(source.file) } : undefined, detail);
    const added = this.diagnostics[before];
    if (added && source) this.diagnostics[before] = { ...added, source: { file: source.file } };
  }
}

/** `/ims/.../users[17]` -> `/ims/.../users`. */
export function endpointOf(file: string): string {
  return file.replace(/\[\d+\]$/, '');
}

export function recordFile(path: string, index: number): string {
  return `${path}[${index}]`;
}
