import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, statSync, writeFileSync } from 'node:fs';
import { LineWindow } from '../../engine/state/line-window.js';
import { join } from 'node:path';
import type { AccountAttrs } from '../../engine/model/accounts.js';
import { readDirectoryFile, writeDirectoryFile } from './directory-file.js';

/**
 * The sandbox directory on disk: `directory.json` (a compacted base) plus `ops.jsonl`, an
 * append-only log of operations. Appending one line per change keeps apply linear and
 * crash-safe (a SIGKILL cannot tear an appended line that the kernel already has); reading
 * replays the log over the base. `compact()` folds the log into the base atomically.
 */

export interface SandboxAccount extends AccountAttrs {
  id: string;
  anchor: string | null;
  aliases: string[];
  /** scrypt hash of the initial password; never the password. */
  passwordHash?: string;
  mustChangePassword?: boolean;
}

export interface SandboxGroup {
  id: string;
  name: string;
  description: string;
  members: string[];
  managed: boolean;
}

export interface SandboxData {
  seq: number;
  accounts: Record<string, SandboxAccount>;
  groups: Record<string, SandboxGroup>;
  containers: string[];
}

export type SandboxOp =
  | { op: 'put-account'; account: SandboxAccount }
  | { op: 'delete-account'; id: string }
  | { op: 'put-group'; group: SandboxGroup }
  | { op: 'add-member'; group: string; member: string }
  | { op: 'remove-member'; group: string; member: string }
  | { op: 'add-container'; path: string }
  | { op: 'seq'; seq: number };

/**
 * The operations in the log, read in windows (an apply of a million accounts logs more than
 * fits in one string). A torn last line from a crash mid-append is skipped: that op never completed.
 */
function* readOps(log: string): Generator<SandboxOp> {
  const fd = openSync(log, 'r');
  try {
    for (const piece of new LineWindow(fd, 4 * 2 ** 20).pieces()) {
      let ops: SandboxOp[] | undefined;
      try {
        ops = JSON.parse(`[${piece.text.replaceAll('\n', ',')}]`) as SandboxOp[];
      } catch {
        ops = undefined;
      }
      if (ops) {
        yield* ops;
        continue;
      }
      for (const line of piece.text.split('\n')) {
        if (!line) continue;
        try {
          yield JSON.parse(line) as SandboxOp;
        } catch {
          continue;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Membership sets beside the arrays, so add/has stay O(1) for groups of thousands. */
const memberSets = new WeakMap<SandboxGroup, Set<string>>();
export function memberSet(g: SandboxGroup): Set<string> {
  let s = memberSets.get(g);
  if (!s) {
    s = new Set(g.members);
    memberSets.set(g, s);
  }
  return s;
}

/** What the files looked like when last read, to tell whether another writer changed them. */
interface Stamp {
  base: string;
  opsSize: number;
}

function stampOf(dir: string): Stamp {
  const base = statSync(join(dir, 'directory.json'), { throwIfNoEntry: false });
  const ops = statSync(join(dir, 'ops.jsonl'), { throwIfNoEntry: false });
  return { base: base ? `${base.ino}:${base.size}:${base.mtimeMs}` : '', opsSize: ops?.size ?? 0 };
}

export class SandboxStore {
  readonly dir: string;
  private current: SandboxData | undefined;
  private stamp: Stamp | undefined;
  /** Set once this store appends an operation; only then is there anything to compact. */
  private appended = false;

  /** Indexes kept in step with `data`, so apply stays linear at district scale. */
  private readonly anchors = new Map<string, string>();
  private readonly usernames = new Map<string, string>();
  private readonly groupNames = new Map<string, string>();
  private hasIndexes = false;
  private dirReady = false;

  /** Reads nothing yet: the directory is loaded on first use, once. */
  constructor(dir: string) {
    this.dir = dir;
  }

  get data(): SandboxData {
    return this.current ?? this.reload();
  }

  get byAnchor(): Map<string, string> {
    this.indexed();
    return this.anchors;
  }

  get byUsername(): Map<string, string> {
    this.indexed();
    return this.usernames;
  }

  get groupByName(): Map<string, string> {
    this.indexed();
    return this.groupNames;
  }

  /** The indexes, built on first use: a plan only reads, and a million accounts take seconds to index. */
  private indexed(): void {
    const data = this.data;
    if (this.hasIndexes) return;
    this.anchors.clear();
    this.usernames.clear();
    this.groupNames.clear();
    for (const a of Object.values(data.accounts)) this.indexAccount(a, true);
    for (const g of Object.values(data.groups)) this.groupNames.set(g.name, g.id);
    this.hasIndexes = true;
  }

  /** True when this store appended operations that compact() has not folded in yet. */
  get dirty(): boolean {
    return this.appended;
  }

  /**
   * The directory as it is on disk now. The copy in memory is reused unless the files changed
   * behind this store's back (another process, or another store on the same directory).
   */
  fresh(): SandboxData {
    if (this.current === undefined || this.stamp === undefined) return this.reload();
    const now = stampOf(this.dir);
    return now.base === this.stamp.base && now.opsSize === this.stamp.opsSize ? this.current : this.reload();
  }

  private reload(): SandboxData {
    const stamp = stampOf(this.dir);
    const data = SandboxStore.load(this.dir);
    this.hasIndexes = false;
    this.current = data;
    this.stamp = stamp;
    return data;
  }

  private indexAccount(a: SandboxAccount, add: boolean): void {
    if (add) {
      if (a.anchor !== null) this.anchors.set(a.anchor, a.id);
      this.usernames.set(a.username, a.id);
    } else {
      if (a.anchor !== null && this.anchors.get(a.anchor) === a.id) this.anchors.delete(a.anchor);
      if (this.usernames.get(a.username) === a.id) this.usernames.delete(a.username);
    }
  }

  static load(dir: string): SandboxData {
    const data: SandboxData = { seq: 0, accounts: {}, groups: {}, containers: [] };
    const base = join(dir, 'directory.json');
    if (existsSync(base)) Object.assign(data, readDirectoryFile(base));
    const log = join(dir, 'ops.jsonl');
    if (existsSync(log)) for (const op of readOps(log)) SandboxStore.replay(data, op);
    return data;
  }

  static replay(data: SandboxData, op: SandboxOp): void {
    switch (op.op) {
      case 'add-member': {
        const g = data.groups[op.group];
        if (g && !memberSet(g).has(op.member)) {
          g.members.push(op.member);
          memberSet(g).add(op.member);
        }
        break;
      }
      case 'remove-member': {
        const g = data.groups[op.group];
        if (g && memberSet(g).has(op.member)) {
          g.members = g.members.filter((m) => m !== op.member);
          memberSet(g).delete(op.member);
        }
        break;
      }
      case 'put-account': data.accounts[op.account.id] = op.account; break;
      case 'delete-account': delete data.accounts[op.id]; break;
      case 'put-group': data.groups[op.group.id] = op.group; break;
      case 'add-container': if (!data.containers.includes(op.path)) data.containers.push(op.path); break;
      case 'seq': data.seq = Math.max(data.seq, op.seq); break;
    }
  }

  /** Apply in memory and append to the log. */
  commit(op: SandboxOp): void {
    const data = this.data;
    this.indexed();
    if (op.op === 'put-account' || op.op === 'delete-account') {
      const old = data.accounts[op.op === 'put-account' ? op.account.id : op.id];
      if (old) this.indexAccount(old, false);
      if (op.op === 'put-account') this.indexAccount(op.account, true);
    }
    if (op.op === 'put-group') this.groupNames.set(op.group.name, op.group.id);
    SandboxStore.replay(data, op);
    if (!this.dirReady) {
      mkdirSync(this.dir, { recursive: true });
      this.dirReady = true;
    }
    const line = JSON.stringify(op) + '\n';
    appendFileSync(join(this.dir, 'ops.jsonl'), line);
    this.appended = true;
    // Our own append keeps the copy in memory current; anyone else's shows as a size mismatch.
    if (this.stamp) this.stamp = { base: this.stamp.base, opsSize: this.stamp.opsSize + Buffer.byteLength(line) };
  }

  nextId(prefix: string): string {
    const seq = this.data.seq + 1;
    this.commit({ op: 'seq', seq });
    return `${prefix}${String(seq).padStart(6, '0')}`;
  }

  /** Fold the log into the base: write-rename with fsync, then truncate the log. */
  compact(): void {
    const data = this.data;
    mkdirSync(this.dir, { recursive: true });
    writeDirectoryFile(join(this.dir, 'directory.json'), data);
    writeFileSync(join(this.dir, 'ops.jsonl'), '');
    this.appended = false;
    this.stamp = stampOf(this.dir);
  }
}
