import type { DiagnosticSink } from '../csv-util/diagnostic-sink.js';
import type { ExportFile, FileSet } from '../csv-util/file-set.js';
import { readCsv } from '../csv-util/csv-stream.js';
import { bindHeader } from '../csv-util/header.js';
import { READ_ORDER, type TableName } from './columns.js';

/**
 * manifest.csv drives processing: `oneroster.version` and, per file, `bulk`, `delta` or
 * `absent`. Without a manifest (the 1.0 convention, or a hand-made folder) we infer the set
 * from the files present and say so.
 */

export type FileMode = 'bulk' | 'delta' | 'absent';

export interface Manifest {
  version: '1.1' | '1.2';
  modes: Record<TableName, FileMode>;
  /** The manifest line of each file entry, for "listed but missing" errors. */
  lines: Partial<Record<TableName, number>>;
  present: boolean;
  sha256?: string;
}

export async function readManifest(set: FileSet, sink: DiagnosticSink): Promise<Manifest> {
  const modes = Object.fromEntries(READ_ORDER.map((t) => [t, 'absent'])) as Record<TableName, FileMode>;
  const lines: Partial<Record<TableName, number>> = {};
  const file = set.files.get('manifest.csv');
  if (!file) {
    for (const t of READ_ORDER) if (set.files.has(`${t.toLowerCase()}.csv`)) modes[t] = 'bulk';
    const version = set.files.has('roles.csv') ? '1.2' : '1.1';
    sink.warn('oneroster.no-manifest', `manifest.csv is missing; treating the files present as a OneRoster ${version} bulk set`, { file: 'manifest.csv' });
    return { version, modes, lines, present: false };
  }
  let version: string | undefined;
  let versionLine = 1;
  let ix: Record<string, number> = {};
  const res = await readCsv(file, {
    onHeader: (fields, line) => {
      const b = bindHeader(file.name, fields, line, { columns: [{ name: 'propertyName', required: true }, { name: 'value', required: true }] }, 'bulk');
      sink.add(b.diagnostics);
      ix = b.index;
      return b.ok;
    },
    onRow: (row, line) => {
      const prop = (row[ix.propertyName!] ?? '').trim();
      const value = (row[ix.value!] ?? '').trim();
      if (prop === 'oneroster.version') {
        version = value;
        versionLine = line;
        return;
      }
      if (!prop.startsWith('file.')) return;
      const name = prop.slice(5);
      const table = READ_ORDER.find((t) => t.toLowerCase() === name.toLowerCase());
      if (value === '') {
        sink.warn('oneroster.manifest-blank', `${prop} has no value; treated as absent`, { file: file.name, line, column: 2 });
        return;
      }
      const mode = value.toLowerCase();
      if (mode !== 'bulk' && mode !== 'delta' && mode !== 'absent') {
        sink.error('oneroster.invalid-enum', `manifest ${prop}: invalid value "${value}"; permitted: absent, bulk, delta`, { file: file.name, line, column: 2 });
        return;
      }
      if (table) {
        modes[table] = mode;
        lines[table] = line;
      }
    },
  });
  sink.add(res.diagnostics);
  let v: '1.1' | '1.2';
  if (version === '1.1' || version === '1.2') v = version;
  else {
    v = set.files.has('roles.csv') ? '1.2' : '1.1';
    sink.warn('oneroster.version', `oneroster.version is ${version === undefined ? 'missing' : `"${version}"`}; read as ${v} (roles.csv ${v === '1.2' ? 'present' : 'absent'})`, { file: file.name, line: versionLine });
  }
  for (const t of READ_ORDER) {
    const present = findFile(set, t);
    if (modes[t] !== 'absent' && !present) {
      if (t === 'demographics') modes[t] = 'absent';
      else {
        const line = lines[t];
        sink.error('oneroster.missing-file', `manifest lists ${t}.csv as ${modes[t]} but the file is not in the set`, { file: file.name, ...(line ? { line } : {}) });
        modes[t] = 'absent';
      }
    } else if (modes[t] === 'absent' && present && t !== 'demographics') {
      sink.warn('oneroster.unlisted-file', `${present.name} is present but the manifest says absent; ignored`, { file: file.name, ...(lines[t] ? { line: lines[t] } : {}) });
    }
  }
  return { version: v, modes, lines, present: true, sha256: res.sha256 };
}

/** A table's file, matched case-insensitively; a case difference is the caller's to warn about. */
export function findFile(set: FileSet, table: TableName): ExportFile | undefined {
  return set.files.get(`${table.toLowerCase()}.csv`);
}
