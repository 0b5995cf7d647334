import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchRequestContent, BatchResponseContent, PageIterator, type Client } from '@microsoft/microsoft-graph-client';
import { ClientCredentialsAuth } from '../../providers/entra/auth.js';
import { createTransport } from '../../providers/entra/transport.js';
import type { GraphEmulator } from '../emulators/graph/index.js';
import { DOMAIN, emulator, TENANT } from './helpers.js';

/** The emulator's wire behaviour, exercised through the real Graph SDK client. */

const user = (i: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  accountEnabled: true,
  displayName: `User ${i}`,
  mailNickname: `u${i}`,
  userPrincipalName: `u${i}@${DOMAIN}`,
  employeeId: `e${i}`,
  passwordProfile: { password: 'Str0ng!pass', forceChangePasswordNextSignIn: true },
  ...extra,
});

async function graphError(p: Promise<unknown>): Promise<{ statusCode: number; code: string; body: string; headers?: Headers }> {
  try {
    await p;
  } catch (e) {
    return e as { statusCode: number; code: string; body: string };
  }
  throw new Error('expected a Graph error');
}

describe('Graph emulator with the real SDK client', () => {
  let emu: GraphEmulator;
  let client: Client;
  beforeAll(async () => {
    emu = await emulator({ throttle: { writeLimit: 100_000 } });
    const auth = new ClientCredentialsAuth(`${emu.url}/${TENANT}/oauth2/v2.0/token`, 'app-id', 's3cret-value');
    client = (await createTransport(auth, emu.url)).client;
    for (let i = 0; i < 250; i++) await client.api('/users').post(user(i));
  });
  afterAll(async () => {
    await emu.stop();
  });

  it('answers 401 with the Graph error body without a valid bearer token', async () => {
    const res = await fetch(`${emu.url}/v1.0/users`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('InvalidAuthenticationToken');
    const forged = await fetch(`${emu.url}/v1.0/users`, { headers: { Authorization: 'Bearer not-issued' } });
    expect(forged.status).toBe(401);
    const tok = await fetch(`${emu.url}/${TENANT}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'app-id', client_secret: 'nope', scope: 'https://graph.microsoft.com/.default' }) });
    expect(tok.status).toBe(401);
    expect(((await tok.json()) as { error: string; error_description: string }).error_description).toMatch(/^AADSTS7000215/);
  });

  it('pages with @odata.nextLink, followed by PageIterator through the real base URL', async () => {
    const first = await client.api('/users').select('id,employeeId').top(100).get();
    expect(first.value).toHaveLength(100);
    expect(first['@odata.nextLink']).toMatch(/^https:\/\/graph\.microsoft\.com\/v1\.0\/users\?/);
    expect(Object.keys(first.value[0]).sort()).toEqual(['employeeId', 'id']);
    const seen: string[] = [];
    await new PageIterator(client, first, (u: { employeeId: string }) => {
      seen.push(u.employeeId);
      return true;
    }).iterate();
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
    await expect(graphError(client.api('/users').top(1000).get())).resolves.toMatchObject({ statusCode: 400 });
  });

  it('filters on employeeId and userPrincipalName, and rejects unsupported filters', async () => {
    const byAnchor = await client.api('/users').filter("employeeId eq 'e42'").select('id,userPrincipalName').get();
    expect(byAnchor.value.map((u: { userPrincipalName: string }) => u.userPrincipalName)).toEqual([`u42@${DOMAIN}`]);
    const byUpn = await client.api('/users').filter(`userPrincipalName eq 'u7@${DOMAIN}'`).select('employeeId').get();
    expect(byUpn.value).toEqual([{ employeeId: 'e7' }]);
    const many = await client.api('/users').filter("employeeId in ('e1','e2','nope')").select('employeeId').get();
    expect(many.value.map((u: { employeeId: string }) => u.employeeId).sort()).toEqual(['e1', 'e2']);
    const err = await graphError(client.api('/users').filter("onPremisesExtensionAttributes/extensionAttribute1 eq 'x'").get());
    expect(err.statusCode).toBe(400);
  });

  it('validates create-user: required properties and the UPN character set, with the documented error body', async () => {
    const missing = await graphError(client.api('/users').post({ ...user(900), passwordProfile: undefined }));
    expect(missing.statusCode).toBe(400);
    expect(missing.code).toBe('Request_BadRequest');
    expect(missing.body).toContain('passwordProfile');
    const accent = await graphError(client.api('/users').post(user(901, { userPrincipalName: `zoë@${DOMAIN}` })));
    expect(accent.statusCode).toBe(400);
    expect(accent.body).toContain("Invalid value specified for property 'userPrincipalName'");
    const foreign = await graphError(client.api('/users').post(user(902, { userPrincipalName: 'u902@unverified.example' })));
    expect(foreign.statusCode).toBe(400);
    const dup = await graphError(client.api('/users').post(user(1)));
    expect(dup.body).toContain('ObjectConflict');
    const ok = await client.api('/users').post(user(903, { userPrincipalName: `o'brien.j-s_!#^~@${DOMAIN}` }));
    expect(ok.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('runs $batch through BatchRequestContent/BatchResponseContent, with dependsOn and 424', async () => {
    const base = 'https://graph.microsoft.com/v1.0';
    const content = new BatchRequestContent([
      { id: '1', request: new Request(`${base}/users`, { method: 'POST', body: JSON.stringify(user(950)), headers: { 'Content-Type': 'application/json' } }) },
      { id: '2', dependsOn: ['1'], request: new Request(`${base}/users?$filter=employeeId eq 'e950'&$select=employeeId`, { method: 'GET' }) },
    ]);
    const res = new BatchResponseContent(await client.api('/$batch').post(await content.getContent()));
    expect(res.getResponseById('1').status).toBe(201);
    // The per-response Content-Type spelling lets the SDK parse bodies as JSON.
    expect(((await res.getResponseById('2').json()) as { value: unknown[] }).value).toEqual([{ employeeId: 'e950' }]);

    const failing = await client.api('/$batch').post({
      requests: [
        { id: 'a', method: 'POST', url: '/users', headers: { 'Content-Type': 'application/json' }, body: user(951, { userPrincipalName: 'bad@@x' }) },
        { id: 'b', dependsOn: ['a'], method: 'GET', url: '/users?$top=1' },
        { id: 'c', method: 'GET', url: '/users?$top=1' },
      ],
    });
    const status = Object.fromEntries(failing.responses.map((r: { id: string; status: number }) => [r.id, r.status]));
    expect(status).toEqual({ a: 400, b: 424, c: 200 });
  });

  it('rejects a $batch of more than 20 requests and duplicate ids', async () => {
    const requests = Array.from({ length: 21 }, (_, i) => ({ id: String(i + 1), method: 'GET', url: '/users?$top=1' }));
    expect((await graphError(client.api('/$batch').post({ requests }))).statusCode).toBe(400);
    expect(() => new BatchRequestContent(requests.map((r) => ({ id: r.id, request: new Request(`https://graph.microsoft.com/v1.0${r.url}`) })))).toThrow(/limit/i);
    const dup = [{ id: 'x', method: 'GET', url: '/users?$top=1' }, { id: 'X', method: 'GET', url: '/users?$top=1' }];
    expect((await graphError(client.api('/$batch').post({ requests: dup }))).statusCode).toBe(400);
    expect((await client.api('/$batch').post({ requests: requests.slice(0, 20) })).responses).toHaveLength(20);
  });

  it('manages group members via $ref and members@odata.bind (at most 20), with "already exist"', async () => {
    const g = await client.api('/groups').post({ displayName: 'g1', mailEnabled: false, mailNickname: 'g1', securityEnabled: true });
    const ids = (await client.api('/users').select('id').top(25).get()).value.map((u: { id: string }) => u.id);
    const ref = (id: string): string => `https://graph.microsoft.com/v1.0/directoryObjects/${id}`;
    await client.api(`/groups/${g.id}/members/$ref`).post({ '@odata.id': ref(ids[0]) });
    const again = await graphError(client.api(`/groups/${g.id}/members/$ref`).post({ '@odata.id': ref(ids[0]) }));
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('One or more added object references already exist');
    expect((await graphError(client.api(`/groups/${g.id}`).patch({ 'members@odata.bind': ids.slice(1, 22).map(ref) }))).statusCode).toBe(400);
    // All-or-nothing: one existing member refuses the whole PATCH.
    expect((await graphError(client.api(`/groups/${g.id}`).patch({ 'members@odata.bind': ids.slice(0, 5).map(ref) }))).statusCode).toBe(400);
    expect(emu.state.members.get(g.id)!.size).toBe(1);
    await client.api(`/groups/${g.id}`).patch({ 'members@odata.bind': ids.slice(1, 21).map(ref) });
    expect(emu.state.members.get(g.id)!.size).toBe(21);
    await client.api(`/groups/${g.id}/members/${ids[0]}/$ref`).delete();
    expect((await graphError(client.api(`/groups/${g.id}/members/${ids[0]}/$ref`).delete())).statusCode).toBe(404);
    const members = await client.api(`/groups/${g.id}/members`).select('id').top(10).get();
    expect(members.value).toHaveLength(10);
    expect(members['@odata.nextLink']).toBeTruthy();
  });

  it('serves /users/delta rounds with deltaLinks, and 410 for expired tokens', async () => {
    let page = await client.api('/users/delta').select('id,employeeId').top(200).get();
    let count = page.value.length;
    while (page['@odata.nextLink']) {
      page = await client.api(page['@odata.nextLink']).get();
      count += page.value.length;
    }
    expect(count).toBe(emu.state.users.size);
    const deltaLink: string = page['@odata.deltaLink'];
    expect(deltaLink).toMatch(/\$deltatoken=/);
    const created = await client.api('/users').post(user(960));
    const victim = [...emu.state.users.values()].find((u) => u.props['employeeId'] === 'e3')!;
    await client.api(`/users/${victim.id}`).delete();
    await client.api(`/users/${created.id}`).patch({ displayName: 'Renamed' });
    const next = await client.api(deltaLink).get();
    expect(next.value).toHaveLength(2);
    expect(next.value.find((v: { id: string }) => v.id === created.id)).toMatchObject({ employeeId: 'e960' });
    expect(next.value.find((v: { id: string }) => v.id === victim.id)).toMatchObject({ '@removed': { reason: 'changed' } });
    emu.expireDeltaTokens();
    expect((await graphError(client.api(next['@odata.deltaLink']).get())).statusCode).toBe(410);
    expect((await graphError(client.api('/users/delta?$deltatoken=garbage').get())).statusCode).toBe(410);
  });
});

describe('Graph emulator throttling and faults', () => {
  it('answers 429 with Retry-After over the write quota, per request inside a batch too', async () => {
    const emu = await emulator({ timeScale: 1, throttle: { writeLimit: 3, writeWindowMs: 150_000 } });
    try {
      const token = emu.token();
      const h = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 4; i++) {
        const r = await fetch(`${emu.url}/v1.0/users`, { method: 'POST', headers: h, body: JSON.stringify(user(i)) });
        statuses.push(r.status);
        if (r.status === 429) retryAfter = r.headers.get('Retry-After');
      }
      expect(statuses).toEqual([201, 201, 201, 429]);
      expect(Number(retryAfter)).toBeGreaterThan(100);
      expect(Number(retryAfter)).toBeLessThanOrEqual(150);
      // Reads are not writes.
      expect((await fetch(`${emu.url}/v1.0/users`, { headers: h })).status).toBe(200);
      const batch = await fetch(`${emu.url}/v1.0/$batch`, { method: 'POST', headers: h, body: JSON.stringify({ requests: [{ id: '1', method: 'GET', url: '/users' }, { id: '2', method: 'DELETE', url: `/users/${[...emu.state.users.keys()][0]}` }] }) });
      expect(batch.status).toBe(200);
      const body = (await batch.json()) as { responses: { id: string; status: number; headers: Record<string, string> }[] };
      const two = body.responses.find((r) => r.id === '2')!;
      expect([body.responses.find((r) => r.id === '1')!.status, two.status]).toEqual([200, 429]);
      expect(two.headers['Retry-After']).toBeTruthy();
    } finally {
      await emu.stop();
    }
  });

  it('enforces the request budget for reads too, and counts only as an advanced query', async () => {
    const emu = await emulator({ throttle: { requestLimit: 5, requestWindowMs: 10_000 } });
    try {
      const h = { Authorization: `Bearer ${emu.token()}` };
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await fetch(`${emu.url}/v1.0/users?$top=1`, { headers: h })).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    } finally {
      await emu.stop();
    }
    const emu2 = await emulator();
    try {
      const h = { Authorization: `Bearer ${emu2.token()}` };
      expect((await fetch(`${emu2.url}/v1.0/users?$count=true`, { headers: h })).status).toBe(400);
      const counted = await fetch(`${emu2.url}/v1.0/users?$count=true&$top=1`, { headers: { ...h, ConsistencyLevel: 'eventual' } });
      expect(((await counted.json()) as Record<string, unknown>)['@odata.count']).toBe(0);
    } finally {
      await emu2.stop();
    }
  });

  it('injects faults deterministically from the seed', async () => {
    const run = async (): Promise<number[]> => {
      const emu = await emulator({ seed: 7, faults: { errorRate: 0.3, burstRate: 0.05, burstMs: 0 } });
      try {
        const h = { Authorization: `Bearer ${emu.token()}` };
        const out: number[] = [];
        for (let i = 0; i < 40; i++) out.push((await fetch(`${emu.url}/v1.0/users`, { headers: h })).status);
        return out;
      } finally {
        await emu.stop();
      }
    };
    const a = await run();
    expect(a).toEqual(await run());
    expect(a.filter((s) => s >= 500).length).toBeGreaterThan(3);
    expect(a.filter((s) => s === 200).length).toBeGreaterThan(20);
  });

  it('drops connections after doing the work', async () => {
    const emu = await emulator({ faults: { dropRate: 1 } });
    try {
      const h = { Authorization: `Bearer ${emu.token()}`, 'Content-Type': 'application/json' };
      await expect(fetch(`${emu.url}/v1.0/users`, { method: 'POST', headers: h, body: JSON.stringify(user(1)) })).rejects.toThrow();
      expect(emu.state.users.size).toBe(1);
    } finally {
      await emu.stop();
    }
  });
});
