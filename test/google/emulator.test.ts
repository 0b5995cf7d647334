import { generateKeyPairSync } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GoogleEmulator, startGoogleEmulator } from '../emulators/google/index.js';
import { FaultInjector, NO_FAULTS } from '../emulators/google/faults.js';
import { parseFields, applyFields } from '../emulators/google/fields.js';
import { DOMAIN } from './helpers.js';
import { failure, sdkClient } from './sdk.js';

/** The emulator, driven by the real @googleapis/admin client (and raw HTTP where the client cannot go). */

function raw(emu: GoogleEmulator, method: string, path: string, headers: Record<string, string>, body = ''): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, emu.url), { method, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const newUser = (local: string, extra: Record<string, unknown> = {}) => ({
  primaryEmail: `${local}@${DOMAIN}`,
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  password: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
  hashFunction: 'SHA-1',
  ...extra,
});

describe('google emulator with the real SDK client', () => {
  let emu: GoogleEmulator;
  beforeAll(async () => {
    emu = await startGoogleEmulator({ domains: [DOMAIN], quota: null });
  });
  afterAll(async () => emu.stop());

  it('exchanges a signed JWT for a token and rejects calls without one', async () => {
    const before = emu.auth.exchanges;
    const dir = sdkClient(emu);
    const res = await dir.users.list({ customer: 'my_customer', maxResults: 1 });
    expect(res.status).toBe(200);
    expect(emu.auth.exchanges).toBe(before + 1);

    const anon = await raw(emu, 'GET', '/admin/directory/v1/users?customer=my_customer', {});
    expect(anon.status).toBe(401);
    const body = JSON.parse(anon.body) as { error: { code: number; errors: { reason: string; domain: string }[] } };
    expect(body.error.code).toBe(401);
    expect(body.error.errors[0]?.reason).toBe('required');
    const bad = await raw(emu, 'GET', '/admin/directory/v1/users?customer=my_customer', { authorization: 'Bearer forged' });
    expect(bad.status).toBe(401);
  });

  it('refuses a JWT signed by a key it does not trust', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = { ...emu.serviceAccount, private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
    const dir = sdkClient(emu, forged);
    await expect(dir.users.list({ customer: 'my_customer' })).rejects.toThrow(/invalid_grant/);
  });

  it('pages over more than 500 users with maxResults 500 and pageToken', async () => {
    for (let i = 0; i < 1203; i++) emu.state.seedUser({ primaryEmail: `page${String(i).padStart(4, '0')}@${DOMAIN}`, externalIds: [{ type: 'organization', value: `P${i}` }] });
    const dir = sdkClient(emu);
    const seen = new Set<string>();
    let pages = 0;
    let pageToken: string | undefined;
    do {
      const res = await dir.users.list({ customer: 'my_customer', maxResults: 500, query: 'email:page', ...(pageToken ? { pageToken } : {}) });
      pages++;
      for (const u of res.data.users ?? []) seen.add(u.id ?? '');
      expect((res.data.users ?? []).length).toBeLessThanOrEqual(500);
      pageToken = res.data.nextPageToken ?? undefined;
    } while (pageToken);
    expect(pages).toBe(3);
    expect(seen.size).toBe(1203);
    const tooMany = await failure(dir.users.list({ customer: 'my_customer', maxResults: 501 }));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.errors[0]?.reason).toBe('invalidParameter');
    const noScope = await failure(dir.users.list({}));
    expect(noScope.status).toBe(400);
  });

  it('returns only the requested fields and filters by externalId', async () => {
    const dir = sdkClient(emu);
    const res = await dir.users.list({ customer: 'my_customer', maxResults: 5, query: 'externalId:P17', fields: 'nextPageToken,users(id,primaryEmail,name/givenName)' });
    expect(res.data.users).toHaveLength(1);
    const u = res.data.users?.[0] ?? {};
    expect(Object.keys(u).sort()).toEqual(['id', 'name', 'primaryEmail']);
    expect(Object.keys(u.name ?? {})).toEqual(['givenName']);
    expect(u.primaryEmail).toBe(`page0017@${DOMAIN}`);
    expect(applyFields({ a: [{ b: 1, c: 2 }], d: 3 }, parseFields('a(c)'))).toEqual({ a: [{ c: 2 }] });
    expect(() => parseFields('users(id')).toThrow();
  });

  it('sends etags, answers If-None-Match with 304 and stale If-Match with 412', async () => {
    const dir = sdkClient(emu);
    const created = await dir.users.insert({ requestBody: newUser('etag') });
    const etag = created.data.etag ?? '';
    expect(etag).toMatch(/^".+"$/);
    const got = await dir.users.get({ userKey: `etag@${DOMAIN}` });
    expect(got.headers.etag ?? (got.headers as unknown as Headers).get?.('etag')).toBe(etag);
    const cond = await dir.users.get({ userKey: `etag@${DOMAIN}` }, { headers: { 'If-None-Match': etag } });
    expect(cond.status).toBe(304);
    const upd = await dir.users.update({ userKey: created.data.id ?? '', requestBody: { suspended: true } }, { headers: { 'If-Match': etag } });
    expect(upd.data.suspended).toBe(true);
    expect(upd.data.etag).not.toBe(etag);
    const stale = await failure(dir.users.update({ userKey: created.data.id ?? '', requestBody: { suspended: false } }, { headers: { 'If-Match': etag } }));
    expect(stale.status).toBe(412);
    expect(stale.body.error.errors[0]?.reason).toBe('conditionNotMet');
    expect((await dir.users.get({ userKey: created.data.id ?? '' })).data.suspended).toBe(true);
  });

  it('answers duplicates and alias collisions with the documented 409 body', async () => {
    const dir = sdkClient(emu);
    await dir.users.insert({ requestBody: newUser('dup') });
    const again = await failure(dir.users.insert({ requestBody: newUser('dup') }));
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 409, message: 'Entity already exists.' });
    expect(again.body.error.errors[0]).toEqual({ domain: 'global', reason: 'duplicate', message: 'Entity already exists.' });

    await dir.users.aliases.insert({ userKey: `dup@${DOMAIN}`, requestBody: { alias: `dup.alias@${DOMAIN}` } });
    const onAlias = await failure(dir.users.insert({ requestBody: newUser('dup.alias') }));
    expect(onAlias.status).toBe(409);
    const aliasTwice = await failure(dir.users.aliases.insert({ userKey: `etag@${DOMAIN}`, requestBody: { alias: `dup.alias@${DOMAIN}` } }));
    expect(aliasTwice.status).toBe(409);
    const list = await dir.users.aliases.list({ userKey: `dup@${DOMAIN}` });
    expect((list.data.aliases as { alias: string }[]).map((a) => a.alias)).toEqual([`dup.alias@${DOMAIN}`]);
    await dir.users.aliases.delete({ userKey: `dup@${DOMAIN}`, alias: `dup.alias@${DOMAIN}` });
    await dir.users.insert({ requestBody: newUser('dup.alias') });
    const missing = await failure(dir.users.get({ userKey: `nobody@${DOMAIN}` }));
    expect(missing.status).toBe(404);
    expect(missing.body.error.errors[0]?.reason).toBe('notFound');
    const plain = await failure(dir.users.insert({ requestBody: newUser('short', { password: 'short', hashFunction: undefined }) }));
    expect(plain.status).toBe(400);
  });

  it('keeps the old address as an alias on rename, like Google', async () => {
    const dir = sdkClient(emu);
    const u = await dir.users.insert({ requestBody: newUser('before.rename') });
    const r = await dir.users.update({ userKey: u.data.id ?? '', requestBody: { primaryEmail: `after.rename@${DOMAIN}` } });
    expect(r.data.primaryEmail).toBe(`after.rename@${DOMAIN}`);
    expect(r.data.aliases).toEqual([`before.rename@${DOMAIN}`]);
    expect((await dir.users.get({ userKey: `before.rename@${DOMAIN}` })).data.id).toBe(u.data.id);
    const taken = await failure(dir.users.update({ userKey: u.data.id ?? '', requestBody: { primaryEmail: `dup@${DOMAIN}` } }));
    expect(taken.status).toBe(409);
  });

  it('manages org units, groups and members, with "Member already exists"', async () => {
    const dir = sdkClient(emu);
    await dir.orgunits.insert({ customerId: 'my_customer', requestBody: { name: 'Students', parentOrgUnitPath: '/' } });
    await dir.orgunits.insert({ customerId: 'my_customer', requestBody: { name: 'MHS', parentOrgUnitPath: '/Students' } });
    const orphan = await failure(dir.orgunits.insert({ customerId: 'my_customer', requestBody: { name: 'X', parentOrgUnitPath: '/Nope' } }));
    expect(orphan.status).toBe(400);
    const ou = await dir.orgunits.get({ customerId: 'my_customer', orgUnitPath: 'Students/MHS' });
    expect(ou.data.parentOrgUnitPath).toBe('/Students');
    const all = await dir.orgunits.list({ customerId: 'my_customer', type: 'all' });
    expect(all.data.organizationUnits?.map((o) => o.orgUnitPath)).toEqual(['/Students', '/Students/MHS']);
    const badOu = await failure(dir.users.insert({ requestBody: newUser('lost', { orgUnitPath: '/Nope' }) }));
    expect(badOu.status).toBe(400);

    const g = await dir.groups.insert({ requestBody: { email: `class@${DOMAIN}`, name: 'class' } });
    await dir.members.insert({ groupKey: g.data.id ?? '', requestBody: { email: `dup@${DOMAIN}` } });
    const twice = await failure(dir.members.insert({ groupKey: `class@${DOMAIN}`, requestBody: { email: `dup@${DOMAIN}` } }));
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toBe('Member already exists.');
    expect((await dir.members.hasMember({ groupKey: `class@${DOMAIN}`, memberKey: `dup@${DOMAIN}` })).data.isMember).toBe(true);
    expect((await dir.members.list({ groupKey: `class@${DOMAIN}` })).data.members?.map((m) => m.email)).toEqual([`dup@${DOMAIN}`]);
    await dir.members.delete({ groupKey: `class@${DOMAIN}`, memberKey: `dup@${DOMAIN}` });
    expect((await failure(dir.members.delete({ groupKey: `class@${DOMAIN}`, memberKey: `dup@${DOMAIN}` }))).status).toBe(404);
    expect((await dir.groups.list({ customer: 'my_customer' })).data.groups?.map((x) => x.email)).toEqual([`class@${DOMAIN}`]);
    await dir.groups.delete({ groupKey: `class@${DOMAIN}` });
    expect((await failure(dir.groups.get({ groupKey: `class@${DOMAIN}` }))).status).toBe(404);
  });

  it('serves the multipart/mixed batch endpoint (hand-built: the Node client cannot send it)', async () => {
    const token = emu.auth.issue('admin@example.edu');
    const parts = [
      ['<item1>', `GET /admin/directory/v1/users/dup%40${DOMAIN}?fields=primaryEmail HTTP/1.1\r\n\r\n`],
      ['<item2>', `POST /admin/directory/v1/users HTTP/1.1\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(newUser('batched'))}\r\n`],
      ['<item3>', `GET /admin/directory/v1/users/ghost%40${DOMAIN} HTTP/1.1\r\n\r\n`],
    ];
    const body = parts.map(([id, http]) => `--BOUNDARY\r\nContent-Type: application/http\r\nContent-ID: ${id}\r\n\r\n${http}`).join('\r\n') + '\r\n--BOUNDARY--\r\n';
    const res = await raw(emu, 'POST', '/batch/admin/directory_v1', { authorization: `Bearer ${token}`, 'content-type': 'multipart/mixed; boundary=BOUNDARY' }, body);
    expect(res.status).toBe(200);
    const boundary = /boundary=(\S+)/.exec(String(res.headers['content-type']))?.[1] ?? '';
    const replies = res.body.split(`--${boundary}`).slice(1, -1);
    expect(replies).toHaveLength(3);
    expect(replies[0]).toContain('Content-ID: <response-item1>');
    expect(replies[0]).toContain('HTTP/1.1 200 OK');
    expect(JSON.parse(replies[0]?.slice(replies[0].indexOf('{')) ?? '')).toEqual({ primaryEmail: `dup@${DOMAIN}` });
    expect(replies[1]).toContain('HTTP/1.1 200 OK');
    expect(emu.state.findUser(`batched@${DOMAIN}`)).toBeDefined();
    expect(replies[2]).toContain('HTTP/1.1 404 Not Found');
    expect(replies[2]).toContain('"reason":"notFound"');

    // Parts are authorised one by one: a read-only token may read but not write.
    const ro = emu.auth.issue('admin@example.edu', ['https://www.googleapis.com/auth/admin.directory.user.readonly']);
    const mixed = [parts[0], ['<w>', `POST /admin/directory/v1/users HTTP/1.1\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(newUser('readonly.write'))}\r\n`]]
      .map((p) => `--X\r\nContent-Type: application/http\r\nContent-ID: ${p?.[0] ?? ''}\r\n\r\n${p?.[1] ?? ''}`)
      .join('\r\n') + '\r\n--X--\r\n';
    const roRes = await raw(emu, 'POST', '/batch', { authorization: `Bearer ${ro}`, 'content-type': 'multipart/mixed; boundary=X' }, mixed);
    expect(roRes.body).toContain('HTTP/1.1 200 OK');
    expect(roRes.body).toContain('HTTP/1.1 403 Forbidden');
    expect(emu.state.findUser(`readonly.write@${DOMAIN}`)).toBeUndefined();

    const tooBig = Array.from({ length: 1001 }, (_, i) => `--B\r\nContent-Type: application/http\r\nContent-ID: <${i}>\r\n\r\nGET /admin/directory/v1/users/x HTTP/1.1\r\n\r\n`).join('') + '--B--';
    const big = await raw(emu, 'POST', '/batch', { authorization: `Bearer ${token}`, 'content-type': 'multipart/mixed; boundary=B' }, tooBig);
    expect(big.status).toBe(400);
  });
});

describe('google emulator quota and faults', () => {
  it('enforces the per-user quota with 403 userRateLimitExceeded, per window', async () => {
    const emu = await startGoogleEmulator({ domains: [DOMAIN], quota: { limit: 20, windowMs: 500 } });
    try {
      const dir = sdkClient(emu);
      const results = await Promise.allSettled(Array.from({ length: 25 }, () => dir.users.list({ customer: 'my_customer', maxResults: 1 })));
      const rejected = results.filter((r) => r.status === 'rejected');
      expect(rejected).toHaveLength(5);
      const f = await failure(dir.users.list({ customer: 'my_customer' }));
      expect(f.status).toBe(403);
      expect(f.body.error.errors[0]).toMatchObject({ domain: 'usageLimits', reason: 'userRateLimitExceeded' });
      await new Promise((r) => setTimeout(r, 550));
      expect((await dir.users.list({ customer: 'my_customer', maxResults: 1 })).status).toBe(200);
      // Another impersonated admin has a quota of its own.
      const other = await raw(emu, 'GET', '/admin/directory/v1/users?customer=my_customer', { authorization: `Bearer ${emu.auth.issue('other@example.edu')}` });
      expect(other.status).toBe(200);
    } finally {
      await emu.stop();
    }
  });

  it('injects 429 bursts with Retry-After, 5xx and dropped connections', async () => {
    const emu = await startGoogleEmulator({ domains: [DOMAIN], quota: null, faults: { burstEvery: 4, burstLength: 1, retryAfterSec: 7 } });
    try {
      const dir = sdkClient(emu);
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) {
        try {
          statuses.push((await dir.users.list({ customer: 'my_customer', maxResults: 1 })).status);
        } catch (e) {
          const r = (e as { response: { status: number; headers: Headers } }).response;
          statuses.push(r.status);
          expect(r.headers.get('retry-after')).toBe('7');
        }
      }
      expect(statuses).toEqual([200, 200, 200, 429, 200, 200, 200, 429]);
      emu.faults.configure({ burstEvery: 0, errorRate: 1, errorAfterCommitRate: 0 });
      expect((await failure(dir.users.list({ customer: 'my_customer' }))).status).toBeGreaterThanOrEqual(500);
      emu.faults.configure({ errorRate: 0, dropRate: 1 });
      await expect(dir.users.list({ customer: 'my_customer' })).rejects.toThrow();
      expect(emu.faults.injected.dropped).toBe(1);
    } finally {
      await emu.stop();
    }
  });

  it('is deterministic for a seed', () => {
    const opts = { ...NO_FAULTS, seed: 42, errorRate: 0.1, slowRate: 0.1, slowMs: 5, dropRate: 0.05, burstEvery: 50, burstLength: 3 };
    const a = new FaultInjector(opts);
    const b = new FaultInjector(opts);
    const da = Array.from({ length: 500 }, () => a.decide());
    const db = Array.from({ length: 500 }, () => b.decide());
    expect(da).toEqual(db);
    const errors = da.filter((d) => d.kind === 'error').length;
    expect(errors).toBeGreaterThan(20);
    expect(errors).toBeLessThan(80);
    expect(new FaultInjector({ ...opts, seed: 43 }).decide()).toBeDefined();
  });
});
