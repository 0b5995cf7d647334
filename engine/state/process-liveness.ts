import { readFileSync } from 'node:fs';
import { processIsGone } from './holder.js';

/**
 * Is a lock holder on this host provably gone? `kill(pid, 0)` answers "no such process",
 * but after a reboot or a long time a pid is reused by an unrelated process. On Linux the
 * lock also records the boot id and the holder's start time (in clock ticks since boot),
 * so "same pid, different boot or different start time" also proves the holder is gone.
 * Without that evidence a live pid counts as a live holder: only force-unlock removes it.
 */

export interface ProcessMark {
  /** /proc/sys/kernel/random/boot_id; absent off Linux. */
  boot_id?: string;
  /** Field 22 of /proc/<pid>/stat; absent off Linux. */
  start_ticks?: string;
}

let cachedBoot: string | null | undefined;

export function bootId(): string | undefined {
  if (cachedBoot === undefined) {
    try {
      cachedBoot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      cachedBoot = null;
    }
  }
  return cachedBoot ?? undefined;
}

export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19];
  } catch {
    return undefined;
  }
}

/** The mark for a process: only for this very process can we vouch for the start time. */
export function markFor(pid: number): ProcessMark {
  const mark: ProcessMark = {};
  const boot = bootId();
  if (boot) mark.boot_id = boot;
  if (pid === process.pid) {
    const start = processStartTicks(pid);
    if (start) mark.start_ticks = start;
  }
  return mark;
}

/** Call only for a lock recorded on this host. */
export function holderIsGone(pid: number, mark: ProcessMark): boolean {
  if (processIsGone(pid)) return true;
  const boot = bootId();
  if (mark.boot_id && boot) {
    if (mark.boot_id !== boot) return true;
    if (mark.start_ticks) {
      const now = processStartTicks(pid);
      if (now !== undefined && now !== mark.start_ticks) return true;
    }
  }
  return false;
}
