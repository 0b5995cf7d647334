import { type ApiResponse, apiError } from './wire.js';

/**
 * Per-user query quota: the documented default is 2,400 queries per minute per user per
 * project. Enforced as a sliding window (a log of accepted calls) so a client can never
 * exceed `limit` calls in any `windowMs` span. The window is configurable so tests can use
 * e.g. 50 calls per second. Rejected calls do not count.
 */
export interface QuotaOptions {
  limit: number;
  windowMs: number;
  /** Which 403 reason to send: Google uses both. */
  reason?: 'userRateLimitExceeded' | 'rateLimitExceeded';
}

export const DEFAULT_QUOTA: QuotaOptions = { limit: 2400, windowMs: 60_000 };

export class QuotaWindow {
  private readonly logs = new Map<string, number[]>();
  rejected = 0;
  accepted = 0;

  constructor(public options: QuotaOptions | null) {}

  /** Take one unit for `principal`, or return the 403 to send. */
  take(principal: string, now = performance.now()): ApiResponse | undefined {
    const o = this.options;
    if (!o) {
      this.accepted++;
      return undefined;
    }
    let log = this.logs.get(principal);
    if (!log) this.logs.set(principal, (log = []));
    const cutoff = now - o.windowMs;
    let drop = 0;
    while (drop < log.length && (log[drop] ?? 0) <= cutoff) drop++;
    if (drop > 0) log.splice(0, drop);
    if (log.length >= o.limit) {
      this.rejected++;
      const reason = o.reason ?? 'userRateLimitExceeded';
      return apiError(
        403,
        reason,
        reason === 'userRateLimitExceeded'
          ? "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service 'admin.googleapis.com'."
          : 'Rate Limit Exceeded',
        { domain: 'usageLimits', status: 'PERMISSION_DENIED' },
      );
    }
    log.push(now);
    this.accepted++;
    return undefined;
  }
}
