import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Roster } from '../model/people.js';

/**
 * SIS snapshots: the roster of an export, keyed by its digest, kept beside state
 * (`.rollcall/sis/<digest>.json.gz`). A plan saved for apply stores its roster; state
 * records the digest of the export last applied; the next plan finds that roster here as
 * the base for a OneRoster delta set, and to report what changed in the SIS since.
 * Snapshots hold student data: they live in the ignored `.rollcall/` folder, mode 0600.
 */

export function snapshotDir(policyDir: string): string {
  return join(policyDir, '.rollcall', 'sis');
}

function fileFor(policyDir: string, digest: string): string {
  return join(snapshotDir(policyDir), `${digest.replace(/[^a-z0-9]/gi, '_')}.json.gz`);
}

export function writeRosterSnapshot(policyDir: string, digest: string, roster: Roster): void {
  const file = fileFor(policyDir, digest);
  if (existsSync(file)) return;
  mkdirSync(snapshotDir(policyDir), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, gzipSync(JSON.stringify(roster), { level: 1 }), { mode: 0o600 });
  renameSync(tmp, file);
}

export function readRosterSnapshot(policyDir: string, digest: string): Roster | null {
  const file = fileFor(policyDir, digest);
  if (!existsSync(file)) return null;
  return JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as Roster;
}

/** Whether an export folder's manifest declares any delta file (zips are assumed to). */
export function declaresDelta(location: string): boolean {
  const manifest = join(location, 'manifest.csv');
  if (location.toLowerCase().endsWith('.zip')) return true;
  if (!existsSync(manifest)) return false;
  return /,\s*"?delta"?\s*$/im.test(readFileSync(manifest, 'utf8'));
}

export interface SisChangeSummary {
  added: number;
  removed: number;
  changed: number;
}

/** People added, removed or changed (any field) since the base roster. */
export function compareRosters(base: Roster, current: Roster): SisChangeSummary {
  const before = new Map(base.people.map((p) => [p.sourcedId, p]));
  let added = 0;
  let changed = 0;
  for (const p of current.people) {
    const b = before.get(p.sourcedId);
    if (!b) added++;
    else {
      if (JSON.stringify({ ...b, source: null }) !== JSON.stringify({ ...p, source: null })) changed++;
      before.delete(p.sourcedId);
    }
  }
  return { added, removed: before.size, changed };
}
