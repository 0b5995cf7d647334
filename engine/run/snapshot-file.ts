import { closeSync, openSync, promises as fs, readSync, renameSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import type { ObservedAccount, ObservedGroup, TargetSnapshot } from '../model/accounts.js';
import { InputError } from '../model/errors.js';
import { MemberPositionsBuilder, recordMemberPositions } from '../model/member-positions.js';
import { recordSnapshotFacts, type SnapshotFacts } from '../model/snapshot-facts.js';
import { SNAPSHOT_DIGEST_SCHEME, snapshotDigest } from '../plan/snapshot-digest.js';
import { StringPool } from '../state/string-pool.js';
import { BrokenJsonLine, JsonLinePieces } from './json-line-pieces.js';

/**
 * The local snapshot written by `rollcall refresh` and read by `plan --refresh=false`:
 * JSON Lines, one account or group per line, so a million accounts stream in and out
 * without one giant string. Line 1 is a header with the format and the time it was taken.
 * Written in batches of lines and read in pieces of whole lines, each piece parsed as one
 * JSON array: a million accounts are a few hundred calls each way, not millions.
 *   {"format":"rollcall-snapshot","version":2,"taken_at":"..."}
 *   ["T", target, containers[], cursor|null]
 *   ["A", target, account]
 *   ["G", target, group]
 * Version 2 writes a group's members that are accounts of the same target as the account's
 * position among that target's "A" lines (a number), other members by id (a string). A
 * district's groups hold ~10 memberships per person: read back as positions they share the
 * accounts' id strings instead of making ten million new ones, and numbers parse faster.
 * Version 1 files (members all by id) are still read.
 *
 * What refresh works out once for a plan to reuse (engine/model/snapshot-facts.ts) rides
 * along where older readers ignore it: a fifth element of the "T" line,
 * `{digest, digest_scheme, unique_ids}` (a digest is used only under this rollcall's scheme),
 * and `lines_crc32` in the header, the CRC-32 of every byte after the header line (8 hex
 * digits). The reader keeps the facts only when that checksum holds: a file edited since
 * refresh wrote it is planned as it now reads, its digest worked out again. The checksum
 * guards against edits and damage, not forgery: whoever can write `.rollcall/` can write state
 * too. Summing the bytes as they are read costs about an eighth of what working the digest out
 * does (0.14 s for a million accounts' 400 MB).
 */

type StoredGroup = Omit<ObservedGroup, 'members'> & { members: (string | number)[] };
interface StoredFacts { digest: string; digest_scheme: string; unique_ids: boolean }
type Line = ['T', string, string[], string | null, StoredFacts?] | ['A', string, ObservedAccount] | ['G', string, StoredGroup];

const VERSION = 2;

export interface SnapshotFile {
  takenAt: string;
  snapshots: TargetSnapshot[];
}

/** Lines are gathered into writes of about this many characters. */
const WRITE_BATCH = 1 << 20;
const WINDOW_BYTES = 4 * 2 ** 20;

/** The header's checksum before it is known: as long as the hex digits that replace it. */
const UNSUMMED = '0'.repeat(8);
const SUM_KEY = '"lines_crc32":"';
const hex8 = (n: number): string => n.toString(16).padStart(8, '0');

/** The lines after the header. */
function* snapshotLines(snapshots: readonly TargetSnapshot[]): Generator<string> {
  for (const s of snapshots) {
    const position = new Map<string, number>();
    for (let i = 0; i < s.accounts.length; i++) {
      const id = s.accounts[i]!.id;
      if (!position.has(id)) position.set(id, i);
    }
    const facts: StoredFacts = { digest: snapshotDigest(s), digest_scheme: SNAPSHOT_DIGEST_SCHEME, unique_ids: position.size === s.accounts.length };
    yield JSON.stringify(['T', s.target, s.containers, s.cursor ?? null, facts]);
    for (const a of s.accounts) yield JSON.stringify(['A', s.target, a]);
    for (const g of s.groups) {
      const members = g.members.map((m) => position.get(m) ?? m);
      yield JSON.stringify(['G', s.target, { ...g, members }]);
    }
  }
}

export async function writeSnapshotFile(path: string, snapshots: readonly TargetSnapshot[], takenAt: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  const fh = await fs.open(tmp, 'w', 0o600);
  try {
    const header = JSON.stringify({ format: 'rollcall-snapshot', version: VERSION, taken_at: takenAt, lines_crc32: UNSUMMED }) + '\n';
    await fh.writeFile(header, 'utf8');
    let sum = 0;
    // Encoded once, for both the checksum and the file.
    const write = async (text: string): Promise<void> => {
      const bytes = Buffer.from(text, 'utf8');
      sum = crc32(bytes, sum);
      await fh.writeFile(bytes);
    };
    let parts: string[] = [];
    let size = 0;
    for (const line of snapshotLines(snapshots)) {
      parts.push(line);
      size += line.length + 1;
      if (size >= WRITE_BATCH) {
        parts.push('');
        await write(parts.join('\n'));
        parts = [];
        size = 0;
      }
    }
    if (parts.length > 0) {
      parts.push('');
      await write(parts.join('\n'));
    }
    const at = Buffer.byteLength(header.slice(0, header.indexOf(SUM_KEY) + SUM_KEY.length));
    await fh.write(Buffer.from(hex8(sum)), 0, UNSUMMED.length, at);
  } finally {
    await fh.close();
  }
  renameSync(tmp, path);
}

function parseError(path: string, line: number, summary: string): InputError {
  return new InputError([{ severity: 'error', code: 'snapshot.parse', summary, source: { file: path, line } }]);
}

/**
 * One string per distinct value of the account attributes that repeat across a district
 * (paths, names, who last modified it); see StringPool. Per read, so nothing outlives it.
 */
class SharedAttributes {
  private readonly paths = new StringPool();
  private readonly names = new StringPool();
  private readonly displayNames = new StringPool();
  private readonly modifiers = new StringPool();

  /** In place: only attributes that are strings are replaced, by an equal string. */
  account(a: unknown): void {
    if (a === null || typeof a !== 'object') return;
    const o = a as Partial<Record<keyof ObservedAccount, unknown>>;
    if (typeof o.path === 'string') o.path = this.paths.get(o.path);
    if (typeof o.displayName === 'string') o.displayName = this.displayNames.get(o.displayName);
    if (typeof o.familyName === 'string') o.familyName = this.names.get(o.familyName);
    if (typeof o.givenName === 'string') o.givenName = this.names.get(o.givenName);
    if (typeof o.modifiedBy === 'string') o.modifiedBy = this.modifiers.get(o.modifiedBy);
  }
}

/** A stored group with its members by account id again (see the version 2 note above). */
function memberIds(path: string, line: number, g: StoredGroup, accounts: readonly ObservedAccount[], positions: MemberPositionsBuilder): ObservedGroup {
  if (!Array.isArray(g.members)) throw parseError(path, line, 'a group without a member list');
  const members = g.members as unknown[];
  const pos = positions.reserve(members.length);
  const at = positions.at;
  for (let i = 0; i < members.length; i++) {
    const m = members[i];
    if (typeof m === 'number') {
      const a = Number.isInteger(m) ? accounts[m] : undefined;
      if (a === undefined) throw parseError(path, line, `a group member refers to account position ${m}, which the file does not have`);
      members[i] = a.id;
      pos[at + i] = m;
    } else if (typeof m !== 'string') throw parseError(path, line, 'a group member that is neither an account position nor an id');
    else pos[at + i] = -1;
  }
  positions.endGroup(members.length);
  return g as ObservedGroup;
}

/** The wrappers of a target's account and group lines, as written, for JsonLinePieces.unwrap. */
function wrappers(target: string): Buffer[] {
  return [Buffer.from(`["A",${JSON.stringify(target)},`), Buffer.from(`["G",${JSON.stringify(target)},`)];
}
const UNWRAPPED_ACCOUNT = 1;

/**
 * The checksum a header declares (`lines_crc32`) and the offset of the first byte after the
 * header line, which it covers; undefined for a file without one (written by an older rollcall)
 * or whose first line does not parse or cannot be read. The reader checks the header itself.
 */
function headerChecksum(fd: number): { sum: string; from: number } | undefined {
  try {
    const head = Buffer.alloc(4096);
    const n = readSync(fd, head, 0, head.length, 0);
    const nl = head.subarray(0, n).indexOf(0x0a);
    if (nl < 0) return undefined;
    const h = JSON.parse(head.toString('utf8', 0, nl)) as { lines_crc32?: unknown };
    return typeof h.lines_crc32 === 'string' && /^[0-9a-f]{8}$/.test(h.lines_crc32) ? { sum: h.lines_crc32, from: nl + 1 } : undefined;
  } catch {
    return undefined;
  }
}

/** `windowBytes`: the size of the pieces read; tests make it small to cross piece boundaries. */
export async function readSnapshotFile(path: string, windowBytes = WINDOW_BYTES): Promise<SnapshotFile> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw parseError(path, 0, `cannot read the snapshot file (${(e as NodeJS.ErrnoException).code ?? 'error'}); run \`rollcall refresh\` first`);
  }
  const byTarget = new Map<string, TargetSnapshot>();
  // Per target, where its groups' members are among its accounts (engine/model/member-positions.ts).
  const positions = new Map<string, MemberPositionsBuilder>();
  const positionsOf = (t: string): MemberPositionsBuilder => {
    let b = positions.get(t);
    if (!b) {
      b = new MemberPositionsBuilder();
      positions.set(t, b);
    }
    return b;
  };
  const snapshotOf = (t: string): TargetSnapshot => {
    let s = byTarget.get(t);
    if (!s) {
      s = { target: t, accounts: [], groups: [], containers: [] };
      byTarget.set(t, s);
    }
    return s;
  };
  const shared = new SharedAttributes();
  const lines = new JsonLinePieces(fd, windowBytes);
  const expectedSum = headerChecksum(fd);
  let crc = 0;
  if (expectedSum) {
    lines.sum = (bytes) => {
      crc = crc32(bytes, crc);
    };
    lines.sumFrom = expectedSum.from;
  }
  const facts = new Map<string, SnapshotFacts>();
  // The target whose wrappers the next piece strips: the last one seen, as lines of one
  // target come together.
  let unwrapping: string | undefined;
  let takenAt = '';
  let n = 0;
  try {
    for (const piece of lines.pieces()) {
      const { records, unwrapped } = piece;
      const pieceTarget = unwrapping === undefined ? undefined : snapshotOf(unwrapping);
      let snap: TargetSnapshot | undefined;
      n = piece.firstLine - 1;
      for (let i = 0; i < records.length; i++) {
        const parsed = records[i];
        n++;
        const kind = unwrapped[i]!;
        if (kind !== 0 && pieceTarget) {
          if (kind === UNWRAPPED_ACCOUNT) {
            shared.account(parsed);
            pieceTarget.accounts.push(parsed as ObservedAccount);
          } else pieceTarget.groups.push(memberIds(path, n, parsed as StoredGroup, pieceTarget.accounts, positionsOf(pieceTarget.target)));
          continue;
        }
        if (parsed === null) continue;
        if (n === 1) {
          const h = parsed as { format?: string; version?: unknown; taken_at?: string };
          if (h.format !== 'rollcall-snapshot') throw parseError(path, 1, 'not a rollcall snapshot file');
          if (h.version !== 1 && h.version !== VERSION) throw parseError(path, 1, `snapshot version ${String(h.version)} is not one this rollcall reads (1 or ${VERSION}); run \`rollcall refresh\` again`);
          takenAt = h.taken_at ?? '';
          continue;
        }
        const line = parsed as Line;
        const t = line[1];
        if (snap?.target !== t) snap = snapshotOf(t);
        if (line[0] === 'A') {
          shared.account(line[2]);
          snap.accounts.push(line[2]);
        } else if (line[0] === 'G') snap.groups.push(memberIds(path, n, line[2], snap.accounts, positionsOf(t)));
        else if (line[0] === 'T') {
          snap.containers = line[2];
          if (line[3]) snap.cursor = line[3];
          const f = line[4];
          if (f && typeof f.digest === 'string' && f.digest_scheme === SNAPSHOT_DIGEST_SCHEME && typeof f.unique_ids === 'boolean') facts.set(t, { digest: f.digest, uniqueIds: f.unique_ids });
        } else throw parseError(path, n, 'unknown record kind');
        if (typeof t === 'string' && t !== unwrapping) {
          unwrapping = t;
          lines.unwrap = wrappers(t);
        }
      }
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    if (e instanceof BrokenJsonLine) throw parseError(path, e.line, 'not valid JSON');
    throw parseError(path, n, `cannot read the snapshot file (${(e as NodeJS.ErrnoException).code ?? 'error'}); run \`rollcall refresh\` first`);
  } finally {
    closeSync(fd);
  }
  if (n === 0) throw parseError(path, 1, 'not a rollcall snapshot file');
  for (const [t, b] of positions) {
    const snap = byTarget.get(t)!;
    recordMemberPositions(snap.groups, snap.accounts, b.build());
  }
  if (expectedSum && hex8(crc) === expectedSum.sum) {
    for (const [t, f] of facts) recordSnapshotFacts(byTarget.get(t)!, f);
  }
  return { takenAt, snapshots: [...byTarget.values()] };
}

/**
 * The snapshots of `targets` from a snapshot file, refusing a target the file does not hold:
 * refresh reads only the targets enabled then, and a target planned with `--target` against
 * a file without it would otherwise look empty, and every account in it a create.
 */
export function snapshotsOf(file: SnapshotFile, path: string, targets: readonly string[]): TargetSnapshot[] {
  const held = new Set(file.snapshots.map((s) => s.target));
  const missing = targets.filter((t) => !held.has(t));
  if (missing.length > 0) {
    throw new InputError(missing.map((t) => ({
      severity: 'error' as const,
      code: 'snapshot.missing-target',
      summary: `the snapshot file has no target ${t} (refresh read ${[...held].join(', ') || 'none'}): run \`rollcall refresh\` with ${t} enabled, or plan it without --refresh=false`,
      source: { file: path },
    })));
  }
  return file.snapshots;
}
