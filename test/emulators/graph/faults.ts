import { Prng } from './prng.js';
import type { FaultOptions } from './types.js';

export type FaultDecision = { kind: 'none' } | { kind: 'error'; status: number } | { kind: 'burst'; retryAfterMs: number };

/**
 * Injected failures, all drawn from one seeded PRNG so a run is reproducible. Faults can be
 * changed at run time (`emulator.faults.set({...})`) so a test can heal the service.
 */
export class FaultInjector {
  opts: FaultOptions;
  private readonly prng: Prng;
  private burstUntil = 0;
  readonly counts = { errors: 0, bursts: 0, throttled: 0, slow: 0, dropped: 0 };

  constructor(seed: number, opts: Partial<FaultOptions> = {}) {
    this.prng = new Prng(seed ^ 0x5eed);
    this.opts = { errorRate: 0, burstRate: 0, burstMs: 0, slowRate: 0, slowMs: 0, dropRate: 0, ...opts };
  }

  set(opts: Partial<FaultOptions>): void {
    this.opts = { ...this.opts, ...opts };
    if (!this.opts.burstRate) this.burstUntil = 0;
  }

  /** For one request or one request inside a batch: 5xx, a 429 burst, or nothing. */
  decide(now: number): FaultDecision {
    if (now < this.burstUntil) {
      this.counts.throttled++;
      return { kind: 'burst', retryAfterMs: this.burstUntil - now };
    }
    if (this.prng.chance(this.opts.burstRate)) {
      this.burstUntil = now + this.opts.burstMs;
      this.counts.bursts++;
      this.counts.throttled++;
      return { kind: 'burst', retryAfterMs: this.opts.burstMs };
    }
    if (this.prng.chance(this.opts.errorRate)) {
      this.counts.errors++;
      const statuses = [503, 500, 504, 502];
      return { kind: 'error', status: statuses[Math.floor(this.prng.next() * statuses.length)]! };
    }
    return { kind: 'none' };
  }

  slowMs(): number {
    if (!this.prng.chance(this.opts.slowRate)) return 0;
    this.counts.slow++;
    return this.opts.slowMs;
  }

  drop(): boolean {
    const d = this.prng.chance(this.opts.dropRate);
    if (d) this.counts.dropped++;
    return d;
  }
}
