import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runBatch } from './batch.js';
import type { RouteContext } from './context.js';
import { graphError } from './errors.js';
import { FaultInjector } from './faults.js';
import { Prng } from './prng.js';
import { isDirectoryWrite, route } from './router.js';
import { DirectoryStore } from './store.js';
import { SlidingWindow } from './throttle.js';
import { issueToken, type TokenBook, tokenRoute } from './token.js';
import type { EmuReply, EmuRequest, GraphEmulatorOptions, ThrottleOptions } from './types.js';

/**
 * A local Microsoft Graph v1.0 for tests and benchmarks. It pretends to be
 * https://graph.microsoft.com (links and @odata.id use that base), so the real SDK is pointed
 * at it only by a host-rewriting last middleware, as in FIELD-NOTES.
 */

export interface GraphEmulator {
  url: string;
  port: number;
  stop(): Promise<void>;
  state: DirectoryStore;
  faults: FaultInjector;
  /** Request counters, for benchmarks and tests. */
  stats: { requests: number; batches: number; subRequests: number; dependsOn: number; writes: number; throttled: number; unauthorized: number };
  /** Invalidate all delta tokens (every later use answers 410). */
  expireDeltaTokens(): void;
  throttle: ThrottleOptions & { timeScale: number };
  /** Mint a token directly (tests that do not exercise the token endpoint). */
  token(): string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startGraphEmulator(opts: GraphEmulatorOptions = {}): Promise<GraphEmulator> {
  const timeScale = opts.timeScale ?? 1;
  const throttleOpts: ThrottleOptions = { writeLimit: 3000, writeWindowMs: 150_000, requestLimit: 8000, requestWindowMs: 10_000, ...opts.throttle };
  const scaled = (ms: number): number => Math.max(1, Math.round(ms * timeScale));
  const writes = new SlidingWindow(throttleOpts.writeLimit, scaled(throttleOpts.writeWindowMs));
  const requests = new SlidingWindow(throttleOpts.requestLimit, scaled(throttleOpts.requestWindowMs));
  const seed = opts.seed ?? 42;
  const store = new DirectoryStore(new Prng(seed));
  const faults = new FaultInjector(seed, opts.faults);
  const book: TokenBook = {
    tenantId: opts.tenantId ?? '00000000-0000-0000-0000-0000000000aa',
    clientId: opts.clientId ?? 'rollcall-test-client',
    clientSecret: opts.clientSecret ?? 'rollcall-test-secret',
    lifetimeSeconds: opts.tokenLifetimeSeconds ?? 3599,
    tokens: new Map(),
  };
  const ctx: RouteContext = {
    store,
    domains: (opts.domains ?? ['contoso.onmicrosoft.com']).map((d) => d.toLowerCase()),
    publicBaseUrl: opts.publicBaseUrl ?? 'https://graph.microsoft.com',
    maxPageSize: opts.maxPageSize ?? 999,
    defaultPageSize: opts.defaultPageSize ?? 100,
    deltaTokenTtlMs: opts.deltaTokenTtlMs ?? 7 * 24 * 3600_000,
    now: () => Date.now(),
  };
  const stats = { requests: 0, batches: 0, subRequests: 0, dependsOn: 0, writes: 0, throttled: 0, unauthorized: 0 };

  /** Retry-After is whole emulated seconds, as Graph sends it. */
  const tooMany = (realMs: number): EmuReply => {
    stats.throttled++;
    const seconds = Math.max(1, Math.ceil(realMs / timeScale / 1000));
    return graphError(429, 'TooManyRequests', 'Please retry again later.', { 'Retry-After': String(seconds) });
  };

  /** Faults and quotas apply to each request, including each request inside a batch. */
  const admit = (req: EmuRequest): EmuReply | null => {
    const now = Date.now();
    const f = faults.decide(now);
    if (f.kind === 'burst') return tooMany(f.retryAfterMs);
    if (f.kind === 'error') return graphError(f.status, f.status === 503 ? 'serviceNotAvailable' : 'UnknownError', 'The service is temporarily unavailable. Retry later.');
    const wait = requests.take(now);
    if (wait > 0) return tooMany(wait);
    if (isDirectoryWrite(req)) {
      const w = writes.take(now);
      if (w > 0) return tooMany(w);
      stats.writes++;
    }
    return null;
  };

  const handleOne = async (req: EmuRequest): Promise<EmuReply> => {
    if (req.inBatch) stats.subRequests++;
    return admit(req) ?? route(ctx, req);
  };

  const server = http.createServer((hreq, hres) => {
    const chunks: Buffer[] = [];
    hreq.on('data', (c: Buffer) => chunks.push(c));
    hreq.on('end', () => {
      void (async () => {
        const url = new URL(hreq.url ?? '/', 'http://emulator.invalid');
        const raw = Buffer.concat(chunks).toString('utf8');
        let reply: EmuReply;
        if (/^\/[^/]+\/oauth2\/v2\.0\/token$/.test(url.pathname)) {
          reply = tokenRoute(book, hreq.method ?? 'GET', url.pathname.split('/')[1]!, raw);
        } else if (url.pathname.startsWith('/v1.0/')) {
          stats.requests++;
          const auth = hreq.headers['authorization'];
          const token = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : '';
          const expiry = book.tokens.get(token);
          if (!token || expiry === undefined || expiry < Date.now()) {
            stats.unauthorized++;
            reply = graphError(401, 'InvalidAuthenticationToken', token ? 'Access token has expired or is not yet valid.' : 'Access token is empty.', { 'WWW-Authenticate': 'Bearer realm=""' });
          } else {
            let body: unknown;
            try {
              body = raw ? JSON.parse(raw) : undefined;
            } catch {
              body = Symbol.for('invalid');
            }
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(hreq.headers)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
            const req: EmuRequest = { method: hreq.method ?? 'GET', path: url.pathname.slice('/v1.0'.length), query: url.searchParams, headers, body, inBatch: false };
            if (typeof body === 'symbol') reply = graphError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
            else if (req.path === '/$batch' && req.method === 'POST') {
              stats.batches++;
              const f = faults.decide(Date.now());
              reply = f.kind === 'burst' ? tooMany(f.retryAfterMs) : f.kind === 'error' ? graphError(f.status, 'UnknownError', 'The service is temporarily unavailable.') : await runBatch(body, handleOne, () => stats.dependsOn++);
            } else reply = await handleOne(req);
          }
          const slow = faults.slowMs();
          if (slow > 0) await sleep(slow);
          // A dropped connection after the work was done: the client cannot know it succeeded.
          if (faults.drop()) {
            hres.socket?.destroy();
            return;
          }
        } else {
          reply = graphError(404, 'UnknownError', 'Not found.');
        }
        const payload = reply.body === undefined ? '' : JSON.stringify(reply.body);
        hres.writeHead(reply.status, { ...reply.headers, ...(payload ? { 'Content-Length': Buffer.byteLength(payload) } : {}) });
        hres.end(payload);
      })();
    });
  });
  // Keep-alive sockets must not hold stop() open.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    state: store,
    faults,
    stats,
    throttle: { ...throttleOpts, timeScale },
    expireDeltaTokens: () => {
      store.epoch += 1;
    },
    token: () => issueToken(book),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
