import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLinkHeader } from '../../providers/sis/oneroster-rest/link.js';
import { type OneRosterEmulator, startOneRosterEmulator } from '../emulators/oneroster/index.js';
import { smallDistrict } from '../emulators/oneroster/small-district.js';

/** The emulator itself keeps to the 1.2 OpenAPI: token grant, paging headers, imsx errors. */

const CLIENT = { id: 'emu-client', secret: 'emu-secret' };
let e: OneRosterEmulator;
let token: string;
const V12 = '/ims/oneroster/rostering/v1p2';

beforeAll(async () => {
  e = await startOneRosterEmulator({ district: smallDistrict(20), clients: [CLIENT] });
  const res = await fetch(e.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT.id, client_secret: CLIENT.secret }).toString(),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
  expect(body.token_type).toBe('bearer');
  expect(body.expires_in).toBeGreaterThan(0);
  token = body.access_token;
});
afterAll(() => e.stop());

const get = (path: string, auth = `Bearer ${token}`) => fetch(`${e.url}${V12}${path}`, { headers: { authorization: auth } });

describe('the OneRoster emulator', () => {
  it('token endpoint: form or Basic client authentication; RFC 6749 errors', async () => {
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(e.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
    const basic = `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}`;
    expect((await post('grant_type=client_credentials', { authorization: basic })).status).toBe(200);
    const wrongGrant = await post('grant_type=password', { authorization: basic });
    expect([wrongGrant.status, await wrongGrant.json()]).toEqual([400, { error: 'unsupported_grant_type' }]);
    const wrongSecret = await post(`grant_type=client_credentials&client_id=${CLIENT.id}&client_secret=nope`);
    expect(wrongSecret.status).toBe(401);
    expect(await wrongSecret.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('pages with limit/offset, X-Total-Count and Link next/last/first/prev', async () => {
    const res = await get('/users?limit=5&offset=10');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { users: { sourcedId: string }[] };
    expect(body.users).toHaveLength(5);
    expect(res.headers.get('x-total-count')).toBe('24');
    const links = parseLinkHeader(res.headers.get('link'));
    const offsetOf = (rel: string) => new URL(links.get(rel)!).searchParams.get('offset');
    expect([offsetOf('next'), offsetOf('prev'), offsetOf('first'), offsetOf('last')]).toEqual(['15', '5', '0', '20']);
    const last = await get('/users?limit=5&offset=20');
    expect(((await last.json()) as { users: unknown[] }).users).toHaveLength(4);
    expect(parseLinkHeader(last.headers.get('link')).has('next')).toBe(false);
  });

  it('serves single records, filters and the derived collections', async () => {
    const one = (await (await get('/orgs/sch-a')).json()) as { org: { sourcedId: string; parent: { sourcedId: string; type: string; href: string } } };
    expect(one.org.parent).toEqual({ sourcedId: 'dist', type: 'org', href: `${e.url}${V12}/orgs/dist` });
    const schools = (await (await get('/schools')).json()) as { orgs: { sourcedId: string }[] };
    expect(schools.orgs.map((o) => o.sourcedId)).toEqual(['sch-a', 'sch-b']);
    const teachers = (await (await get(`/users?filter=${encodeURIComponent("email~'@district.example'")}`)).json()) as { users: unknown[] };
    expect(teachers.users).toHaveLength(4);
    expect(((await (await get('/teachers')).json()) as { users: unknown[] }).users).toHaveLength(4);
  });

  it('errors are imsx_StatusInfoDType bodies', async () => {
    const missing = await get('/users/nobody');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ imsx_codeMajor: 'failure', imsx_severity: 'error', imsx_CodeMinor: { imsx_codeMinorField: [{ imsx_codeMinorFieldValue: 'unknownobject' }] } });
    const badLimit = await get('/users?limit=0');
    expect(badLimit.status).toBe(400);
    const badFilter = await get(`/users?filter=${encodeURIComponent('givenName LIKE x')}`);
    expect(((await badFilter.json()) as { imsx_CodeMinor: { imsx_codeMinorField: { imsx_codeMinorFieldValue: string }[] } }).imsx_CodeMinor.imsx_codeMinorField[0]!.imsx_codeMinorFieldValue).toBe('invalid_filter_field');
    const noToken = await get('/users', 'Bearer made-up');
    expect(noToken.status).toBe(401);
    expect(noToken.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });
});
