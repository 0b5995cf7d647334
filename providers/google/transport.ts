import { RateLimiter, Semaphore } from './limiter.js';
import { ApiFailure, RETRYABLE, classify } from './errors.js';

/**
 * Every Directory API call goes through here: bounded concurrency, the client-side quota,
 * and our own retry policy (gaxios' retry is off, so nothing retries behind our back).
 * Retried: 403 rate-limit reasons, 429 (honouring Retry-After, which pauses all calls),
 * 5xx and dropped connections, with exponential backoff and jitter. Never retried: 409 and
 * other 4xx, which are answers, not accidents.
 */
export interface TransportOptions {
  qpm: number;
  /** The span `qpm` is counted over: 60,000 ms for Google; tests and benchmarks shrink it. */
  quotaWindowMs?: number;
  concurrency: number;
  retry: { baseMs: number; maxMs: number; maxAttempts: number };
  /** Injected for deterministic tests; defaults to Math.random. */
  random?: () => number;
}

export interface TransportStats {
  calls: number;
  retries: number;
  byKind: Record<string, number>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Transport {
  private readonly limiter: RateLimiter;
  private readonly slots: Semaphore;
  private readonly random: () => number;
  readonly stats: TransportStats = { calls: 0, retries: 0, byKind: {} };

  constructor(private readonly opts: TransportOptions) {
    this.limiter = new RateLimiter(opts.qpm, opts.quotaWindowMs ?? 60_000);
    this.slots = new Semaphore(opts.concurrency);
    this.random = opts.random ?? Math.random;
  }

  /** Backoff before attempt `n` (1-based retries): "equal jitter" on base * 2^(n-1), capped. */
  backoffMs(n: number): number {
    const d = Math.min(this.opts.retry.maxMs, this.opts.retry.baseMs * 2 ** (n - 1));
    return d / 2 + this.random() * (d / 2);
  }

  async call<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      await this.slots.acquire();
      let failure;
      try {
        await this.limiter.acquire();
        this.stats.calls++;
        return await fn();
      } catch (err) {
        failure = classify(err);
      } finally {
        this.slots.release();
      }
      this.stats.byKind[failure.kind] = (this.stats.byKind[failure.kind] ?? 0) + 1;
      if (!RETRYABLE.has(failure.kind) || attempt >= this.opts.retry.maxAttempts) throw new ApiFailure(failure, attempt);
      this.stats.retries++;
      let wait = this.backoffMs(attempt);
      if (failure.retryAfterMs !== undefined) {
        wait = Math.max(wait, failure.retryAfterMs);
        // The server asked everyone to wait, not just this call.
        this.limiter.pauseUntil(performance.now() + failure.retryAfterMs);
      }
      await sleep(wait);
    }
  }
}
