import { TerminalProviderError } from '../../engine/model/errors.js';
import type { Pacing } from './pacing.js';
import { isRetriableStatus, sleep } from './pacing.js';
import type { ClientCredentialsAuth } from './auth.js';
import type { GraphTransport, Step, StepResult } from './transport.js';

/**
 * Single idempotent requests (reads and lookups) with retries: 429 waits Retry-After and
 * pauses every worker; 5xx and dropped connections back off with jitter; 401 refreshes the
 * token once; other statuses are returned to the caller to judge.
 */
export class Requester {
  constructor(
    private readonly transport: GraphTransport,
    private readonly auth: ClientCredentialsAuth,
    readonly pacing: Pacing,
    private readonly maxAttempts: number,
  ) {}

  /** One try, no retry; network failures resolve as status 0. */
  async once(step: Step): Promise<StepResult> {
    try {
      return await this.transport.send(step);
    } catch (err) {
      // Token failures surface wrapped in a GraphError; they are terminal, not network trouble.
      if (err instanceof TerminalProviderError || (err as { code?: unknown }).code === 'TerminalProviderError') {
        throw new TerminalProviderError('entra.auth', err instanceof Error ? err.message : String(err));
      }
      const status = (err as { statusCode?: number }).statusCode;
      return { status: typeof status === 'number' && status > 0 ? status : 0, headers: {}, body: { error: { code: 'network', message: err instanceof Error ? err.message : String(err) } } };
    }
  }

  async call(step: Step): Promise<StepResult> {
    let refreshed = false;
    let last: StepResult | null = null;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      await this.pacing.waitForPause();
      const r = await this.once(step);
      last = r;
      if (r.status === 401 && !refreshed) {
        refreshed = true;
        this.auth.invalidate();
        continue;
      }
      if (r.status === 429) {
        const wait = this.pacing.retryAfterMs(r.headers);
        this.pacing.pause(wait);
        continue;
      }
      if (r.status === 0 || isRetriableStatus(r.status)) {
        await sleep(this.pacing.backoffMs(attempt));
        continue;
      }
      return r;
    }
    return last ?? { status: 0, headers: {}, body: undefined };
  }

  /** GET that must succeed: throws with the Graph error message otherwise. */
  async getJson(url: string, headers?: Record<string, string>): Promise<Record<string, unknown>> {
    const r = await this.call({ method: 'GET', url, ...(headers ? { headers } : {}) });
    if (r.status !== 200) throw new GraphCallError(r, `GET ${url.split('?')[0]}`);
    return r.body as Record<string, unknown>;
  }

  /** Every page of a collection, following @odata.nextLink (absolute Graph URLs). */
  async *pages(url: string, headers?: Record<string, string>): AsyncGenerator<Record<string, unknown>> {
    let next: string | undefined = url;
    while (next) {
      const page = await this.getJson(next, headers);
      yield page;
      next = typeof page['@odata.nextLink'] === 'string' ? page['@odata.nextLink'] : undefined;
    }
  }
}

export class GraphCallError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(result: StepResult, what: string) {
    const e = errorOf(result);
    super(`${what}: HTTP ${result.status}${e.code ? ` ${e.code}` : ''}${e.message ? `: ${e.message}` : ''}`);
    this.name = 'GraphCallError';
    this.status = result.status;
    this.code = e.code;
  }
}

export function errorOf(r: StepResult): { code: string; message: string; detailCodes: string[] } {
  const err = (r.body as { error?: { code?: unknown; message?: unknown; details?: { code?: unknown }[] } } | undefined)?.error;
  return {
    code: typeof err?.code === 'string' ? err.code : '',
    message: typeof err?.message === 'string' ? err.message : '',
    detailCodes: Array.isArray(err?.details) ? err.details.map((d) => String(d.code ?? '')) : [],
  };
}
