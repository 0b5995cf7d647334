import { describe, expect, it } from 'vitest';
import { RateLimiter, SAFETY, Semaphore } from '../../providers/google/limiter.js';
import { Transport } from '../../providers/google/transport.js';
import { classify } from '../../providers/google/errors.js';

describe('google rate limiter', () => {
  it('never releases more than the cap in any window, even after an event-loop stall', async () => {
    const limiter = new RateLimiter(20, 500);
    const times: number[] = [];
    // The admission times the limiter reports: when the test itself reads the clock, a busy
    // event loop delays some readings and not others, and the readings bunch.
    const all = Promise.all(Array.from({ length: 50 }, () => limiter.acquire().then((t) => times.push(t))));
    // Let a few calls through, then stall the loop so that many timers come due at once.
    await new Promise((r) => setTimeout(r, 60));
    const until = performance.now() + 300;
    while (performance.now() < until) {
      /* busy */
    }
    await all;
    times.sort((a, b) => a - b);
    const cap = Math.floor(20 * SAFETY);
    for (const t of times) {
      const inWindow = times.filter((x) => x > t - 500 && x <= t).length;
      expect(inWindow).toBeLessThanOrEqual(cap);
    }
    // And it still moves at about the rate: 50 calls at ~19.6 per 0.5 s take over 1 s.
    expect((times[times.length - 1] ?? 0) - (times[0] ?? 0)).toBeGreaterThan(1000);
  });

  it('holds every call after pauseUntil (a 429 Retry-After)', async () => {
    const limiter = new RateLimiter(1_000_000, 60_000);
    const start = performance.now();
    limiter.pauseUntil(start + 150);
    await limiter.acquire();
    expect(performance.now() - start).toBeGreaterThanOrEqual(140);
  });

  it('bounds calls in flight', async () => {
    const sem = new Semaphore(3);
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        await sem.acquire();
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 5));
        active--;
        sem.release();
      }),
    );
    expect(peak).toBe(3);
  });
});

describe('google transport retry policy', () => {
  const err = (status: number, reason?: string, retryAfter?: string) => ({
    response: { status, data: { error: { code: status, message: 'm', errors: reason ? [{ reason, domain: 'd', message: 'm' }] : [] } }, headers: new Headers(retryAfter ? { 'retry-after': retryAfter } : {}) },
  });

  it('classifies Google answers', () => {
    expect(classify(err(403, 'userRateLimitExceeded')).kind).toBe('rate');
    expect(classify(err(403, 'rateLimitExceeded')).kind).toBe('rate');
    expect(classify(err(403, 'forbidden')).kind).toBe('auth');
    expect(classify(err(429, 'rateLimitExceeded', '3'))).toMatchObject({ kind: 'throttle', retryAfterMs: 3000 });
    expect(classify(err(503)).kind).toBe('server');
    expect(classify(err(409, 'duplicate')).kind).toBe('conflict');
    expect(classify(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })).kind).toBe('network');
  });

  it('retries transient failures with growing jittered backoff, and never retries a 409', async () => {
    const t = new Transport({ qpm: 1_000_000, concurrency: 4, retry: { baseMs: 10, maxMs: 1000, maxAttempts: 5 }, random: () => 0.5 });
    expect([1, 2, 3, 4].map((n) => t.backoffMs(n))).toEqual([7.5, 15, 30, 60]);
    let n = 0;
    const ok = await t.call(async () => {
      if (++n < 3) throw err(500);
      return 'done';
    });
    expect([ok, n]).toEqual(['done', 3]);
    let conflicts = 0;
    await expect(
      t.call(async () => {
        conflicts++;
        throw err(409, 'duplicate');
      }),
    ).rejects.toThrow(/409/);
    expect(conflicts).toBe(1);
    let tries = 0;
    await expect(
      t.call(async () => {
        tries++;
        throw err(503);
      }),
    ).rejects.toThrow(/503/);
    expect(tries).toBe(5);
  });
});
