/**
 * Client-side throughput control: a rate limiter (GCRA, the "virtual scheduling" form of a
 * token bucket) and a semaphore bounding requests in flight.
 *
 * The limiter admits at most `burst + window/interval` calls in any window. To stay under
 * Google's quota Q per 60 s in every 60 s span we set interval = 60 s / (Q - burst), so
 * burst + 60 s / interval = Q: a small burst at start, then an even stream. A 1% margin
 * absorbs network jitter (calls sent evenly can arrive bunched).
 */
export const SAFETY = 0.99;

export class RateLimiter {
  private tat = 0;
  private readonly interval: number;
  private readonly tau: number;
  /** Actual send times in the last window: a guard for when timers fire late and bunch calls. */
  private readonly sent: number[] = [];
  private readonly cap: number;

  /** `limit` calls per `windowMs` (Google: 2,400 per 60,000 ms). */
  constructor(limit: number, private readonly windowMs = 60_000, burst = Math.min(10, Math.max(1, Math.floor(limit / 240)))) {
    const steady = Math.max(1, (limit - burst) * SAFETY);
    this.interval = windowMs / steady;
    this.tau = (burst - 1) * this.interval;
    this.cap = Math.max(1, Math.floor(limit * SAFETY));
  }

  /**
   * Resolve when one call may be sent, with the time (performance.now()) it was admitted.
   * Reservations are made in call order.
   */
  async acquire(): Promise<number> {
    const now = performance.now();
    const tat = Math.max(this.tat, now);
    const allowAt = tat - this.tau;
    this.tat = tat + this.interval;
    const wait = allowAt - now;
    if (wait > 0) await sleep(wait);
    // After an event-loop stall, late timers release several calls at once; never let the
    // calls actually sent in any window exceed the cap.
    for (;;) {
      const t = performance.now();
      while (this.sent.length > 0 && (this.sent[0] ?? 0) <= t - this.windowMs) this.sent.shift();
      if (this.sent.length < this.cap) {
        this.sent.push(t);
        return t;
      }
      await sleep((this.sent[0] ?? t) + this.windowMs - t + 1);
    }
  }

  /** Hold every call until `untilMs` (performance.now() time), e.g. after a 429 Retry-After. */
  pauseUntil(untilMs: number): void {
    this.tat = Math.max(this.tat, untilMs + this.tau);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Semaphore {
  private active = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    await new Promise<void>((r) => this.waiters.push(r));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.active--;
  }
}
