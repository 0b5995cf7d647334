import { randomBytes, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { LockInfo } from '../model/state-backend.js';
import { fsyncDir, readIfExists } from './fs-durable.js';
import { type HolderIdentity, sleep } from './holder.js';
import { lockedError, pollDelay } from './lock-message.js';
import { holderIsGone, markFor, type ProcessMark } from './process-liveness.js';

/**
 * The local lock: a file `<state>.lock` that exists exactly while someone holds the lock.
 * It is created complete and atomically: the info is written to a temp file, then hard-linked
 * to the lock name (link fails with EEXIST if the lock exists), so no reader ever sees a
 * half-written lock. Filesystems without hard links fall back to O_EXCL create (`wx`).
 */

export interface LocalLockRecord extends LockInfo, ProcessMark {
  hostname: string;
  pid: number;
}

/** What sits in the lock file. `unreadable` when it cannot be parsed (hand-edited, disk trouble). */
export async function readLockFile(lockPath: string): Promise<LocalLockRecord | null> {
  const text = await readIfExists(lockPath);
  if (text === null) return null;
  try {
    const v = JSON.parse(text) as Partial<LocalLockRecord>;
    if (typeof v.id === 'string' && typeof v.holder === 'string' && typeof v.since === 'string') {
      return {
        id: v.id,
        holder: v.holder,
        operation: v.operation ?? 'state',
        since: v.since,
        hostname: typeof v.hostname === 'string' ? v.hostname : '',
        pid: typeof v.pid === 'number' ? v.pid : 0,
        ...(typeof v.boot_id === 'string' ? { boot_id: v.boot_id } : {}),
        ...(typeof v.start_ticks === 'string' ? { start_ticks: v.start_ticks } : {}),
      };
    }
  } catch {
    // fall through
  }
  const st = await fs.stat(lockPath).catch(() => null);
  return { id: 'unreadable', holder: `unknown (unreadable lock file ${lockPath})`, operation: 'state', since: st ? st.mtime.toISOString() : 'unknown', hostname: '', pid: 0 };
}

async function tryCreate(lockPath: string, record: LocalLockRecord): Promise<boolean> {
  const body = JSON.stringify(record, null, 2) + '\n';
  const tmp = `${lockPath}.new-${process.pid}-${randomBytes(4).toString('hex')}`;
  // fsynced so that after a power cut the lock names its holder instead of being empty.
  const fh = await fs.open(tmp, 'wx', 0o644);
  try {
    await fh.writeFile(body, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await fs.link(tmp, lockPath);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
    // No hard links here: O_EXCL create. A crash between create and write leaves an
    // `unreadable` lock that needs force-unlock, which is safe, just less convenient.
    try {
      await fs.writeFile(lockPath, body, { flag: 'wx', mode: 0o644 });
      return true;
    } catch (err2) {
      if ((err2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err2;
    }
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/**
 * Remove the lock file only if it is still the one with `id`. The file is first renamed
 * aside (atomic), then checked: if a live holder replaced it in between, it is put back.
 */
export async function removeLockIf(lockPath: string, id: string): Promise<boolean> {
  const aside = `${lockPath}.broken-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await fs.rename(lockPath, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  const moved = await readLockFile(aside);
  if (moved?.id === id) {
    await fs.rm(aside, { force: true });
    await fsyncDir(dirname(lockPath));
    return true;
  }
  // Not ours to remove: restore it. If someone else created a lock meanwhile (a race of
  // microseconds), theirs stands and the displaced holder finds out at its next write,
  // which checks ownership before touching state.
  await fs.link(aside, lockPath).catch(() => undefined);
  await fs.rm(aside, { force: true });
  return false;
}

export interface AcquireOptions {
  lockPath: string;
  where: string;
  identity: HolderIdentity;
  operation: LockInfo['operation'];
  timeoutMs: number;
  now: () => Date;
  onNotice?: (message: string) => void;
}

export async function acquireLocalLock(o: AcquireOptions): Promise<LocalLockRecord> {
  await fs.mkdir(dirname(o.lockPath), { recursive: true });
  const deadline = Date.now() + Math.max(0, o.timeoutMs);
  for (let attempt = 0; ; attempt++) {
    const record: LocalLockRecord = {
      id: randomUUID(),
      holder: o.identity.holder,
      operation: o.operation,
      since: o.now().toISOString(),
      hostname: o.identity.hostname,
      pid: o.identity.pid,
      ...markFor(o.identity.pid),
    };
    if (await tryCreate(o.lockPath, record)) {
      await fsyncDir(dirname(o.lockPath));
      return record;
    }
    const held = await readLockFile(o.lockPath);
    if (held === null) continue; // released between our attempt and the read
    if (held.hostname === o.identity.hostname && holderIsGone(held.pid, held)) {
      if (await removeLockIf(o.lockPath, held.id)) {
        o.onNotice?.(
          `broke stale lock ${held.id} on state ${o.where}: its holder ${held.holder} (pid ${held.pid} on this host, since ${held.since}) is no longer running`,
        );
      }
      continue;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw lockedError(o.where, held, o.timeoutMs);
    await sleep(pollDelay(attempt, remaining));
  }
}

/**
 * Side files of lock attempts by processes that died mid-attempt. Only old ones: a live
 * process may be between writing its `.new-` file and linking it.
 */
export async function removeOldLockLeftovers(lockPath: string, nowMs: number): Promise<void> {
  const dir = dirname(lockPath);
  const base = basename(lockPath);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const n of names) {
    if (!n.startsWith(`${base}.new-`) && !n.startsWith(`${base}.broken-`)) continue;
    const st = await fs.stat(join(dir, n)).catch(() => null);
    if (st && nowMs - st.mtimeMs > 60_000) await fs.rm(join(dir, n), { force: true });
  }
}
