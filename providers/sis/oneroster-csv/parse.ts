import { type CsvHandlers, type CsvReadResult, readCsv } from '../csv-util/csv-stream.js';
import type { DiagnosticSink } from '../csv-util/diagnostic-sink.js';
import type { ExportFile } from '../csv-util/file-set.js';
import { bindHeader } from '../csv-util/header.js';
import { type Interner, ownString } from '../csv-util/intern.js';
import type { RecordMaker } from './record-maker.js';
import { SeenIds } from '../csv-util/seen-ids.js';
import { tableSpec, type TableName } from './columns.js';
import type { PlainRow } from './row-spans.js';
import type { Rec } from './records.js';
import { at, type DateReader, statusValue, type Where } from './values.js';

/**
 * Row -> record for each OneRoster file. Columns are bound by name once per file; each row is
 * checked field by field, and every problem goes to the sink with file:line:column and the id.
 * Cross-file references are checked later (refs.ts), once the referenced files are known.
 */

export interface ParseCtx {
  sink: DiagnosticSink;
  intern: Interner;
  dates: DateReader;
  version: '1.1' | '1.2';
  /** 1.1 sets (and 1.2 sets without roles.csv): roles come from users.csv role + orgSourcedIds. */
  rolesFromUsers: boolean;
  /** file name -> sha256 of its bytes, for the digest. */
  digests: Map<string, string>;
  /**
   * file name -> what the parse cache keys of the files read after it take for it instead of
   * its digest: what those files can see of it (table-cache.ts). Set for courses, classes,
   * users and roles of a bulk set read with a cache.
   */
  keyDigests?: Map<string, string>;
  /** file name -> column name -> row index (-1 absent), for diagnostics that name a column. */
  columns: Map<string, Record<string, number>>;
  /** Every Enrollment and PersonRole of the read is made here (shared when the read keeps no record ids). */
  records: RecordMaker;
  onProgress(file: string, rows: number): void;
}

export type Ix = Record<string, number>;

export async function parseTable<T>(
  ctx: ParseCtx,
  file: ExportFile,
  table: TableName,
  mode: 'bulk' | 'delta',
  toValue: (row: string[], w: Where, ix: Ix) => T | undefined,
  emit: (rec: Rec<T>) => void,
  quiet = false,
  onInvalid?: (sourcedId: string) => void,
  lane?: (ix: Ix, headerLength: number, seen: SeenIds) => PlainRow | undefined,
): Promise<{ headerOk: boolean; columns: Ix }> {
  const t = tableRows(ctx, file.name, table, mode, toValue, emit, quiet, onInvalid, lane);
  const res = await readCsv(file, t.handlers, { onProgress: (rows) => ctx.onProgress(file.name, rows) });
  return t.done(res);
}

/** What a table read does with each row (parseTable), for a caller that gets the rows by other means (enrollment-worker-client.ts). */
export interface TableRows {
  handlers: CsvHandlers;
  /** The ids seen so far, with their first line. */
  seen: SeenIds;
  /** Once every row is through: the file's digest and its CSV diagnostics, then the closing checks. */
  done(res: Pick<CsvReadResult, 'sha256' | 'diagnostics'>): { headerOk: boolean; columns: Ix };
}

export function tableRows<T>(
  ctx: ParseCtx,
  name: string,
  table: TableName,
  mode: 'bulk' | 'delta',
  toValue: (row: string[], w: Where, ix: Ix) => T | undefined,
  emit: (rec: Rec<T>) => void,
  quiet = false,
  /** A row whose sourcedId was read but whose fields had errors (already reported). */
  onInvalid?: (sourcedId: string) => void,
  /** A fast lane for plain rows of a bulk file (see enrollment-lane.ts), made once the header is bound. */
  lane?: (ix: Ix, headerLength: number, seen: SeenIds) => PlainRow | undefined,
): TableRows {
  const { sink } = ctx;
  let ix: Ix = {};
  let headerOk = false;
  const seen = new SeenIds();
  const seenDlm = new Map<string, string>();
  let statusUsed = 0;
  let deleted = 0;
  const w: Where = {
    file: name,
    line: 0,
    sourcedId: '',
    get id() {
      return `${table} ${this.sourcedId || '(no sourcedId)'}`;
    },
    col: (c) => (ix[c] !== undefined && ix[c]! >= 0 ? ix[c]! + 1 : undefined),
  };
  // The three columns every row reads, resolved once at the header (not a name lookup per row).
  let iId = -1;
  let iStatus = -1;
  let iDlm = -1;
  const field = (row: string[], i: number): string => (i >= 0 ? (row[i] ?? '') : '');
  const handlers: CsvHandlers = {
    onHeader(fields, line) {
      const b = bindHeader(name, fields, line, tableSpec(table, ctx.version), mode);
      if (!quiet) sink.add(b.diagnostics);
      ix = b.index;
      iId = ix.sourcedId ?? -1;
      iStatus = ix.status ?? -1;
      iDlm = ix.dateLastModified ?? -1;
      ctx.columns.set(name, ix);
      headerOk = b.ok;
      const fast = b.ok && mode === 'bulk' ? lane?.(ix, fields.length, seen) : undefined;
      if (fast) handlers.onPlainRow = fast;
      return b.ok;
    },
    onRow(row, line) {
      w.line = line;
      const id = ownString(field(row, iId).trim());
      w.sourcedId = id;
      if (id === '') {
        sink.error('oneroster.missing-value', `${name}: row has no sourcedId`, at(w, 'sourcedId'));
        return;
      }
      const rawStatus = field(row, iStatus);
      const status = statusValue(sink, w, rawStatus.trim());
      if (status === undefined) {
        onInvalid?.(id);
        return;
      }
      const rawDlm = field(row, iDlm);
      let dlm: string | undefined;
      if (mode === 'delta') {
        if (status === '') {
          sink.error('oneroster.missing-value', `${w.id}: status is required in a delta file`, at(w, 'status'));
          return;
        }
        const d = ctx.dates.dateTime(w, 'dateLastModified', rawDlm.trim());
        if (d === null) return;
        if (d === undefined) {
          sink.error('oneroster.missing-value', `${w.id}: dateLastModified is required in a delta file`, at(w, 'dateLastModified'));
          return;
        }
        dlm = d;
      } else if (rawStatus !== '' || rawDlm !== '') statusUsed++;
      const first = seen.get(id);
      if (first !== undefined) {
        // A delta file may carry a record's history; the latest dateLastModified wins (delta.ts).
        if (mode === 'bulk' || seenDlm.get(id) === dlm) {
          sink.error('oneroster.duplicate-sourcedid', `${name}: duplicate sourcedId "${id}" (first at line ${first})`, at(w, 'sourcedId'));
          return;
        }
      } else seen.set(id, line);
      if (mode === 'delta' && dlm) seenDlm.set(id, dlm);
      const source = { file: name, line };
      if (status === 'tobedeleted') {
        // Bulk: excluded from the roster, but emitted so references to it are recognised.
        deleted++;
        emit({ sourcedId: id, status, ...(dlm ? { dateLastModified: dlm } : {}), source });
        return;
      }
      const value = toValue(row, w, ix);
      if (value === undefined) {
        onInvalid?.(id);
        return;
      }
      const rec: Rec<T> = { sourcedId: id, status: 'active', source, value };
      if (dlm) rec.dateLastModified = dlm;
      emit(rec);
    },
  };
  return {
    handlers,
    seen,
    done(res) {
      ctx.digests.set(name, res.sha256);
      if (!quiet) sink.add(res.diagnostics);
      else for (const d of res.diagnostics) if (d.code === 'csv.encoding' || d.code === 'csv.quoting') sink.add([d]);
      if (mode === 'bulk' && statusUsed > 0 && !quiet) {
        sink.warn(
          'oneroster.bulk-status',
          `${name}: ${statusUsed} row(s) fill status/dateLastModified, which must be blank in bulk files${deleted ? `; ${deleted} tobedeleted row(s) excluded` : ''}`,
          { file: name },
        );
      }
      return { headerOk, columns: ix };
    },
  };
}

