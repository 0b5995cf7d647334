import { existsSync, mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { TargetSnapshot } from '../model/accounts.js';
import { InputError } from '../model/errors.js';
import { closeAll, loadPolicyInput, openProviders, readSis, type LoadedPolicy, type RunOptions } from './inputs.js';
import { readSnapshotFile, writeSnapshotFile } from './snapshot-file.js';
import { writeBaseAfterRefresh, type BaseWriteResult } from './plan-from-base.js';
import { removePlanBase } from './plan-base-file.js';

/**
 * `rollcall refresh`: read every target once into a local snapshot, so many plans can run
 * against it (`plan --refresh=false`), as Terraform's -refresh=false. Providers with a change
 * feed bring the previous snapshot up to date instead of reading everything again. It also
 * primes the SIS parse cache from the current export (plans read that cache, never write it),
 * and plans that export in full once, keeping the plan with each person's inputs (the plan
 * base, plan-from-base.ts): a plan whose export differs only in a few users.csv rows then
 * re-plans those people alone.
 */

export const DEFAULT_SNAPSHOT = '.rollcall/snapshot.jsonl';

export function snapshotPath(dir: string, file?: string): string {
  const p = file ?? DEFAULT_SNAPSHOT;
  return isAbsolute(p) ? p : join(dir, p);
}

export interface RefreshResult {
  path: string;
  targets: { target: string; accounts: number; groups: number; incremental: boolean }[];
  /**
   * The SIS parse cache (OneRoster CSV): primed from the current export, so plans of it skip
   * parsing; or why not (the export has errors, or is a delta set). Counts only, no records.
   */
  sis: { primed: true; people: number } | { primed: false; errors: number } | null;
  /** The plan base (plan-from-base.ts): written, or why not; null when not asked for. */
  base: BaseWriteResult | null;
}

export async function runRefresh(opts: RunOptions & { snapshot?: string; now: string; full?: boolean; planBase?: boolean }): Promise<RefreshResult> {
  const loaded = await loadPolicyInput(opts);
  const path = snapshotPath(loaded.dir, opts.snapshot);
  // The snapshots are let go once written: the plan base reads them back from the file, and a
  // million accounts held twice would not fit where a plan fits.
  const targets = await snapshotTargets(loaded, opts, path, opts.now);
  const sis = await primeSisCache(loaded, opts);
  // The base is a plan of the export refresh just parsed: none for an export with errors.
  let base: BaseWriteResult | null = null;
  if (opts.planBase === false) await removePlanBase(loaded.dir);
  else if (sis?.primed) base = await writeBaseAfterRefresh(loaded, opts, path);
  else {
    await removePlanBase(loaded.dir);
    base = { written: false, reason: sis ? 'the export was not parsed' : 'only a OneRoster CSV export has a plan base' };
  }
  return { path, targets, sis, base };
}

/** Read every target (through its change feed where it has one) and write the snapshot file. */
async function snapshotTargets(loaded: LoadedPolicy, opts: RunOptions & { full?: boolean }, path: string, now: string): Promise<RefreshResult['targets']> {
  const providers = await openProviders(loaded, opts);
  const out: TargetSnapshot[] = [];
  const targets: RefreshResult['targets'] = [];
  try {
    // Only a provider with a change feed uses the previous snapshot; at a million accounts
    // reading it for nothing costs seconds.
    const previous = new Map<string, TargetSnapshot>();
    if (!opts.full && existsSync(path) && [...providers.values()].some((p) => p.readIncremental)) {
      for (const s of (await readSnapshotFile(path)).snapshots) previous.set(s.target, s);
    }
    for (const [name, p] of providers) {
      const prev = previous.get(name);
      let snap: TargetSnapshot;
      let incremental = false;
      if (prev && prev.cursor && p.readIncremental) {
        const { incremental: inc, ...rest } = await p.readIncremental(prev);
        snap = rest;
        incremental = inc;
      } else snap = await p.read();
      out.push(snap);
      targets.push({ target: name, accounts: snap.accounts.length, groups: snap.groups.length, incremental });
    }
  } finally {
    await closeAll(providers);
  }
  mkdirSync(dirname(path), { recursive: true });
  await writeSnapshotFile(path, out, now);
  return targets;
}

/** Read the export once with cache writes on; a bad export is left for `plan` to report. */
async function primeSisCache(loaded: LoadedPolicy, opts: RunOptions): Promise<RefreshResult['sis']> {
  if (loaded.policy.sis.format !== 'oneroster-csv') return null;
  try {
    const read = await readSis(loaded, opts, { primeCache: true });
    return { primed: true, people: read.roster.people.length };
  } catch (e) {
    if (e instanceof InputError) return { primed: false, errors: e.diagnostics.filter((d) => d.severity === 'error').length };
    throw e;
  }
}
