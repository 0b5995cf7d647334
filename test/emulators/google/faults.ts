import { mulberry32 } from '../../../scripts/prng.js';
/**
 * Deterministic fault injection. One seeded PRNG (mulberry32) draws once per API call in
 * arrival order, so a run with the same seed and the same arrival order sees the same faults.
 * Options are mutable at run time (tests switch faults on and off).
 */
export interface FaultOptions {
  seed: number;
  /** Fraction of calls answered with a 5xx (500 backendError or 503). */
  errorRate: number;
  /**
   * Of those 5xx, the fraction sent AFTER the call took effect: the write is committed but the
   * client sees an error, so a retried create meets a 409 and must recognise its own account.
   */
  errorAfterCommitRate: number;
  /** Every `burstEvery` calls, the next `burstLength` calls get 429 with Retry-After. 0 = off. */
  burstEvery: number;
  burstLength: number;
  retryAfterSec: number;
  /** Fraction of calls delayed by `slowMs` before being answered. */
  slowRate: number;
  slowMs: number;
  /** Fraction of calls whose socket is destroyed without a reply (half after commit). */
  dropRate: number;
}

export const NO_FAULTS: FaultOptions = {
  seed: 1,
  errorRate: 0,
  errorAfterCommitRate: 0.5,
  burstEvery: 0,
  burstLength: 0,
  retryAfterSec: 1,
  slowRate: 0,
  slowMs: 0,
  dropRate: 0,
};

export type FaultDecision =
  | { kind: 'none'; delayMs: number }
  | { kind: 'error'; status: 500 | 503; afterCommit: boolean; delayMs: number }
  | { kind: 'throttle'; retryAfterSec: number; delayMs: number }
  | { kind: 'drop'; afterCommit: boolean; delayMs: number };

export { mulberry32 };

export class FaultInjector {
  private rand: () => number;
  private seq = 0;
  readonly injected = { errors: 0, throttled: 0, slow: 0, dropped: 0 };

  constructor(public options: FaultOptions) {
    this.rand = mulberry32(options.seed);
  }

  /** Replace the options and restart the PRNG from the (new) seed. */
  configure(patch: Partial<FaultOptions>): void {
    this.options = { ...this.options, ...patch };
    this.rand = mulberry32(this.options.seed);
    this.seq = 0;
  }

  decide(): FaultDecision {
    const o = this.options;
    const n = this.seq++;
    // Draw a fixed number of values per call so decisions stay aligned with the seed.
    const r1 = this.rand();
    const r2 = this.rand();
    const r3 = this.rand();
    const r4 = this.rand();
    const delayMs = r3 < o.slowRate ? o.slowMs : 0;
    if (delayMs > 0) this.injected.slow++;
    if (o.burstEvery > 0 && n % o.burstEvery >= o.burstEvery - o.burstLength) {
      this.injected.throttled++;
      return { kind: 'throttle', retryAfterSec: o.retryAfterSec, delayMs };
    }
    if (r1 < o.errorRate) {
      this.injected.errors++;
      return { kind: 'error', status: r4 < 0.5 ? 500 : 503, afterCommit: r2 < o.errorAfterCommitRate, delayMs };
    }
    if (r1 < o.errorRate + o.dropRate) {
      this.injected.dropped++;
      return { kind: 'drop', afterCommit: r2 < 0.5, delayMs };
    }
    return { kind: 'none', delayMs };
  }
}
