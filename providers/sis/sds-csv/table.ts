import type { SourceRange } from '../../../engine/model/diagnostics.js';
import { readCsv } from '../csv-util/csv-stream.js';
import type { DiagnosticSink } from '../csv-util/diagnostic-sink.js';
import type { ExportFile } from '../csv-util/file-set.js';
import { bindHeader } from '../csv-util/header.js';
import { type Column, headerSpec, type Variant, variantOf } from './columns.js';

/**
 * One data row bound by column key. Values are trimmed; an absent column reads as ''.
 * Only valid during the callback (the field array is reused by nobody, but keep it short-lived).
 */
export interface Row {
  file: string;
  line: number;
  get(key: string): string;
  /** Whether the file has this column at all (optional columns may be absent). */
  has(key: string): boolean;
  /** file:line:column of a key, for diagnostics. */
  at(key?: string): SourceRange;
}

export interface TableRead {
  /** False when the header was unusable (missing required column, encoding...); rows were not read. */
  ok: boolean;
  rows: number;
  variant: Variant;
}

export interface TableContext {
  sink: DiagnosticSink;
  /** file name -> sha256 of its bytes, for the export digest. */
  digests: Map<string, string>;
  progress?: (message: string) => void;
}

/** Stream one SDS file, binding its header by name (with the UK variant's names where used). */
export async function readTable(ctx: TableContext, file: ExportFile, columns: readonly Column[], onRow: (row: Row) => void): Promise<TableRead> {
  let index: Record<string, number> = {};
  let ok = true;
  let variant: Variant = 'us';
  const byKey: Record<string, number> = {};
  let fields: string[] = [];
  let line = 0;
  const row: Row = {
    file: file.name,
    get line() {
      return line;
    },
    get: (key) => {
      const i = byKey[key] ?? -1;
      return i >= 0 ? (fields[i] ?? '').trim() : '';
    },
    has: (key) => (byKey[key] ?? -1) >= 0,
    at: (key) => {
      const i = key === undefined ? -1 : (byKey[key] ?? -1);
      return { file: file.name, line, ...(i >= 0 ? { column: i + 1 } : {}) };
    },
  };
  let lastProgress = 0;
  const result = await readCsv(
    file,
    {
      onHeader(header, headerLine) {
        variant = variantOf(columns, header);
        const spec = headerSpec(columns, variant);
        const binding = bindHeader(file.name, header, headerLine, spec, 'bulk');
        ctx.sink.add(binding.diagnostics);
        index = binding.index;
        columns.forEach((col, k) => {
          byKey[col.key] = index[spec.columns[k]!.name] ?? -1;
        });
        ok = binding.ok;
        return ok;
      },
      onRow(f, l) {
        fields = f;
        line = l;
        onRow(row);
      },
    },
    {
      onProgress: (n) => {
        if (ctx.progress && n - lastProgress >= 100_000) {
          lastProgress = n;
          ctx.progress(`${file.name}: ${n} rows`);
        }
      },
    },
  );
  ctx.sink.add(result.diagnostics);
  ctx.digests.set(file.name, result.sha256);
  const readable = ok && !result.diagnostics.some((d) => d.severity === 'error');
  return { ok: readable, rows: result.rows, variant };
}
