import type { ChangeOutcome } from '../../engine/model/provider.js';
import { ApiFailure } from './errors.js';

/** Helpers that turn API answers into per-change outcomes. Messages carry no secrets. */

export const applied = (objectId?: string): ChangeOutcome => (objectId ? { status: 'applied', objectId } : { status: 'applied' });
export const already = (objectId?: string): ChangeOutcome => (objectId ? { status: 'already', objectId } : { status: 'already' });
export const terminal = (error: string): ChangeOutcome => ({ status: 'failed', error, terminal: true });

/** The failure kind of an error thrown by Transport.call, if it was an API failure. */
export function kindOf(e: unknown): string | undefined {
  return e instanceof ApiFailure ? e.failure.kind : undefined;
}

/**
 * An unexpected error: retryable kinds that exhausted their attempts are not terminal (a
 * later apply may succeed); 4xx answers are.
 */
export function failed(e: unknown, what: string): ChangeOutcome {
  if (e instanceof ApiFailure) {
    const transient = ['rate', 'throttle', 'server', 'network'].includes(e.failure.kind);
    return { status: 'failed', error: `${what}: ${e.message}${transient ? ` (gave up after ${e.attempts} attempts)` : ''}`, terminal: !transient };
  }
  return { status: 'failed', error: `${what}: ${e instanceof Error ? e.message : String(e)}`, terminal: false };
}
