import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type ApiRequest, type ApiResponse, apiError, badRequest } from './wire.js';
import { DirectoryState } from './state.js';
import { route } from './router.js';
import { applyFields, parseFields } from './fields.js';
import { GOOGLE_TOKEN_AUDIENCE, type ServiceAccountKey, TokenAuthority, makeServiceAccount } from './auth.js';
import { DEFAULT_QUOTA, type QuotaOptions, QuotaWindow } from './quota.js';
import { FaultInjector, type FaultOptions, NO_FAULTS } from './faults.js';
import { MAX_BATCH, boundaryOf, parseBatch, renderBatch, statusText } from './batch.js';

/**
 * A local, wire-faithful emulator of the Admin SDK Directory API v1 (users, aliases, org
 * units, groups, members), its service-account token endpoint, quota and the multipart batch
 * endpoint, for tests and benchmarks. The real `@googleapis/admin` client talks to it
 * unchanged when given `rootUrl: emulator.url`.
 */

export interface GoogleEmulatorOptions {
  port?: number;
  /** Domains the customer owns; inserts in other domains fail as Google's do. */
  domains?: string[];
  /** Per-user quota; default the documented 2,400 per 60 s; null turns it off. */
  quota?: QuotaOptions | null;
  faults?: Partial<FaultOptions>;
}

export interface GoogleEmulator {
  /** Root URL for the client (`rootUrl`), with trailing slash. */
  url: string;
  port: number;
  /** Token endpoint for the JWT bearer grant. */
  tokenUrl: string;
  /** A service-account key the emulator trusts (its private key signs the JWT). */
  serviceAccount: ServiceAccountKey;
  state: DirectoryState;
  faults: FaultInjector;
  quota: QuotaWindow;
  auth: TokenAuthority;
  stop(): Promise<void>;
}

const JSON_TYPE = 'application/json; charset=UTF-8';

function send(res: ServerResponse, r: ApiResponse): void {
  const body = r.body === undefined ? '' : JSON.stringify(r.body);
  res.writeHead(r.status, { ...r.headers, ...(body ? { 'content-length': Buffer.byteLength(body) } : {}) });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') out[k] = v;
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startGoogleEmulator(opts: GoogleEmulatorOptions = {}): Promise<GoogleEmulator> {
  const state = new DirectoryState(opts.domains ?? ['example.edu']);
  const quota = new QuotaWindow(opts.quota === undefined ? DEFAULT_QUOTA : opts.quota);
  const faults = new FaultInjector({ ...NO_FAULTS, ...(opts.faults ?? {}) });
  const sockets = new Set<Socket>();
  let tokenUrl = '';
  const auth = new TokenAuthority([GOOGLE_TOKEN_AUDIENCE]);
  const sa = makeServiceAccount();
  auth.trust(sa.key.client_email, sa.publicKey);

  /** One API call after auth: quota, then the handler, then `fields`. */
  const call = (principal: string, req: ApiRequest): ApiResponse => {
    const denied = quota.take(principal);
    if (denied) return denied;
    state.counters.calls++;
    const key = `${req.method.toUpperCase()} ${req.path.split('/').slice(4, 5).join('')}`;
    state.counters.byMethod.set(key, (state.counters.byMethod.get(key) ?? 0) + 1);
    const fields = req.query.get('fields');
    let tree;
    try {
      tree = fields ? parseFields(fields) : undefined;
    } catch (e) {
      return badRequest(`Invalid field selection ${fields ?? ''}: ${(e as Error).message}`, 'invalidParameter');
    }
    const r = route(state, req);
    if (tree && r.status < 300 && r.body !== undefined) return { ...r, body: applyFields(r.body, tree) };
    return r;
  };

  const handleBatch = async (req: IncomingMessage, res: ServerResponse, text: string, outerAuth: string | undefined): Promise<void> => {
    const boundary = boundaryOf(req.headers['content-type']);
    if (!boundary) return send(res, badRequest('Batch requests must be multipart/mixed with a boundary'));
    let parts;
    try {
      parts = parseBatch(text, boundary);
    } catch (e) {
      return send(res, badRequest(`Failed to parse batch request: ${(e as Error).message}`));
    }
    if (parts.length > MAX_BATCH) return send(res, badRequest(`A batch request cannot contain more than ${MAX_BATCH} requests`));
    // Each part is authorised on its own: its own Authorization header, else the outer one.
    const replies = parts.map((p) => {
      const inner = auth.check(p.request.headers.authorization ?? outerAuth, p.request.method);
      if ('status' in inner) return { contentId: p.contentId, response: inner };
      return { contentId: p.contentId, response: call(inner.principal, p.request) };
    });
    const out = `batch_${Math.random().toString(36).slice(2)}`;
    const body = renderBatch(replies, out);
    res.writeHead(200, { 'content-type': `multipart/mixed; boundary=${out}`, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const text = await readBody(req);
    const method = (req.method ?? 'GET').toUpperCase();
    if (url.pathname === '/token' && method === 'POST') return send(res, auth.exchange(new URLSearchParams(text)));

    const isBatch = method === 'POST' && (url.pathname === '/batch' || url.pathname === '/batch/admin/directory_v1');
    if (!isBatch && !url.pathname.startsWith('/admin/directory/v1/')) {
      return send(res, apiError(404, 'notFound', `Not Found: ${url.pathname}`));
    }
    const who = auth.check(req.headers.authorization, isBatch ? 'GET' : method);
    if ('status' in who) return send(res, who);

    const fault = faults.decide();
    if (fault.delayMs > 0) await sleep(fault.delayMs);
    if (fault.kind === 'throttle') {
      return send(res, apiError(429, 'rateLimitExceeded', 'Too many requests. Please retry after the time given in Retry-After.', {
        domain: 'usageLimits',
        status: 'RESOURCE_EXHAUSTED',
        headers: { 'retry-after': String(fault.retryAfterSec) },
      }));
    }
    if ((fault.kind === 'error' || fault.kind === 'drop') && !fault.afterCommit) {
      if (fault.kind === 'drop') return void req.socket.destroy();
      return send(res, fault.status === 503 ? apiError(503, 'backendError', 'The service is currently unavailable.', { status: 'UNAVAILABLE' }) : apiError(500, 'backendError', 'Backend Error', { status: 'INTERNAL' }));
    }
    if (isBatch) return handleBatch(req, res, text, req.headers.authorization);

    let body: unknown;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        return send(res, apiError(400, 'parseError', 'Parse Error', { status: 'INVALID_ARGUMENT' }));
      }
    }
    const result = call(who.principal, { method, path: url.pathname, query: url.searchParams, headers: headersOf(req), body });
    if (fault.kind === 'drop') return void req.socket.destroy();
    if (fault.kind === 'error') {
      // The call took effect; the client only sees the failure.
      return send(res, apiError(fault.status, 'backendError', 'Backend Error', { status: fault.status === 503 ? 'UNAVAILABLE' : 'INTERNAL' }));
    }
    if (result.status === 304) {
      res.writeHead(304, result.headers);
      return void res.end();
    }
    send(res, result.body === undefined ? { ...result, headers: result.headers } : { ...result, headers: { 'content-type': JSON_TYPE, ...result.headers } });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, apiError(500, 'backendError', `Emulator error: ${(e as Error).message}`));
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/`;
  tokenUrl = `${url}token`;
  auth.audiences.add(tokenUrl);
  return {
    url,
    port,
    tokenUrl,
    serviceAccount: { ...sa.key, token_uri: tokenUrl },
    state,
    faults,
    quota,
    auth,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export { statusText };
export type { QuotaOptions, FaultOptions, ServiceAccountKey };
export { DirectoryState } from './state.js';
