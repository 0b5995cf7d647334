import { errorDiag } from '../../../engine/model/diagnostics.js';
import { InputError } from '../../../engine/model/errors.js';
import type { SisReadResult } from '../../../engine/model/provider.js';
import { DiagnosticSink } from '../csv-util/diagnostic-sink.js';
import { combineDigests } from '../csv-util/digest.js';
import { type FileSet, openFileSet } from '../csv-util/file-set.js';
import { Interner } from '../csv-util/intern.js';
import { RosterBuilder } from './builder.js';
import { detectVersion } from './detect.js';
import type { TableContext } from './table.js';
import { readV1 } from './v1.js';
import { readV2 } from './v2.js';

export interface ReadSdsOptions {
  /** Progress with row counts only (never names). */
  progress?: (message: string) => void;
  /** Warnings listed per code and file before they are only counted. Default 20. */
  warningCap?: number;
}

/**
 * Read a Microsoft School Data Sync CSV export (v1 classic, v1 UK, v2 or v2.1; a folder or a
 * .zip) into the normalized Roster. Throws InputError with every error found; otherwise
 * returns the roster, warnings, and a digest of the bytes read.
 */
export async function readSdsCsv(location: string, opts: ReadSdsOptions = {}): Promise<SisReadResult> {
  let set: FileSet;
  try {
    set = await openFileSet(location);
  } catch (e) {
    throw new InputError([errorDiag('sis.location', `cannot read SDS export at ${location}: ${(e as Error).message}`, { source: { file: location } })]);
  }
  try {
    return await readSet(set, opts);
  } finally {
    await set.close();
  }
}

async function readSet(set: FileSet, opts: ReadSdsOptions): Promise<SisReadResult> {
  const sink = new DiagnosticSink(opts.warningCap ?? 20);
  const detection = detectVersion(set);
  sink.add(detection.diagnostics);
  const version = detection.version;
  if (!version || sink.hasErrors) throw new InputError([...sink.diagnostics.filter((d) => d.severity === 'error'), ...sink.warnings()]);
  const ctx: TableContext = { sink, digests: new Map(), ...(opts.progress ? { progress: opts.progress } : {}) };
  const builder = new RosterBuilder(sink, new Interner());
  if (version === 'v1') await readV1(set, ctx, builder);
  else await readV2(set, ctx, builder, version);
  const roster = builder.finish(version === 'v1' ? 'sds-v1-csv' : 'sds-v2.1-csv');
  if (sink.hasErrors) throw new InputError([...sink.diagnostics.filter((d) => d.severity === 'error'), ...sink.warnings()]);
  return { roster, warnings: sink.warnings(), digest: combineDigests(ctx.digests) };
}
