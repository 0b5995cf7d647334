import type { ExportFile } from '../csv-util/file-set.js';
import { sha256OfFile } from '../csv-util/hash-file.js';
import { cachedSize, cacheKey } from './cache-file.js';
import type { ParseCtx } from './parse.js';

/**
 * One file through the parse cache: when a cache of the same size is there, the file's digest
 * (often already computed on a worker, see hashEarly) and what it sees of the files read
 * before it (below) make the key; a usable cache replaces the parse. Otherwise the file is parsed, and when that
 * added no diagnostic at all, a writer for the cache is returned, to run once the whole read
 * has succeeded.
 */
export interface CachedTable {
  kind: string;
  /** Load the cache for `key` into the roster; false when there is none usable (nothing changed). */
  load(key: string): Promise<boolean>;
  parse(): Promise<void>;
  /** `base`: the key without the file's digest (what a later patch must match). */
  save(key: string, size: number, base: string): Promise<void>;
  /**
   * Bring a cache of an earlier export of this file (same `base`) up to date with this one
   * without parsing it whole (users-patch.ts); the file's sha256 when done, else undefined
   * (nothing changed, the file is parsed).
   */
  patch?(base: string): Promise<string | undefined>;
}

export type CacheWriter = () => Promise<void>;

export async function throughCache(ctx: ParseCtx, file: ExportFile, cacheDir: string | undefined, early: Promise<string | undefined> | undefined, t: CachedTable): Promise<CacheWriter | undefined> {
  // The files read before this one, each by what the files after it can see of it
  // (ParseCtx.keyDigests: courses, classes and users by their ids, BulkBuilder.references;
  // roles by nothing), so a new class title or a new name leaves the later caches usable;
  // every other file by its digest.
  const before = new Map(ctx.digests);
  for (const [name, key] of ctx.keyDigests ?? []) if (before.has(name)) before.set(name, key);
  const base = cacheKey(t.kind, `${file.name}\0`, before);
  if (cacheDir && (await cachedSize(cacheDir, `${t.kind}.bin`, t.kind)) === file.size) {
    const sha = (await early) ?? (await sha256OfFile(file));
    if (await t.load(cacheKey(t.kind, `${file.name}\0${sha}`, before))) {
      ctx.digests.set(file.name, sha);
      return undefined;
    }
  }
  const patched = cacheDir && t.patch ? await t.patch(base) : undefined;
  if (patched !== undefined) {
    ctx.digests.set(file.name, patched);
    return undefined;
  }
  const reported = ctx.sink.reported;
  await t.parse();
  if (!cacheDir || ctx.sink.reported !== reported) return undefined;
  // The name too: people keep the file they came from (Person.source).
  const key = cacheKey(t.kind, `${file.name}\0${ctx.digests.get(file.name)!}`, before);
  return () => t.save(key, file.size, base);
}

/**
 * Digests of the cacheable files, one after another on a worker thread, started when the read
 * starts: the main thread parses meanwhile. Only files with a cache of the same size are hashed.
 */
export function hashEarly(cacheDir: string | undefined, files: readonly { kind: string; file: ExportFile | undefined }[]): Map<string, Promise<string | undefined>> {
  const out = new Map<string, Promise<string | undefined>>();
  let prev: Promise<unknown> = Promise.resolve();
  for (const { kind, file } of files) {
    if (!cacheDir || !file) continue;
    const p = prev.then(async () => ((await cachedSize(cacheDir, `${kind}.bin`, kind)) === file.size ? sha256OfFile(file) : undefined)).catch(() => undefined);
    out.set(kind, p);
    prev = p;
  }
  return out;
}
