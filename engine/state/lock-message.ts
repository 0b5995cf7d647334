import { RefusedError } from '../model/errors.js';
import type { LockInfo } from '../model/state-backend.js';

/** The one refusal text for a held lock, shared by every backend so operators see one shape. */
export function lockedError(where: string, info: LockInfo, timeoutMs: number): RefusedError {
  const waited = timeoutMs > 0 ? ` after waiting ${Math.round(timeoutMs / 1000)}s` : '';
  return new RefusedError(
    'state.locked',
    `state ${where} is locked by ${info.holder} since ${info.since} (operation: ${info.operation}, lock id ${info.id})${waited}. ` +
      `Wait for it to finish (--lock-timeout), or if that run is gone for good: rollcall force-unlock ${info.id}`,
  );
}

export function lockLostError(where: string, id: string): RefusedError {
  return new RefusedError('state.locked', `lock ${id} on state ${where} is no longer held (was it force-unlocked?); nothing was written`);
}

export function serialError(where: string, stored: number, expected: number): RefusedError {
  return new RefusedError(
    'state.serial',
    `state ${where} is at serial ${stored}, but this write expected serial ${expected}: another run changed state since it was read`,
  );
}

export function lineageError(where: string, stored: string, given: string): RefusedError {
  return new RefusedError('state.lineage', `state ${where} has lineage ${stored}, but this write carries lineage ${given}: it belongs to a different state`);
}

/** Poll delay while waiting for a lock: short at first, never past the deadline. */
export function pollDelay(attempt: number, remainingMs: number): number {
  return Math.max(0, Math.min(50 * 2 ** Math.min(attempt, 4), 500, remainingMs));
}
