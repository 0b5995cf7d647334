/**
 * What a failed Directory API call means for us. Gaxios errors carry the HTTP status and
 * Google's error body ({error: {code, message, errors: [{reason}]}}); network failures
 * (dropped connections, resets) carry only a code.
 */
export type FailureKind = 'rate' | 'throttle' | 'server' | 'network' | 'conflict' | 'notFound' | 'precondition' | 'auth' | 'invalid';

export interface Failure {
  kind: FailureKind;
  status: number | undefined;
  reason: string | undefined;
  /** Google's message, which never contains a password (we never send plaintext back). */
  message: string;
  retryAfterMs: number | undefined;
}

const RATE_REASONS = new Set(['userRateLimitExceeded', 'rateLimitExceeded', 'quotaExceeded', 'dailyLimitExceeded']);

interface ErrorLike {
  status?: unknown;
  code?: unknown;
  message?: unknown;
  response?: { status?: unknown; data?: unknown; headers?: unknown };
}

function retryAfter(headers: unknown): number | undefined {
  let v: string | null | undefined;
  if (headers && typeof (headers as { get?: unknown }).get === 'function') v = (headers as Headers).get('retry-after');
  else if (headers && typeof headers === 'object') v = (headers as Record<string, string | undefined>)['retry-after'];
  if (!v) return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

export function classify(err: unknown): Failure {
  const e = (err ?? {}) as ErrorLike;
  const status = typeof e.response?.status === 'number' ? e.response.status : typeof e.status === 'number' ? e.status : undefined;
  const data = e.response?.data as { error?: { message?: unknown; errors?: { reason?: unknown }[] } } | undefined;
  const reason = typeof data?.error?.errors?.[0]?.reason === 'string' ? data.error.errors[0].reason : undefined;
  const message = typeof data?.error?.message === 'string' ? data.error.message : typeof e.message === 'string' ? e.message : String(err);
  const base = { status, reason, message, retryAfterMs: retryAfter(e.response?.headers) };
  if (status === undefined) return { ...base, kind: 'network' };
  if (status === 429) return { ...base, kind: 'throttle' };
  if (status === 403 && reason !== undefined && RATE_REASONS.has(reason)) return { ...base, kind: 'rate' };
  if (status >= 500) return { ...base, kind: 'server' };
  if (status === 409) return { ...base, kind: 'conflict' };
  if (status === 404) return { ...base, kind: 'notFound' };
  if (status === 412) return { ...base, kind: 'precondition' };
  if (status === 401 || status === 403) return { ...base, kind: 'auth' };
  return { ...base, kind: 'invalid' };
}

export const RETRYABLE: ReadonlySet<FailureKind> = new Set(['rate', 'throttle', 'server', 'network']);

/** A failed call after retries, carrying its classification. */
export class ApiFailure extends Error {
  constructor(readonly failure: Failure, readonly attempts: number) {
    super(`${failure.status ?? 'network'} ${failure.reason ?? ''} ${failure.message}`.replace(/\s+/g, ' ').trim());
    this.name = 'ApiFailure';
  }
}
