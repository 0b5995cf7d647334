import type { ExportFile } from '../csv-util/file-set.js';
import { sha256OfFile } from '../csv-util/hash-file.js';
import type { SeenIds } from '../csv-util/seen-ids.js';
import { BulkBuilder } from './bulk-builder.js';
import { cachedSourceSize, enrollmentCacheKey, loadEnrollmentCache, saveEnrollmentCache } from './enrollment-cache.js';
import { enrollmentLane } from './enrollment-lane.js';
import { type Ix, type ParseCtx, parseTable } from './parse.js';
import type { RecordSink } from './record-sink.js';
import type { EnrollmentValue } from './records.js';
import { enrollmentValue } from './row-values.js';

export interface EnrollmentReadOptions {
  fastLanes?: boolean;
  cacheDir?: string;
}

/**
 * enrollments.csv: from the parse cache when it holds this very export, else parsed (through
 * the fast lane where rows allow). Returns a writer for the cache when the file was read clean
 * and caching is on; the caller runs it once the whole read has succeeded.
 */
export async function readEnrollments(
  ctx: ParseCtx,
  file: ExportFile,
  mode: 'bulk' | 'delta',
  out: RecordSink,
  opts: EnrollmentReadOptions,
  early?: Promise<string | undefined>,
): Promise<(() => Promise<void>) | undefined> {
  const targets = opts.fastLanes === false ? undefined : out.laneTargets?.();
  const bulk = out instanceof BulkBuilder && mode === 'bulk' && targets ? out : undefined;
  const cacheDir = bulk ? opts.cacheDir : undefined;
  const before = new Map(ctx.digests);
  const size = cacheDir ? await cachedSourceSize(cacheDir) : undefined;
  if (cacheDir && bulk && targets && size === file.size) {
    const sha = (await early) ?? (await sha256OfFile(file));
    const hit = await loadEnrollmentCache(cacheDir, enrollmentCacheKey(sha, before), targets.classes, bulk.stagedEnrollments().people.length, ctx.intern);
    if (hit) {
      bulk.restoreEnrollments(hit.owners, hit.list);
      ctx.digests.set(file.name, sha);
      ctx.onProgress(file.name, hit.list.length);
      return undefined;
    }
  }
  const lane = targets ? (ix: Ix, n: number, seen: SeenIds) => enrollmentLane(ix, n, seen, ctx.dates, ctx.intern, targets) : undefined;
  const diagnostics = ctx.sink.diagnostics.length;
  await parseTable<EnrollmentValue>(ctx, file, 'enrollments', mode, enrollmentValue(ctx), (r) => out.enrollment(r, mode), false, (id) => out.invalid('enrollments', id), lane);
  if (!cacheDir || !bulk || ctx.sink.diagnostics.length !== diagnostics) return undefined;
  const key = enrollmentCacheKey(ctx.digests.get(file.name)!, before);
  const { owners, list } = bulk.stagedEnrollments();
  return () => saveEnrollmentCache(cacheDir, key, file.size, owners, list);
}

/**
 * Start hashing enrollments.csv on a worker thread at the start of a read, when a cache of the
 * same size is there to be checked: the main thread reads the other files meanwhile.
 */
export async function hashEarly(file: ExportFile | undefined, cacheDir: string | undefined): Promise<string | undefined> {
  if (!file || !cacheDir || (await cachedSourceSize(cacheDir)) !== file.size) return undefined;
  return sha256OfFile(file);
}
