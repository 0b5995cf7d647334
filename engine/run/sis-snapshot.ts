import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { Roster } from '../model/people.js';

/**
 * SIS snapshots: the roster of an export, keyed by its digest, kept beside state
 * (`.rollcall/sis/<digest>.json.gz`). A plan saved for apply stores its roster; state
 * records the digest of the export last applied; the next plan finds that roster here as
 * the base for a OneRoster delta set (what changed since is counted by the plan itself).
 * Snapshots hold student data: they live in the ignored `.rollcall/` folder, mode 0600.
 */

export function snapshotDir(policyDir: string): string {
  return join(policyDir, '.rollcall', 'sis');
}

function fileFor(policyDir: string, digest: string): string {
  return join(snapshotDir(policyDir), `${digest.replace(/[^a-z0-9]/gi, '_')}.json.gz`);
}

/**
 * Written as gzipped JSON Lines: a header line with everything but the people, then one
 * person per line. A million people with their enrollments are far more than V8's largest
 * string, so the roster is never one JSON text.
 */
export async function writeRosterSnapshot(policyDir: string, digest: string, roster: Roster): Promise<void> {
  const file = fileFor(policyDir, digest);
  if (existsSync(file)) return;
  mkdirSync(snapshotDir(policyDir), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${process.pid}`;
  const { people, ...rest } = roster;
  const header: RosterHeader = { format: 'rollcall-roster', version: 2, ...rest };
  async function* lines(): AsyncGenerator<string> {
    yield JSON.stringify(header) + '\n';
    const CHUNK = 2000;
    for (let i = 0; i < people.length; i += CHUNK) {
      let text = '';
      for (const p of people.slice(i, i + CHUNK)) text += JSON.stringify(p) + '\n';
      yield text;
    }
  }
  try {
    await pipeline(Readable.from(lines()), createGzip({ level: 1 }), createWriteStream(tmp, { mode: 0o600 }));
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

interface RosterHeader extends Omit<Roster, 'people'> {
  format: 'rollcall-roster';
  version: 2;
}

/** The roster kept for `digest`, or null. Reads this format and the first one (one JSON text). */
export async function readRosterSnapshot(policyDir: string, digest: string): Promise<Roster | null> {
  const file = fileFor(policyDir, digest);
  if (!existsSync(file)) return null;
  const rl = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  let header: RosterHeader | Roster | undefined;
  const people: Roster['people'] = [];
  for await (const line of rl) {
    if (line === '') continue;
    if (header === undefined) {
      header = JSON.parse(line) as RosterHeader | Roster;
      if (!('format' in header)) return header; // the first format: the whole roster on one line
      continue;
    }
    people.push(JSON.parse(line) as Roster['people'][number]);
  }
  if (header === undefined || !('format' in header)) return null;
  const { format: _format, version: _version, ...rest } = header;
  return { ...rest, people };
}

/** Whether an export folder's manifest declares any delta file (zips are assumed to). */
export function declaresDelta(location: string): boolean {
  const manifest = join(location, 'manifest.csv');
  if (location.toLowerCase().endsWith('.zip')) return true;
  if (!existsSync(manifest)) return false;
  return /,\s*"?delta"?\s*$/im.test(readFileSync(manifest, 'utf8'));
}
