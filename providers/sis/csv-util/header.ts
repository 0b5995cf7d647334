import { type Diagnostic, errorDiag, warningDiag } from '../../../engine/model/diagnostics.js';

/**
 * Bind CSV columns by header NAME, never by position: real exports reorder columns, add
 * vendor `ext_*` columns, change case and misspell names. Every such quirk is reported as a
 * warning with file:line:column; only a missing required column or an ambiguous header is an
 * error.
 */

export interface ColumnSpec {
  name: string;
  /** `true`: always required; `'delta'`: required when the file is a delta file. */
  required?: boolean | 'delta';
}

export interface HeaderSpec {
  /** Columns in the order the spec lists them. */
  columns: readonly ColumnSpec[];
  /** Known misspellings and legacy names, lower-cased -> canonical name. */
  aliases?: Readonly<Record<string, string>>;
  /** Lower-cased prefixes of extension columns, ignored with one warning per file. Default `ext_`. */
  extensionPrefixes?: readonly string[];
}

export interface HeaderBinding {
  /** Canonical column name -> index in each row, or -1 when the column is absent. */
  index: Record<string, number>;
  diagnostics: Diagnostic[];
  /** False when an error makes the file unreadable (missing required column, ambiguous header). */
  ok: boolean;
}

export function bindHeader(file: string, fields: readonly string[], line: number, spec: HeaderSpec, mode: 'bulk' | 'delta'): HeaderBinding {
  const diagnostics: Diagnostic[] = [];
  const index: Record<string, number> = {};
  for (const c of spec.columns) index[c.name] = -1;
  const byLower = new Map(spec.columns.map((c) => [c.name.toLowerCase(), c.name]));
  const aliases = spec.aliases ?? {};
  const extPrefixes = spec.extensionPrefixes ?? ['ext_'];
  const ext: string[] = [];
  let ok = true;
  const at = (i: number) => ({ source: { file, line, column: i + 1 } });

  fields.forEach((rawName, i) => {
    const name = rawName.trim();
    if (name === '') {
      diagnostics.push(warningDiag('csv.header-empty', `${file}: column ${i + 1} has an empty header; ignored`, at(i)));
      return;
    }
    if (name !== rawName) diagnostics.push(warningDiag('csv.header-whitespace', `${file}: header "${rawName}" has surrounding spaces`, at(i)));
    const lower = name.toLowerCase();
    let canonical: string | undefined;
    if (index[name] !== undefined) canonical = name;
    else if (byLower.has(lower)) {
      canonical = byLower.get(lower)!;
      diagnostics.push(warningDiag('csv.header-case', `${file}: header "${name}" should be "${canonical}" (headers are case-sensitive)`, at(i)));
    } else if (aliases[lower] !== undefined) {
      canonical = aliases[lower];
      diagnostics.push(warningDiag('csv.header-misspelt', `${file}: header "${name}" read as "${canonical}"`, at(i)));
    } else if (extPrefixes.some((p) => lower.startsWith(p))) {
      ext.push(name);
      return;
    } else {
      diagnostics.push(warningDiag('csv.header-unknown', `${file}: unknown column "${name}"; ignored`, at(i)));
      return;
    }
    if (canonical === undefined) return;
    if (index[canonical] !== -1) {
      ok = false;
      diagnostics.push(errorDiag('csv.header-duplicate', `${file}: column "${canonical}" appears twice (columns ${index[canonical]! + 1} and ${i + 1})`, at(i)));
      return;
    }
    index[canonical] = i;
  });

  if (ext.length) {
    diagnostics.push(
      warningDiag('csv.header-extension', `${file}: ${ext.length} extension column(s) ignored: ${ext.join(', ')}`, { source: { file, line } }),
    );
  }
  for (const c of spec.columns) {
    const needed = c.required === true || (c.required === 'delta' && mode === 'delta');
    if (index[c.name] === -1 && needed) {
      ok = false;
      diagnostics.push(errorDiag('csv.missing-column', `${file}: required column "${c.name}" is missing`, { source: { file, line } }));
    } else if (index[c.name] === -1 && c.required === 'delta') {
      diagnostics.push(warningDiag('csv.missing-column', `${file}: column "${c.name}" is missing (the spec requires the header even in bulk files)`, { source: { file, line } }));
    }
  }
  const order = spec.columns.map((c) => index[c.name]!).filter((i) => i >= 0);
  if (order.some((v, k) => k > 0 && v < order[k - 1]!)) {
    diagnostics.push(warningDiag('csv.header-order', `${file}: columns are not in the order the spec defines; bound by name`, { source: { file, line } }));
  }
  return { index, diagnostics, ok };
}
