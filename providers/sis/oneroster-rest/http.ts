import { errorDiag } from '../../../engine/model/diagnostics.js';
import { InputError } from '../../../engine/model/errors.js';

/**
 * One HTTP exchange with bounded retries. 429 waits for Retry-After (seconds or an HTTP
 * date) when given, else backs off; 5xx, timeouts and network errors back off exponentially
 * with jitter. Each attempt rebuilds its request, so an OAuth 1.0a signature gets a fresh
 * nonce and an OAuth 2 request the current token. Labels carry method and path only (OAuth
 * travels in headers), so errors never contain credentials.
 */

export interface HttpOptions {
  timeoutMs: number;
  maxRetries: number;
  retryBaseMs: number;
  maxRetryAfterMs: number;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Told about each retry (status or problem, wait); never given headers or bodies. */
  onRetry?: (info: { label: string; attempt: number; problem: string; waitMs: number }) => void;
}

export interface HttpReply {
  status: number;
  headers: Headers;
  body: string;
}

export interface BuiltRequest {
  url: string;
  init: RequestInit;
}

const BACKOFF_CAP_MS = 30_000;

export function restError(code: string, summary: string, detail?: string): InputError {
  return new InputError([errorDiag(code, summary, detail ? { detail } : {})]);
}

export function isRetryable(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 10.2.3). */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** The imsx_description of an imsx_StatusInfoDType error body, when there is one (it names no secrets). */
export function imsxDescription(body: string): string | undefined {
  try {
    const j = JSON.parse(body) as Record<string, unknown>;
    const info = (typeof j.imsx_StatusInfo === 'object' && j.imsx_StatusInfo ? j.imsx_StatusInfo : j) as Record<string, unknown>;
    const d = info.imsx_description;
    return typeof d === 'string' && d !== '' ? d.slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}

export class RetryingHttp {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  constructor(private readonly o: HttpOptions) {
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = o.random ?? Math.random;
  }

  /** Backoff for retry n (0-based): base·2ⁿ, between half and all of it (equal jitter), capped. */
  backoffMs(attempt: number): number {
    const step = Math.min(BACKOFF_CAP_MS, this.o.retryBaseMs * 2 ** attempt);
    return Math.round(step / 2 + (this.random() * step) / 2);
  }

  async send(label: string, build: () => Promise<BuiltRequest>): Promise<HttpReply> {
    for (let attempt = 0; ; attempt++) {
      const { url, init } = await build();
      let reply: HttpReply | undefined;
      let problem: string;
      try {
        // Redirects are not followed: a signature covers the URL, and credentials stay on one origin.
        const res = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(this.o.timeoutMs) });
        reply = { status: res.status, headers: res.headers, body: await res.text() };
        if (!isRetryable(reply.status)) return reply;
        const why = imsxDescription(reply.body);
        problem = `HTTP ${reply.status}${why ? ` (${why})` : ''}`;
      } catch (e) {
        problem = describeFetchError(e, this.o.timeoutMs);
      }
      if (attempt >= this.o.maxRetries) {
        throw restError('oneroster-rest.unavailable', `${label} failed after ${attempt + 1} attempt(s): ${problem}`, 'the OneRoster service kept failing; rollcall retries with backoff (sis.maxRetries, sis.timeoutMs)');
      }
      let waitMs = this.backoffMs(attempt);
      if (reply?.status === 429) {
        const asked = retryAfterMs(reply.headers.get('retry-after'));
        if (asked !== undefined) {
          if (asked > this.o.maxRetryAfterMs) {
            throw restError('oneroster-rest.throttled', `${label}: the service asked to wait ${Math.ceil(asked / 1000)} s (Retry-After), longer than sis.maxRetryAfterMs (${this.o.maxRetryAfterMs} ms)`);
          }
          waitMs = asked;
        }
      }
      this.o.onRetry?.({ label, attempt: attempt + 1, problem, waitMs });
      await this.sleep(waitMs);
    }
  }
}

function describeFetchError(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return `no response within ${timeoutMs} ms`;
  const code = err?.cause?.code;
  return `network error${code ? ` ${code}` : err?.cause?.message ? ` (${err.cause.message})` : ''}`;
}
