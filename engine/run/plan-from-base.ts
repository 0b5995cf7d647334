import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { InputError } from '../model/errors.js';
import type { Person } from '../model/people.js';
import type { PlanDocument } from '../model/plan.js';
import { buildBase } from '../incremental/base.js';
import { planIncrementally, type ChangedPerson } from '../incremental/plan-incremental.js';
import { policyRestDigest, reservedNames } from '../incremental/policy-delta.js';
import { computePlan } from '../plan/build-plan.js';
import { headerFromHead } from '../state/state-file.js';
import { readHead } from '../state/fs-durable.js';
import { sha256 as sha256Hex } from '../plan/canonical.js';
import { sha256OfFile } from '../../providers/sis/csv-util/hash-file.js';
import { journalPathFor } from '../state/local.js';
import { combineDigests } from '../../providers/sis/csv-util/digest.js';
import { readChangedUsers } from '../../providers/sis/oneroster-csv/changed-users.js';
import { lineHashes } from '../../providers/sis/oneroster-csv/line-hashes.js';
import { ROW_FIELDS } from '../../providers/sis/oneroster-csv/users-patch.js';
import { loadPolicyInput, openState, sisLocation, targetConstraints, type LoadedPolicy, type RunOptions } from './inputs.js';
import { openPlanBase, PlanBaseUnreadable, removePlanBase, writePlanBase, type BaseValidity, type StoredBase } from './plan-base-file.js';
import { readSnapshotFile, snapshotsOf } from './snapshot-file.js';
import { readStateAndSis } from './state-and-sis.js';

/**
 * "Refresh once, plan many", the plan half: `rollcall refresh` plans the district in full and
 * keeps that plan with every person's inputs (a plan base, engine/incremental); a later
 * `plan --refresh=false` whose inputs are the base's but for a few users.csv rows changed in
 * place re-plans those people alone (engine/incremental/plan-incremental.ts) instead of
 * reading and planning a million people. Everything else the base was made from must be
 * exactly as it was, checked here: rollcall's build, the policy, the day, the options,
 * state (lineage, serial, the file and its journal), the snapshot file, and every other file
 * of the export (by size, times and inode, else by SHA-256). Any doubt plans in full.
 */

/** The stamp a file keeps until it is written again (ctime cannot be set back by hand). */
interface FileStamp {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

interface Validity {
  /** 2: the shared part keeps remove changes' member places (removeOrder). */
  format: 2;
  rollcall: string;
  policyDigest: string;
  /** The policy but for what a base can take changed (policy-delta.ts); null: nothing may change. */
  policyRest: string | null;
  reserved: string[];
  /** Usernames the base plan issued or renames it made or asked approval for (reserved names steer those). */
  allocations: number;
  today: string;
  adoption: boolean;
  targets: string[];
  sis: {
    location: string;
    /** The export folder's file names, sorted. */
    listing: string[];
    usersFile: string;
    /** Every file the read digested (name -> sha256), and its stamp. */
    files: Record<string, { sha256: string; stamp: FileStamp }>;
  };
  state: { path: string; lineage: string; serial: number; file: FileStamp | null; journal: FileStamp | null };
  snapshot: { path: string; stamp: FileStamp };
}

/**
 * Which rollcall made a base: the package version and the build (scripts/build-id.mjs digests
 * the compiled engine), so a base from another build, even of the same version, is not trusted.
 * Run from source (tests), there is no build file: the version alone, with "source".
 */
async function rollcallBuild(): Promise<string> {
  const version = (JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8').catch(() => readFile(new URL('../../package.json', import.meta.url), 'utf8'))) as { version: string }).version;
  const build = await readFile(new URL('../../build-id.json', import.meta.url), 'utf8').then((t) => (JSON.parse(t) as { id: string }).id, () => 'source');
  return `${version}+${build}`;
}

let buildOnce: Promise<string> | undefined;
const ROLLCALL_BUILD = (): Promise<string> => (buildOnce ??= rollcallBuild());

export type BaseWriteResult = { written: true; people: number } | { written: false; reason: string };

/** After refresh wrote the snapshot and primed the SIS cache: plan in full and keep the base. */
export async function writeBaseAfterRefresh(loaded: LoadedPolicy, opts: RunOptions & { now: string; adopt?: boolean }, snapshotFile: string): Promise<BaseWriteResult> {
  const why = await unsupported(loaded, opts);
  if (why) {
    await removePlanBase(loaded.dir);
    return { written: false, reason: why };
  }
  const statePath = localStatePath(loaded, opts)!;
  const stateBefore = await stateStamps(statePath);
  const snapshotBefore = await stampOf(snapshotFile);
  // A state or export a plan would refuse is reported by that plan; refresh just has no base.
  const read = await readStateAndSis(loaded, opts, { deferMaps: false, saveSisSnapshot: false }).catch((e: unknown) => {
    if (e instanceof InputError) return null;
    throw e;
  });
  if (!read) return removed(loaded, 'state or the export has errors (rollcall plan reports them)');
  const { state, sis } = read;
  const location = sisLocation(loaded, opts);
  if (!sis.fileDigests) return removed(loaded, 'the SIS source gave no file digests');
  const snapshots = snapshotsOf(await readSnapshotFile(snapshotFile), snapshotFile, loaded.policy.targets.map((t) => t.name));
  const input = {
    policy: loaded.policy, policyDigest: loaded.digest, policyCommit: loaded.commit, roster: sis.roster, sisDigest: sis.digest, sisWarnings: sis.warnings,
    state, snapshots, constraints: targetConstraints(loaded.policy, loaded.allTargets), now: opts.now, ...(opts.adopt ? { adoption: true } : {}), reportDesired: true,
  };
  const output = computePlan(input);
  const built = buildBase(input, output);
  const allocations = output.identities.filter((i) => i.newlyIssued || i.rename !== null).length + output.plan.decisions.filter((d) => d.kind === 'rename-approval').length;
  // Each stamp must stand for the bytes that were read: taken before reading state and the
  // snapshot, and for the export checked against the digests the read made.
  const usersFile = Object.keys(sis.fileDigests).find((n) => n.toLowerCase() === 'users.csv');
  if (!usersFile) return removed(loaded, 'the export has no users.csv');
  const files: Validity['sis']['files'] = {};
  let usersLines: Int32Array | undefined;
  for (const [name, sha256] of Object.entries(sis.fileDigests)) {
    const path = `${location}/${name}`;
    const stamp = await stampOf(path).catch(() => null);
    // users.csv is read whole once: its digest, and the hash of each line a plan compares.
    const users = name === usersFile ? await readFile(path).catch(() => null) : undefined;
    if (users) usersLines = lineHashes(users);
    const digest = users ? sha256Hex(users) : stamp ? await sha256Of(path, stamp.size).catch(() => null) : null;
    if (!stamp || digest !== sha256) return removed(loaded, `${name} changed while refresh read it`);
    files[name] = { sha256, stamp };
  }
  if (!usersLines) return removed(loaded, 'users.csv changed while refresh read it');
  const stateAfter = await stateStamps(statePath);
  const snapshotAfter = await stampOf(snapshotFile);
  if (!sameStamp(stateBefore.file, stateAfter.file) || !sameStamp(stateBefore.journal, stateAfter.journal) || !sameStamp(snapshotBefore, snapshotAfter)) return removed(loaded, 'state or the snapshot changed while refresh read them');
  const validity: Validity = {
    format: 2,
    rollcall: await ROLLCALL_BUILD(),
    policyDigest: loaded.digest,
    policyRest: policyRestDigest(loaded.policy),
    reserved: reservedNames(loaded.policy),
    allocations,
    today: opts.now.slice(0, 10),
    adoption: opts.adopt === true,
    targets: loaded.policy.targets.map((t) => t.name),
    sis: { location, listing: await listing(location), usersFile, files },
    state: { path: statePath, lineage: state.lineage, serial: state.serial, ...stateAfter },
    snapshot: { path: snapshotFile, stamp: snapshotAfter },
  };
  await writePlanBase(loaded.dir, built, validity as unknown as BaseValidity, usersLines);
  return { written: true, people: built.capsules.length };
}

async function removed(loaded: LoadedPolicy, reason: string): Promise<BaseWriteResult> {
  await removePlanBase(loaded.dir);
  return { written: false, reason };
}

export type BasePlanResult = { plan: PlanDocument; loaded: LoadedPolicy; changed: number } | { fallback: string; loaded: LoadedPolicy; hadBase: boolean };

/** `plan --refresh=false` from the base refresh wrote, or why it must plan in full. */
export async function planFromBase(opts: RunOptions & { now: string; adopt?: boolean; snapshotFile: string }): Promise<BasePlanResult> {
  const loaded = await loadPolicyInput(opts);
  const stored = await openPlanBase(loaded.dir);
  if (!stored) return { fallback: 'no plan base (rollcall refresh writes one)', loaded, hadBase: false };
  const fallback = (reason: string): BasePlanResult => ({ fallback: reason, loaded, hadBase: true });
  const v = stored.validity as unknown as Validity;
  const stale = await staleBecause(v, loaded, opts);
  if (stale) return fallback(stale);
  try {
    return await fromStoredBase(stored, v, loaded, opts);
  } catch (e) {
    // Damaged or replaced since it was opened: a plan in full still answers.
    if (e instanceof PlanBaseUnreadable) return fallback(`the plan base cannot be read (${e.message})`);
    throw e;
  }
}

async function fromStoredBase(stored: StoredBase, v: Validity, loaded: LoadedPolicy, opts: RunOptions & { now: string; adopt?: boolean }): Promise<BasePlanResult> {
  const fallback = (reason: string): BasePlanResult => ({ fallback: reason, loaded, hadBase: true });
  const base = await stored.base();
  const policyChanged = v.policyDigest !== loaded.digest;
  // A reserved name changed: only names the base plan picks could change, and it picks none
  // (it also said nothing about names it could not pick).
  if (policyChanged && v.reserved.join('\n') !== reservedNames(loaded.policy).join('\n') && (v.allocations > 0 || base.plan.warnings.some((w) => w.code.startsWith('naming.')))) {
    return fallback('the reserved usernames changed, and the base plan issues or renames usernames');
  }
  const read = await readChangedUsers(v.sis.location, await stored.usersLineHashes(), base.shared.roster.orgs);
  if ('decline' in read) return fallback(read.decline);
  const capsules = await stored.capsulesAtLines(read.rows.map((r) => r.line));
  const changed: ChangedPerson[] = [];
  for (let i = 0; i < read.rows.length; i++) {
    const capsule = capsules[i];
    if (!capsule) return fallback('a changed users.csv line holds nobody in the plan base');
    changed.push({ capsule, person: withRow(capsule.person, read.rows[i]!.person) });
  }
  const digests = Object.fromEntries(Object.entries(v.sis.files).map(([name, f]) => [name, f.sha256]));
  digests[read.usersFile] = read.sha256;
  const out = planIncrementally({
    base,
    changed,
    birthFacts: v.sis.listing.some((n) => n.toLowerCase() === 'demographics.csv'),
    policy: loaded.policy,
    policyDigest: loaded.digest,
    policyCommit: loaded.commit,
    sisDigest: combineDigests(Object.entries(digests)),
    constraints: targetConstraints(loaded.policy, loaded.allTargets),
    now: opts.now,
    ...(opts.adopt ? { adoption: true } : {}),
    policyDeltaChecked: policyChanged,
  });
  return 'plan' in out ? { plan: out.plan, loaded, changed: changed.length } : fallback(out.fallback);
}

/** The person of the base with users.csv's fields of their new row (users-patch.ts copies the same). */
function withRow(was: Person, row: Person): Person {
  const p: Person = { ...was };
  for (const f of ROW_FIELDS) (p as unknown as Record<string, unknown>)[f] = row[f];
  return p;
}

/** Why the base no longer describes this plan's inputs (but for users.csv rows), or null. */
async function staleBecause(v: Validity, loaded: LoadedPolicy, opts: RunOptions & { now: string; adopt?: boolean; snapshotFile: string }): Promise<string | null> {
  if (v.format !== 2 || v.rollcall !== (await ROLLCALL_BUILD())) return 'the plan base was written by another rollcall build';
  if (v.policyDigest !== loaded.digest && (v.policyRest === null || v.policyRest !== policyRestDigest(loaded.policy))) return 'the policy changed since refresh (beyond safety limits and reserved usernames)';
  if (v.today !== opts.now.slice(0, 10)) return 'refresh ran on another day (lifecycle dates compare by day)';
  if (v.adoption !== (opts.adopt === true)) return '--adopt differs from refresh';
  if (v.targets.join('\n') !== loaded.policy.targets.map((t) => t.name).join('\n')) return 'another set of targets than refresh';
  if (v.sis.location !== sisLocation(loaded, opts)) return 'another SIS export than refresh read';
  if (v.snapshot.path !== opts.snapshotFile || !sameStamp(v.snapshot.stamp, await stampOf(opts.snapshotFile).catch(() => null))) return 'the snapshot file changed since refresh';
  const statePath = localStatePath(loaded, opts);
  if (statePath !== v.state.path) return 'another state than refresh read';
  const now = await stateStamps(statePath);
  if (!sameStamp(v.state.file, now.file) || !sameStamp(v.state.journal, now.journal)) {
    const head = await stateHead(statePath);
    if (!head || head.lineage !== v.state.lineage || head.serial !== v.state.serial) return 'state changed since refresh (an apply ran)';
    return 'state or its journal changed since refresh';
  }
  if ((await listing(v.sis.location).catch(() => [])).join('\n') !== v.sis.listing.join('\n')) return 'files were added to or removed from the export';
  for (const [name, f] of Object.entries(v.sis.files)) {
    if (name === v.sis.usersFile) continue;
    const path = `${v.sis.location}/${name}`;
    const stamp = await stampOf(path).catch(() => null);
    if (sameStamp(f.stamp, stamp)) continue;
    if (!stamp || (await sha256Of(path, stamp.size).catch(() => '')) !== f.sha256) return `${name} changed since refresh`;
  }
  return null;
}

/** Why this district cannot have a base at all, or null. */
async function unsupported(loaded: LoadedPolicy, opts: RunOptions): Promise<string | null> {
  if (loaded.policy.sis.format !== 'oneroster-csv') return 'only a OneRoster CSV export has a plan base';
  if (!localStatePath(loaded, opts)) return 'only local state has a plan base';
  const st = await stat(sisLocation(loaded, opts)).catch(() => null);
  if (!st?.isDirectory()) return 'only an export folder (not a .zip) has a plan base';
  return null;
}

/** Local state's file; null for another backend (checked by the config, without opening a connection). */
function localStatePath(loaded: LoadedPolicy, opts: RunOptions): string | null {
  if (loaded.policy.state.backend !== 'local') return null;
  const d = openState(loaded, opts).description;
  return d.startsWith('local:') ? d.slice('local:'.length) : null;
}

async function stateStamps(statePath: string): Promise<{ file: FileStamp | null; journal: FileStamp | null }> {
  return { file: await stampOf(statePath).catch(() => null), journal: await stampOf(journalPathFor(statePath)).catch(() => null) };
}

async function stateHead(statePath: string): Promise<{ lineage: string; serial: number } | null> {
  const head = await readHead(statePath, 512).catch(() => null);
  return head === null ? null : headerFromHead(head);
}

async function stampOf(path: string): Promise<FileStamp> {
  const s = await stat(path);
  return { size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, ino: s.ino };
}

function sameStamp(a: FileStamp | null, b: FileStamp | null): boolean {
  if (a === null || b === null) return a === b;
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
}

async function listing(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

/** The file's SHA-256 as the export read computes it (a big file on a worker thread). */
function sha256Of(path: string, size: number): Promise<string> {
  return sha256OfFile({ name: path, size, path, open: () => Promise.resolve(createReadStream(path, { highWaterMark: 1 << 20 })) });
}
