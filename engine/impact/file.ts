import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { errorDiag } from '../model/diagnostics.js';
import { InputError } from '../model/errors.js';
import type { ImpactDocument } from './types.js';

/** Impact documents on disk: written atomically, read with a clear error for the wrong file. */

export function writeImpactFile(path: string, doc: ImpactDocument): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(doc, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
}

export function readImpactFile(path: string): ImpactDocument {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError([errorDiag('impact.read', `cannot read impact file: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { source: { file: path } })]);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InputError([errorDiag('impact.parse', `not JSON: ${(e as Error).message}`, { source: { file: path } })]);
  }
  const d = doc as Partial<ImpactDocument> | null;
  if (!d || d.kind !== 'rollcall-impact' || d.format_version !== 1 || !Array.isArray(d.entries)) {
    throw new InputError([errorDiag('impact.parse', 'not a rollcall impact document (make one with `rollcall plan --base REF --out-impact FILE`)', { source: { file: path } })]);
  }
  return doc as ImpactDocument;
}
