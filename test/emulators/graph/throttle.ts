/**
 * Sliding-window limits as Graph applies them: a request over the limit gets 429 with
 * Retry-After = whole (emulated) seconds until the oldest request in the window ages out.
 */
export class SlidingWindow {
  private readonly stamps: number[] = [];
  private head = 0;
  constructor(
    readonly limit: number,
    /** Real milliseconds. */
    readonly windowMs: number,
  ) {}

  private prune(now: number): void {
    while (this.head < this.stamps.length && this.stamps[this.head]! <= now - this.windowMs) this.head++;
    if (this.head > 4096 && this.head * 2 > this.stamps.length) {
      this.stamps.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Takes one unit; returns 0 when admitted, otherwise real ms until a unit frees up. */
  take(now: number): number {
    this.prune(now);
    if (this.stamps.length - this.head < this.limit) {
      this.stamps.push(now);
      return 0;
    }
    return this.stamps[this.head]! + this.windowMs - now;
  }

  used(now: number): number {
    this.prune(now);
    return this.stamps.length - this.head;
  }
}
