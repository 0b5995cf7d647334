/**
 * Time-related policy in one place: backoff with full jitter, Retry-After, a shared pause
 * after a 429 (Graph throttles per app, so one 429 means every worker should wait), and a
 * client-side sliding-window write limiter set from the documented 3,000 writes per 150 s.
 * `timeScale` shrinks every wait for tests against an accelerated emulator.
 */

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

export class Pacing {
  private pausedUntil = 0;
  private readonly stamps: number[] = [];
  private head = 0;
  private readonly windowMs: number;
  /**
   * Recent request latency (real ms). The server stamps a write when it arrives, which is
   * later than when we sent it; waiting this much longer than the window keeps our view of
   * the window behind the server's, so pacing does not trip 429s at the window's edge.
   */
  private latencyMs = 0;

  constructor(
    readonly timeScale: number,
    private readonly writeQuota: number,
    writeWindowSeconds: number,
  ) {
    this.windowMs = writeWindowSeconds * 1000 * timeScale;
  }

  /** Full-jitter exponential backoff: random in [0, min(cap, base * 2^attempt)). */
  backoffMs(attempt: number): number {
    const ceiling = Math.min(30_000, 500 * 2 ** Math.max(0, attempt - 1));
    return (ceiling / 2 + Math.random() * (ceiling / 2)) * this.timeScale;
  }

  /** Retry-After is whole seconds (or an HTTP date); default 1 s when absent. */
  retryAfterMs(headers: Record<string, string> | undefined): number {
    const raw = headers?.['retry-after'] ?? headers?.['Retry-After'];
    let seconds = 1;
    if (raw !== undefined) {
      const n = Number(raw);
      if (Number.isFinite(n) && n >= 0) seconds = n;
      else {
        const when = Date.parse(raw);
        if (!Number.isNaN(when)) seconds = Math.max(0, (when - Date.now()) / 1000);
      }
    }
    return seconds * 1000 * this.timeScale;
  }

  noteLatency(ms: number): void {
    this.latencyMs = Math.max(this.latencyMs * 0.99, ms);
  }

  /** Everyone waits until this time (after a 429). */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
  }

  async waitForPause(): Promise<void> {
    while (Date.now() < this.pausedUntil) await sleep(this.pausedUntil - Date.now());
  }

  /** Takes `n` write slots, waiting while the window is full. */
  async acquireWrites(n: number): Promise<void> {
    if (n <= 0) return;
    const take = Math.min(n, this.writeQuota);
    for (;;) {
      const now = Date.now();
      const windowMs = this.windowMs + this.latencyMs;
      while (this.head < this.stamps.length && this.stamps[this.head]! <= now - windowMs) this.head++;
      if (this.head > 8192) {
        this.stamps.splice(0, this.head);
        this.head = 0;
      }
      const used = this.stamps.length - this.head;
      if (used + take <= this.writeQuota) {
        for (let i = 0; i < take; i++) this.stamps.push(now);
        return;
      }
      const oldestNeeded = this.stamps[this.head + (used + take - this.writeQuota) - 1]!;
      await sleep(oldestNeeded + windowMs - now + 1);
    }
  }
}

export function isRetriableStatus(status: number): boolean {
  return status === 429 || status >= 500 || status === 408;
}
