import { existsSync, mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { TargetSnapshot } from '../model/accounts.js';
import { closeAll, loadPolicyInput, openProviders, type RunOptions } from './inputs.js';
import { readSnapshotFile, writeSnapshotFile } from './snapshot-file.js';

/**
 * `rollcall refresh`: read every target once into a local snapshot, so many plans can run
 * against it (`plan --refresh=false`), as Terraform's -refresh=false. Providers with a change
 * feed bring the previous snapshot up to date instead of reading everything again.
 */

export const DEFAULT_SNAPSHOT = '.rollcall/snapshot.jsonl';

export function snapshotPath(dir: string, file?: string): string {
  const p = file ?? DEFAULT_SNAPSHOT;
  return isAbsolute(p) ? p : join(dir, p);
}

export interface RefreshResult {
  path: string;
  targets: { target: string; accounts: number; groups: number; incremental: boolean }[];
}

export async function runRefresh(opts: RunOptions & { snapshot?: string; now: string; full?: boolean }): Promise<RefreshResult> {
  const loaded = await loadPolicyInput(opts);
  const path = snapshotPath(loaded.dir, opts.snapshot);
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
  await writeSnapshotFile(path, out, opts.now);
  return { path, targets };
}
