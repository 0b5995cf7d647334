import { mulberry32 } from './prng.js';

/**
 * Deterministic fault injection for the data endpoints: one draw per request, in arrival
 * order, from a PRNG seeded by `seed`, so a sequential client sees the same faults every run.
 * - a 429 burst: with probability `rate429` a request starts a burst of `burst429` 429s
 *   (that request included), each with `Retry-After: retryAfterSeconds`;
 * - 5xx: with probability `rate5xx`, a 500 or 503;
 * - slow: with probability `slowRate`, the response waits `slowMs` first.
 * `script` overrides the draws for the first requests (e.g. ['429', '503', 'ok']).
 */

export interface FaultOptions {
  seed: number;
  rate429: number;
  burst429: number;
  retryAfterSeconds: number;
  rate5xx: number;
  slowRate: number;
  slowMs: number;
  script: Fault[];
}

export type Fault = 'ok' | '429' | '500' | '503' | 'slow';

export const NO_FAULTS: FaultOptions = { seed: 1, rate429: 0, burst429: 3, retryAfterSeconds: 1, rate5xx: 0, slowRate: 0, slowMs: 0, script: [] };

export class FaultInjector {
  readonly options: FaultOptions;
  private readonly rng: () => number;
  private burstLeft = 0;
  private n = 0;
  readonly counts: Record<Fault, number> = { ok: 0, '429': 0, '500': 0, '503': 0, slow: 0 };

  constructor(opts: Partial<FaultOptions> = {}) {
    this.options = { ...NO_FAULTS, ...opts };
    this.rng = mulberry32(this.options.seed);
  }

  next(): Fault {
    const f = this.draw();
    this.counts[f]++;
    return f;
  }

  private draw(): Fault {
    const o = this.options;
    const i = this.n++;
    // Always three draws per request, so one knob does not shift the others' schedule.
    const a = this.rng();
    const b = this.rng();
    const c = this.rng();
    if (i < o.script.length) return o.script[i]!;
    if (this.burstLeft > 0) {
      this.burstLeft--;
      return '429';
    }
    if (a < o.rate429) {
      this.burstLeft = Math.max(0, o.burst429 - 1);
      return '429';
    }
    if (b < o.rate5xx) return b < o.rate5xx / 2 ? '500' : '503';
    if (c < o.slowRate) return 'slow';
    return 'ok';
  }
}
