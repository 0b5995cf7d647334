import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../engine/model/errors.js';
import type { SisReadResult } from '../../engine/model/provider.js';
import { loadSisSource } from '../../providers/sis/registry.js';
import { readOneRosterRest, type RestReadTestHooks } from '../../providers/sis/oneroster-rest/index.js';
import { retryAfterMs } from '../../providers/sis/oneroster-rest/http.js';
import { parseLinkHeader } from '../../providers/sis/oneroster-rest/link.js';
import { oauth1Authorizer } from '../../providers/sis/oneroster-rest/oauth1.js';
import { type OneRosterEmulator, type OneRosterEmulatorOptions, startOneRosterEmulator } from '../emulators/oneroster/index.js';
import { smallDistrict } from '../emulators/oneroster/small-district.js';

/** The protocol: OAuth 1.0a (1.1) and OAuth 2 (1.2), paging, retries, credential errors. */

const SECRET = 'sup3r-s3cret-value-9f8e7d';
const ENV = { OR_ID: 'district-client', OR_SECRET: SECRET };
const CLIENTS = [{ id: ENV.OR_ID, secret: SECRET }];

let emus: OneRosterEmulator[] = [];
afterEach(async () => {
  await Promise.all(emus.map((e) => e.stop()));
  emus = [];
});

async function emulator(opts: Partial<OneRosterEmulatorOptions> = {}, students = 40): Promise<OneRosterEmulator> {
  const e = await startOneRosterEmulator({ district: smallDistrict(students), clients: CLIENTS, ...opts });
  emus.push(e);
  return e;
}

const s11 = (extra: Record<string, unknown> = {}) => ({ version: '1.1', clientIdEnv: 'OR_ID', clientSecretEnv: 'OR_SECRET', retryBaseMs: 1, ...extra });
const s12 = (e: OneRosterEmulator, extra: Record<string, unknown> = {}) => ({ version: 1.2, clientIdEnv: 'OR_ID', clientSecretEnv: 'OR_SECRET', tokenUrl: e.tokenUrl, retryBaseMs: 1, ...extra });

function read(e: OneRosterEmulator, settings: Record<string, unknown>, env: NodeJS.ProcessEnv = ENV, hooks?: RestReadTestHooks): Promise<SisReadResult> {
  return readOneRosterRest({ location: e.url, settings, env }, hooks);
}

async function inputError(p: Promise<unknown>): Promise<InputError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(InputError);
  return e as InputError;
}

const dataRequests = (e: OneRosterEmulator) => e.requests.filter((r) => r.version !== undefined);

describe('OneRoster 1.1 REST (OAuth 1.0a)', () => {
  it('signs every request; the emulator verifies each signature', async () => {
    const e = await emulator();
    const r = await read(e, s11());
    expect(r.roster.sourceFormat).toBe('oneroster-rest-1.1');
    expect(r.roster.people).toHaveLength(44);
    const reqs = dataRequests(e);
    expect(reqs.length).toBeGreaterThanOrEqual(6);
    expect(reqs.every((q) => q.auth === 'oauth1' && q.status === 200 && q.path.startsWith('/ims/oneroster/v1p1/'))).toBe(true);
    // 1.1 users carry role + orgs[]: the role comes through with its org.
    expect(r.roster.people.find((p) => p.sourcedId === 'tch-0001')!.roles).toEqual([{ role: 'teacher', orgSourcedId: 'sch-b', roleType: 'primary' }]);
  });

  it('the emulator refuses unsigned and wrongly signed requests with an imsx body', async () => {
    const e = await emulator();
    const res = await fetch(`${e.url}/ims/oneroster/v1p1/users`);
    expect(res.status).toBe(401);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ imsx_codeMajor: 'failure', imsx_severity: 'error' });
    // A good signature passes once; replayed (same nonce) or on a changed query it fails.
    const auth = oauth1Authorizer(ENV.OR_ID, SECRET);
    const url = `${e.url}/ims/oneroster/v1p1/orgs?limit=2&offset=0`;
    const headers = await auth.headers('GET', url);
    expect((await fetch(url, { headers })).status).toBe(200);
    const replay = await fetch(url, { headers });
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { imsx_description: string }).imsx_description).toMatch(/nonce/);
    const tampered = await fetch(url.replace('offset=0', 'offset=1'), { headers: await auth.headers('GET', url) });
    expect(((await tampered.json()) as { imsx_description: string }).imsx_description).toMatch(/signature does not match/);
    const bad = await inputError(read(e, s11(), { ...ENV, OR_SECRET: 'wrong-secret-123' }));
    expect(bad.diagnostics[0]!.code).toBe('oneroster-rest.auth');
    expect(bad.message).toMatch(/OAuth 1\.0a signature/);
    expect(bad.message).toContain('$OR_SECRET');
    expect(bad.message).not.toContain('wrong-secret-123');
    expect(bad.message).not.toContain(SECRET);
  });
});

describe('OneRoster 1.2 REST (OAuth 2 client credentials)', () => {
  it('gets one token (HTTP Basic) and sends it as a bearer on every request', async () => {
    const e = await emulator();
    const r = await read(e, s12(e));
    expect(r.roster.sourceFormat).toBe('oneroster-rest-1.2');
    expect(r.roster.people).toHaveLength(44);
    const token = e.requests.filter((q) => q.path === '/oauth/token');
    expect(token).toEqual([expect.objectContaining({ method: 'POST', auth: 'basic', status: 200 })]);
    expect(dataRequests(e).every((q) => q.auth === 'bearer' && q.path.startsWith('/ims/oneroster/rostering/v1p2/'))).toBe(true);
    expect(r.roster.people.find((p) => p.sourcedId === 'stu-0000')!.roles[0]).toEqual({ role: 'student', orgSourcedId: 'sch-a', roleType: 'primary', beginDate: '2026-08-17', endDate: '2027-06-12' });
  });

  it('fetches a new token once when the service revokes the old one mid-read', async () => {
    const e = await emulator({ revokeTokensAfterRequests: 3 });
    const r = await read(e, s12(e, { pageSize: 10 }));
    expect(r.roster.people).toHaveLength(44);
    expect(e.tokens.issued).toBe(2);
    expect(dataRequests(e).filter((q) => q.status === 401)).toHaveLength(1);
  });

  it('bad client credentials: a clear error naming the variables, never the secret', async () => {
    const e = await emulator();
    const bad = await inputError(read(e, s12(e), { ...ENV, OR_SECRET: 'not-the-secret-42' }));
    expect(bad.diagnostics.map((d) => d.code)).toEqual(['oneroster-rest.auth']);
    expect(bad.message).toMatch(/token endpoint .*refused the client credentials from \$OR_ID \/ \$OR_SECRET: HTTP 401 invalid_client/);
    expect(JSON.stringify(bad.diagnostics)).not.toContain('not-the-secret-42');
    expect(bad.message).not.toContain(SECRET);
    // No data request was attempted without a token.
    expect(dataRequests(e)).toHaveLength(0);
  });

  it('a missing credential variable is a settings error naming it', async () => {
    const e = await emulator();
    const bad = await inputError(read(e, s12(e), { OR_ID: 'x' }));
    expect(bad.diagnostics).toEqual([expect.objectContaining({ code: 'oneroster-rest.settings', path: '/sis/clientSecretEnv', summary: expect.stringContaining('OR_SECRET') })]);
    expect(e.requests).toHaveLength(0);
  });
});

describe('paging', () => {
  it('reads many pages with limit/offset, following Link next and stopping at X-Total-Count', async () => {
    const e = await emulator({}, 250);
    const r = await read(e, s12(e, { pageSize: 7 }));
    expect(r.roster.people).toHaveLength(254);
    const users = dataRequests(e).filter((q) => q.path.endsWith('/users'));
    expect(users).toHaveLength(Math.ceil(254 / 7));
    expect(users.map((q) => new URLSearchParams(q.query).get('offset'))).toEqual(users.map((_, i) => String(i * 7)));
    expect(users.every((q) => new URLSearchParams(q.query).get('limit') === '7')).toBe(true);
  });

  it('without Link or X-Total-Count, pages by offset until an empty page', async () => {
    const e = await emulator({ links: false, totalCount: false }, 50);
    const r = await read(e, s11({ pageSize: 20 }));
    expect(r.roster.people).toHaveLength(54);
    const users = dataRequests(e).filter((q) => q.path.endsWith('/users'));
    expect(users.map((q) => new URLSearchParams(q.query).get('offset'))).toEqual(['0', '20', '40', '54']);
  });

  it('copes with a service that caps limit below the page size asked for', async () => {
    const e = await emulator({ maxLimit: 9, links: false }, 30);
    const r = await read(e, s12(e, { pageSize: 100 }));
    expect(r.roster.people).toHaveLength(34);
    expect(dataRequests(e).filter((q) => q.path.endsWith('/users'))).toHaveLength(Math.ceil(34 / 9));
  });

  it('stops with a clear error when the service ignores offset', async () => {
    const e = await emulator({ ignoreOffset: true, links: false, totalCount: false }, 30);
    const bad = await inputError(read(e, s12(e, { pageSize: 10 })));
    expect(bad.diagnostics[0]).toMatchObject({ code: 'oneroster-rest.paging', summary: expect.stringContaining('ignore the offset') });
  });

  it('is served in any order with the same roster', async () => {
    const a = await read(await emulator({}, 60), s11({ pageSize: 13 }));
    const b = await read(await emulator({ shuffleSeed: 99 }, 60), s11({ pageSize: 13 }));
    // Only the record sources (endpoint[index]) follow the serving order.
    const noSource = (r: SisReadResult) => ({ ...r.roster, people: r.roster.people.map(({ source: _s, ...p }) => p) });
    expect(noSource(b)).toEqual(noSource(a));
    expect(b.roster.people[0]!.source).not.toEqual(a.roster.people[0]!.source);
    expect(b.digest).toBe(a.digest);
  });
});

describe('retries', () => {
  const waits = () => {
    const seen: number[] = [];
    const hooks: RestReadTestHooks = { http: { sleep: async (ms) => void seen.push(ms) } };
    return { seen, hooks };
  };

  it('converges under 429 bursts, 5xx and slow responses, deterministically by seed', async () => {
    const e0 = await emulator({}, 120);
    const clean = await read(e0, s12(e0, { pageSize: 10 }));
    const faults = { seed: 11, rate429: 0.08, burst429: 3, retryAfterSeconds: 0, rate5xx: 0.15, slowRate: 0.05, slowMs: 40 };
    const e1 = await emulator({ faults }, 120);
    const e2 = await emulator({ faults }, 120);
    const r1 = await read(e1, s12(e1, { pageSize: 10, maxRetries: 8 }));
    const r2 = await read(e2, s12(e2, { pageSize: 10, maxRetries: 8 }));
    expect(r1.roster).toEqual(clean.roster);
    expect(r2.roster).toEqual(clean.roster);
    expect(r1.digest).toBe(clean.digest);
    expect(e1.faults.counts['429']).toBeGreaterThan(0);
    expect(e1.faults.counts['500'] + e1.faults.counts['503']).toBeGreaterThan(0);
    expect(e2.faults.counts).toEqual(e1.faults.counts);
    expect(dataRequests(e2).map((q) => q.status)).toEqual(dataRequests(e1).map((q) => q.status));
  });

  it('honours Retry-After on 429 and backs off exponentially on 5xx', async () => {
    const e = await emulator({ faults: { script: ['429', '503', '500', 'ok'], retryAfterSeconds: 2 } });
    const { seen, hooks } = waits();
    await read(e, s11({ retryBaseMs: 100 }), ENV, { http: { ...hooks.http, random: () => 1 } });
    expect(seen).toEqual([2000, 200, 400]);
  });

  it('retries a response slower than timeoutMs', async () => {
    const e = await emulator({ faults: { script: ['slow'], slowMs: 600 } });
    const { seen, hooks } = waits();
    const r = await read(e, s11({ timeoutMs: 150 }), ENV, hooks);
    expect(r.roster.people).toHaveLength(44);
    expect(seen).toHaveLength(1);
  });

  it('gives up after maxRetries with the last problem, not the credentials', async () => {
    const e = await emulator({ faults: { rate5xx: 1 } });
    const { seen, hooks } = waits();
    const bad = await inputError(read(e, s11({ maxRetries: 3 }), ENV, hooks));
    expect(bad.diagnostics[0]).toMatchObject({ code: 'oneroster-rest.unavailable' });
    expect(bad.message).toMatch(/GET \/ims\/oneroster\/v1p1\/orgs\?limit=100&offset=0 failed after 4 attempt\(s\): HTTP 50[03]/);
    expect(seen).toHaveLength(3);
    expect(dataRequests(e)).toHaveLength(4);
    expect(bad.message).not.toContain(SECRET);
  });

  it('refuses to wait longer than maxRetryAfterMs', async () => {
    const e = await emulator({ faults: { script: ['429'], retryAfterSeconds: 3600 } });
    const bad = await inputError(read(e, s11({ maxRetryAfterMs: 60_000 })));
    expect(bad.diagnostics[0]).toMatchObject({ code: 'oneroster-rest.throttled' });
  });
});

describe('small parts', () => {
  it('Retry-After in seconds or as an HTTP date', () => {
    const now = Date.parse('2026-10-01T12:00:00Z');
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs('Thu, 01 Oct 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  it('Link headers with several rels, spacing and quoting', () => {
    const l = parseLinkHeader('<https://h/x?offset=10>; rel="next", <https://h/x?offset=90>;rel=last, <https://h/x?offset=0>; rel="first prev"');
    expect(Object.fromEntries(l)).toEqual({ next: 'https://h/x?offset=10', last: 'https://h/x?offset=90', first: 'https://h/x?offset=0', prev: 'https://h/x?offset=0' });
    expect(parseLinkHeader(null).size).toBe(0);
  });

  it('progress reports counts, never names', async () => {
    const e = await emulator();
    const said: string[] = [];
    await readOneRosterRest({ location: e.url, settings: s11({ pageSize: 5 }), env: ENV, progress: (m) => said.push(m) });
    expect(said.length).toBeGreaterThan(0);
    for (const m of said) expect(m).toMatch(/^reading \w+: [\d,]+( of [\d,]+)? records \([\d,]+ in total\)$/);
    expect(said.join('\n')).not.toMatch(/Given|Family/);
  });
});

describe('settings', () => {
  it('refuses secrets written into the policy and requires tokenUrl for 1.2', async () => {
    const bad = await inputError(readOneRosterRest({ location: 'http://127.0.0.1:9', settings: { version: '1.2', clientIdEnv: 'OR_ID', clientSecretEnv: 'OR_SECRET', clientSecret: SECRET }, env: ENV }));
    expect(bad.diagnostics.map((d) => d.path).sort()).toEqual(['/sis/clientSecret', '/sis/tokenUrl']);
    expect(bad.message).not.toContain(SECRET);
  });

  it('rejects a non-URL location and an unknown version', async () => {
    const bad = await inputError(readOneRosterRest({ location: '/srv/sis', settings: { version: '2.0', clientIdEnv: 'OR_ID', clientSecretEnv: 'OR_SECRET' }, env: ENV }));
    expect(bad.diagnostics.map((d) => d.path).sort()).toEqual(['/sis/path', '/sis/version']);
  });

  it('accepts the full service root as the base URL, and is what the registry loads', async () => {
    const e = await emulator();
    const source = await loadSisSource('oneroster-rest');
    const r = await source.read({ location: `${e.url}/ims/oneroster/v1p1/`, settings: s11(), env: ENV });
    expect(r.roster.people).toHaveLength(44);
    expect(dataRequests(e).every((q) => !q.path.includes('v1p1/ims'))).toBe(true);
  });
});
