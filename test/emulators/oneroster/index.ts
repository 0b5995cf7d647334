import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Roster } from '../../../engine/model/people.js';
import { FaultInjector, type FaultOptions } from './faults.js';
import { type DistrictFixture, fixtureFromRoster } from './fixture.js';
import { type CodeMinor, imsxError } from './imsx.js';
import { type CollectionName, type Collections, type Json, toJson, type Version } from './json.js';
import { OAuth1Verifier } from './oauth1.js';
import { mulberry32 } from './prng.js';
import { linkHeader, parseQuery } from './query.js';
import { TokenAuthority } from './tokens.js';

/**
 * A local OneRoster REST rostering service for tests, written from 1EdTech's OpenAPI 3.0 for
 * the 1.2 rostering service and the 1.1 REST conventions. One district is served under both
 *   /ims/oneroster/v1p1/...            (1.1, every request OAuth 1.0a HMAC-SHA1 signed)
 *   /ims/oneroster/rostering/v1p2/...  (1.2, OAuth 2 bearer from POST /oauth/token)
 * with `limit`/`offset` paging, `X-Total-Count` and `Link` next/last/first/prev headers,
 * imsx_StatusInfoDType error bodies, and deterministic fault injection (faults.ts).
 */

export interface OneRosterEmulatorOptions {
  /** The district: a Roster (as rollcall reads one) or a fixture (fixture.ts). */
  district: DistrictFixture | Pick<Roster, 'orgs' | 'academicSessions' | 'classes' | 'people'>;
  port?: number;
  /** Accepted client id/secret (1.2) and consumer key/secret (1.1); one random pair by default. */
  clients?: { id: string; secret: string }[];
  tokenTtlSeconds?: number;
  /** The server's own cap on `limit` (services commonly cap it); default none. */
  maxLimit?: number;
  /** Send `Link` headers (default true) and `X-Total-Count` (default true). */
  links?: boolean;
  totalCount?: boolean;
  /** Serve every collection in a seeded shuffled order instead of fixture order. */
  shuffleSeed?: number;
  /** Edit the JSON before it is served, e.g. to plant bad data. */
  transform?: (version: Version, collection: CollectionName, records: Json[]) => Json[];
  faults?: Partial<FaultOptions>;
  /** OAuth 1.0a timestamp window, seconds (default 300). */
  timestampWindowSeconds?: number;
  /** Revoke every issued token once this many data requests were answered (tests token refresh). */
  revokeTokensAfterRequests?: number;
  /** Misbehave: ignore `offset` and always serve the first page. */
  ignoreOffset?: boolean;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: string;
  version?: Version;
  status: number;
  /** What the request authenticated with (none when it carried nothing recognisable). */
  auth: 'oauth1' | 'bearer' | 'basic' | 'form' | 'none';
}

export interface OneRosterEmulator {
  url: string;
  port: number;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  requests: LoggedRequest[];
  faults: FaultInjector;
  tokens: TokenAuthority;
  /** The JSON served for a version (after `transform`), built on first use. */
  data(version: Version): Collections;
  stop(): Promise<void>;
}

const PREFIX: Record<Version, string> = { '1.1': '/ims/oneroster/v1p1', '1.2': '/ims/oneroster/rostering/v1p2' };
const TOKEN_PATH = '/oauth/token';

/** Endpoint -> (collection, response key, single-record key, record filter). */
interface Endpoint { collection: CollectionName; key: string; one: string; only?: (r: Json, v: Version) => boolean }
const hasRole = (role: string) => (r: Json, v: Version) =>
  v === '1.1' ? r.role === role : Array.isArray(r.roles) && (r.roles as Json[]).some((x) => x.role === role);
const ENDPOINTS: Record<string, Endpoint> = {
  orgs: { collection: 'orgs', key: 'orgs', one: 'org' },
  schools: { collection: 'orgs', key: 'orgs', one: 'org', only: (r) => r.type === 'school' },
  academicSessions: { collection: 'academicSessions', key: 'academicSessions', one: 'academicSession' },
  terms: { collection: 'academicSessions', key: 'academicSessions', one: 'academicSession', only: (r) => r.type === 'term' },
  gradingPeriods: { collection: 'academicSessions', key: 'academicSessions', one: 'academicSession', only: (r) => r.type === 'gradingPeriod' },
  courses: { collection: 'courses', key: 'courses', one: 'course' },
  classes: { collection: 'classes', key: 'classes', one: 'class' },
  users: { collection: 'users', key: 'users', one: 'user' },
  students: { collection: 'users', key: 'users', one: 'user', only: hasRole('student') },
  teachers: { collection: 'users', key: 'users', one: 'user', only: hasRole('teacher') },
  enrollments: { collection: 'enrollments', key: 'enrollments', one: 'enrollment' },
};

function shuffle<T>(a: T[], seed: number): T[] {
  const rng = mulberry32(seed);
  const out = [...a];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

export async function startOneRosterEmulator(opts: OneRosterEmulatorOptions): Promise<OneRosterEmulator> {
  const fixture: DistrictFixture = 'people' in opts.district ? fixtureFromRoster(opts.district) : opts.district;
  const clients = opts.clients ?? [{ id: 'rollcall-test', secret: randomBytes(16).toString('hex') }];
  const secrets = new Map(clients.map((c) => [c.id, c.secret]));
  const tokens = new TokenAuthority(secrets, opts.tokenTtlSeconds ?? 3600);
  const oauth1 = new OAuth1Verifier(secrets, opts.timestampWindowSeconds ?? 300);
  const faults = new FaultInjector(opts.faults);
  const requests: LoggedRequest[] = [];
  const maxLimit = opts.maxLimit ?? Number.MAX_SAFE_INTEGER;
  const sockets = new Set<Socket>();
  let origin = '';
  const data = new Map<Version, Collections>();
  let revoked = false;

  const collections = (v: Version): Collections => {
    const hit = data.get(v);
    if (hit) return hit;
    const c = toJson(fixture, v, origin + PREFIX[v]);
    for (const k of Object.keys(c) as CollectionName[]) {
      let records = c[k];
      if (opts.shuffleSeed !== undefined) records = shuffle(records, opts.shuffleSeed + k.length);
      c[k] = opts.transform ? opts.transform(v, k, records) : records;
    }
    data.set(v, c);
    return c;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    const log: LoggedRequest = { method: req.method ?? '', path: url.pathname, query: url.search, status: 0, auth: 'none' };
    requests.push(log);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      log.status = status;
      send(res, status, body, headers);
    };
    const fail = (status: number, minor: CodeMinor, description: string, headers: Record<string, string> = {}) => reply(status, imsxError(minor, description), headers);

    if (url.pathname === TOKEN_PATH) {
      const body = await readBody(req);
      if (req.method !== 'POST') return reply(405, { error: 'invalid_request' }, { allow: 'POST' });
      log.auth = /^Basic\s/i.test(req.headers.authorization ?? '') ? 'basic' : body.includes('client_secret=') ? 'form' : 'none';
      const t = tokens.token(req.headers.authorization, req.headers['content-type'], body);
      return reply(t.status, t.body, t.headers);
    }

    const version = (['1.1', '1.2'] as const).find((v) => url.pathname.startsWith(PREFIX[v] + '/'));
    if (!version) return fail(404, 'unknownobject', `no such endpoint: ${url.pathname}`);
    log.version = version;
    if (req.method !== 'GET') return fail(405, 'forbidden', 'this emulator serves the read operations only', { allow: 'GET' });

    // Faults come first, as from a gateway in front of the service.
    const fault = faults.next();
    if (fault === '429') return fail(429, 'server_busy', 'too many requests; retry later', { 'retry-after': String(faults.options.retryAfterSeconds) });
    if (fault === '500') return fail(500, 'internal_server_error', 'injected failure');
    if (fault === '503') return fail(503, 'server_busy', 'service unavailable');
    if (fault === 'slow') await new Promise((r) => setTimeout(r, faults.options.slowMs));

    if (version === '1.1') {
      const check = oauth1.verify('GET', origin + url.pathname, url.search.slice(1), req.headers.authorization);
      if (!check.ok) return fail(401, 'unauthorisedrequest', `OAuth 1.0a: ${check.reason}`, { 'www-authenticate': 'OAuth realm="oneroster"' });
      log.auth = 'oauth1';
    } else {
      if (!revoked && opts.revokeTokensAfterRequests !== undefined && requests.filter((r) => r.version && r.status === 200).length >= opts.revokeTokensAfterRequests) {
        revoked = true;
        tokens.revokeAll();
      }
      const check = tokens.check(req.headers.authorization);
      if (!check.ok) return fail(401, 'unauthorisedrequest', `OAuth 2: ${check.reason}`, { 'www-authenticate': 'Bearer error="invalid_token"' });
      log.auth = 'bearer';
    }

    const [name, id, ...rest] = url.pathname.slice(PREFIX[version].length + 1).split('/').map(decodeURIComponent);
    const ep = name === undefined ? undefined : ENDPOINTS[name];
    if (!ep || rest.length > 0) return fail(404, 'unknownobject', `no such endpoint: ${url.pathname}`);
    let records = collections(version)[ep.collection];
    if (ep.only) records = records.filter((r) => ep.only!(r, version));

    if (id !== undefined) {
      const hit = records.find((r) => r.sourcedId === id);
      return hit ? reply(200, { [ep.one]: hit }) : fail(404, 'unknownobject', `Unknown Object: ${id}`);
    }
    const q = parseQuery(url.searchParams, maxLimit);
    if (!q.ok) return fail(400, q.codeMinor, q.description);
    const selected = q.select(records);
    const offset = opts.ignoreOffset ? 0 : q.offset;
    const page = selected.slice(offset, offset + q.limit).map(q.project);
    const headers: Record<string, string> = {};
    if (opts.totalCount !== false) headers['x-total-count'] = String(selected.length);
    if (opts.links !== false) headers.link = linkHeader(origin + url.pathname, url.searchParams, q.limit, q.offset, selected.length);
    return reply(200, { [ep.key]: page }, headers);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, imsxError('internal_server_error', `emulator bug: ${(e as Error).message}`));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  return {
    url: origin,
    port,
    tokenUrl: origin + TOKEN_PATH,
    clientId: clients[0]!.id,
    clientSecret: clients[0]!.secret,
    requests,
    faults,
    tokens,
    data: collections,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export { fixtureFromCsvDir, fixtureFromRoster, type DistrictFixture } from './fixture.js';
export type { Collections, CollectionName, Json, Version } from './json.js';
export type { FaultOptions } from './faults.js';
