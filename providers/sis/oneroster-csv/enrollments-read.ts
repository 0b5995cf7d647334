import type { ExportFile } from '../csv-util/file-set.js';
import type { SeenIds } from '../csv-util/seen-ids.js';
import { BulkBuilder } from './bulk-builder.js';
import { loadEnrollmentCache, saveEnrollmentCache } from './enrollment-cache.js';
import { enrollmentLane } from './enrollment-lane.js';
import type { EnrollmentWorker } from './enrollment-worker-client.js';
import { type Ix, type ParseCtx, parseTable, tableRows } from './parse.js';
import type { RecordSink } from './record-sink.js';
import type { EnrollmentValue, Rec } from './records.js';
import { enrollmentValue } from './row-values.js';
import { type CacheWriter, throughCache } from './table-cache.js';

export interface EnrollmentReadOptions {
  fastLanes?: boolean;
  cacheDir?: string;
}

/** enrollments.csv: from the parse cache when it holds this very export, else parsed (through the fast lane where rows allow). */
export async function readEnrollments(
  ctx: ParseCtx,
  file: ExportFile,
  mode: 'bulk' | 'delta',
  out: RecordSink,
  opts: EnrollmentReadOptions,
  early?: Promise<string | undefined>,
  /** The file already being read on a worker (enrollment-worker-client.ts). */
  worker?: EnrollmentWorker,
): Promise<CacheWriter | undefined> {
  const targets = opts.fastLanes === false ? undefined : out.laneTargets?.();
  const lane = targets ? (ix: Ix, n: number, seen: SeenIds) => enrollmentLane(ix, n, seen, ctx.dates, ctx.intern, ctx.records, targets) : undefined;
  const bulk = out instanceof BulkBuilder && mode === 'bulk' && targets ? out : undefined;
  const emit = (r: Rec<EnrollmentValue>) => out.enrollment(r, mode);
  const invalid = (id: string) => out.invalid('enrollments', id);
  const parse = async () => {
    if (worker && bulk && targets && (await worker.replay(ctx, tableRows(ctx, file.name, 'enrollments', mode, enrollmentValue(ctx), emit, false, invalid), targets))) return;
    await parseTable<EnrollmentValue>(ctx, file, 'enrollments', mode, enrollmentValue(ctx), emit, false, invalid, lane);
  };
  if (!bulk || !targets) {
    await parse();
    return undefined;
  }
  // The staged enrollments are placed into people when the roster is built: keep them for the writer.
  let read: ReturnType<BulkBuilder['stagedEnrollments']> | undefined;
  return throughCache(ctx, file, opts.cacheDir, early, {
    kind: 'enrollments',
    async parse() {
      await parse();
      read = bulk.stagedEnrollments();
    },
    async load(key) {
      const hit = await loadEnrollmentCache(opts.cacheDir!, key, bulk.rosterClasses(), bulk.peopleInFileOrder().length, ctx.intern, ctx.records);
      if (!hit) return false;
      bulk.restoreEnrollments(hit.byPerson);
      ctx.onProgress(file.name, hit.rows);
      return true;
    },
    save(key, size) {
      const order = bulk.rosterOrder();
      return read && order ? saveEnrollmentCache(opts.cacheDir!, key, size, read.owners, read.list, order, bulk.rosterClasses()) : Promise.resolve();
    },
  });
}
