import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AccountAttrs } from '../../engine/model/accounts.js';

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

export class SandboxStore {
  readonly dir: string;
  data: SandboxData;

  /** Indexes kept in step with `data`, so apply stays linear at district scale. */
  readonly byAnchor = new Map<string, string>();
  readonly byUsername = new Map<string, string>();
  readonly groupByName = new Map<string, string>();
  private dirReady = false;

  constructor(dir: string) {
    this.dir = dir;
    this.data = SandboxStore.load(dir);
    for (const a of Object.values(this.data.accounts)) this.indexAccount(a, true);
    for (const g of Object.values(this.data.groups)) this.groupByName.set(g.name, g.id);
  }

  private indexAccount(a: SandboxAccount, add: boolean): void {
    if (add) {
      if (a.anchor !== null) this.byAnchor.set(a.anchor, a.id);
      this.byUsername.set(a.username, a.id);
    } else {
      if (a.anchor !== null && this.byAnchor.get(a.anchor) === a.id) this.byAnchor.delete(a.anchor);
      if (this.byUsername.get(a.username) === a.id) this.byUsername.delete(a.username);
    }
  }

  static load(dir: string): SandboxData {
    const data: SandboxData = { seq: 0, accounts: {}, groups: {}, containers: [] };
    const base = join(dir, 'directory.json');
    if (existsSync(base)) Object.assign(data, JSON.parse(readFileSync(base, 'utf8')) as SandboxData);
    const log = join(dir, 'ops.jsonl');
    if (existsSync(log)) {
      const lines = readFileSync(log, 'utf8').split('\n');
      for (const line of lines) {
        if (!line) continue;
        let op: SandboxOp;
        try {
          op = JSON.parse(line) as SandboxOp;
        } catch {
          continue; // a torn last line from a crash mid-append: the op never completed
        }
        SandboxStore.replay(data, op);
      }
    }
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
    if (op.op === 'put-account' || op.op === 'delete-account') {
      const old = this.data.accounts[op.op === 'put-account' ? op.account.id : op.id];
      if (old) this.indexAccount(old, false);
      if (op.op === 'put-account') this.indexAccount(op.account, true);
    }
    if (op.op === 'put-group') this.groupByName.set(op.group.name, op.group.id);
    SandboxStore.replay(this.data, op);
    if (!this.dirReady) {
      mkdirSync(this.dir, { recursive: true });
      this.dirReady = true;
    }
    appendFileSync(join(this.dir, 'ops.jsonl'), JSON.stringify(op) + '\n');
  }

  nextId(prefix: string): string {
    const seq = this.data.seq + 1;
    this.commit({ op: 'seq', seq });
    return `${prefix}${String(seq).padStart(6, '0')}`;
  }

  /** Fold the log into the base: write-rename with fsync, then truncate the log. */
  compact(): void {
    mkdirSync(this.dir, { recursive: true });
    const base = join(this.dir, 'directory.json');
    const tmp = `${base}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(this.data));
    const fd = openSync(tmp, 'r+');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, base);
    writeFileSync(join(this.dir, 'ops.jsonl'), '');
  }
}
