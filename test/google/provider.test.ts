import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GoogleEmulator } from '../emulators/google/index.js';
import { type GoogleProvider, googleProviderModule } from '../../providers/google/index.js';
import { sha512Crypt } from '../../providers/google/password.js';
import { fromOrgUnitPath, toOrgUnitPath } from '../../providers/google/mapping.js';
import { parseSettings } from '../../providers/google/settings.js';
import { DOMAIN, change, createChange, startBoth, targetConfig } from './helpers.js';

/** The google provider against the emulator: every change shape, its idempotence and its conflicts. */

const FAST = { retry: { baseMs: 5, maxMs: 50, maxAttempts: 8 } };

describe('google provider settings', () => {
  it('reports missing and malformed settings as diagnostics', async () => {
    const cfg = { name: 'gws', provider: 'google', settings: { rootUrl: 'ftp://x', qpm: -1, passwordHash: 'md4', bogus: 1 }, origin: { id: 't', source: { file: 'policy/targets.yaml', line: 3 } } };
    const d = googleProviderModule.validateSettings(cfg);
    const codes = d.map((x) => `${x.severity}:${x.code}:${x.path ?? ''}`);
    expect(codes).toContain('error:google.settings.required:/targets/gws/settings/domain');
    expect(codes).toContain('error:google.settings.required:/targets/gws/settings/credentialsEnv');
    expect(codes).toContain('error:google.settings.url:/targets/gws/settings/rootUrl');
    expect(codes).toContain('error:google.settings.type:/targets/gws/settings/qpm');
    expect(codes).toContain('error:google.settings.passwordHash:/targets/gws/settings/passwordHash');
    expect(codes).toContain('warning:google.settings.unknown:/targets/gws/settings/bogus');
    expect(d.every((x) => x.source?.file === 'policy/targets.yaml')).toBe(true);
    await expect(googleProviderModule.create(cfg, { policyDir: '/', env: {}, log: () => {} })).rejects.toThrow(/domain/);
  });

  it('maps logical paths under the org-unit root and back', () => {
    const { settings } = parseSettings({ name: 'g', provider: 'google', settings: { domain: DOMAIN, credentialsEnv: 'K', subject: 'a@b.c', orgUnitRoot: '/District/' }, origin: { id: 'x' } });
    expect(toOrgUnitPath(settings, 'Students/MHS/2030')).toBe('/District/Students/MHS/2030');
    expect(fromOrgUnitPath(settings, '/District/Students/MHS/2030')).toBe('Students/MHS/2030');
    expect(fromOrgUnitPath(settings, '/District')).toBe('');
    expect(fromOrgUnitPath(settings, '/Staff')).toBe('/Staff');
    expect(settings.qpm).toBe(2400);
    expect(settings.customer).toBe('my_customer');
  });

  it('fails with a clear error when the key variable is missing, without echoing it', async () => {
    const cfg = targetConfig({ url: 'http://127.0.0.1:1/', tokenUrl: 'http://127.0.0.1:1/token' } as GoogleEmulator);
    await expect(googleProviderModule.create(cfg, { policyDir: '/', env: {}, log: () => {} })).rejects.toThrow(/ROLLCALL_TEST_GOOGLE_KEY/);
    await expect(googleProviderModule.create(cfg, { policyDir: '/', env: { ROLLCALL_TEST_GOOGLE_KEY: 'not-json-secret' }, log: () => {} })).rejects.toThrow(
      /^(?!.*not-json-secret).*JSON/,
    );
  });

  it('computes SHA-512-crypt as specified (reference vector)', () => {
    expect(sha512Crypt('Hello world!', 'saltstring')).toBe('$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1');
  });
});

describe('google provider against the emulator', () => {
  let emu: GoogleEmulator;
  let p: GoogleProvider;
  beforeAll(async () => {
    ({ emu, provider: p } = await startBoth({ quota: null }, FAST));
  });
  afterAll(async () => {
    await p.close();
    await emu.stop();
  });

  it('creates org units parents first, then accounts with a hashed password and the anchor', async () => {
    const ou = change('container', 'create', 'Students/MHS/2030', { after: { path: 'Students/MHS/2030' } });
    expect((await p.apply(ou, {})).status).toBe('applied');
    expect((await p.apply(ou, {})).status).toBe('already');
    expect([...emu.state.orgUnits.keys()]).toEqual(expect.arrayContaining(['/Rollcall', '/Rollcall/Students', '/Rollcall/Students/MHS', '/Rollcall/Students/MHS/2030']));

    const out = await p.apply(createChange('ada', 'S-ADA'), { initialPassword: 'Correct-horse-1', changeAtNextLogin: true });
    expect(out.status).toBe('applied');
    const u = emu.state.findUser(`ada@${DOMAIN}`);
    expect(u?.resource.id).toBe(out.status === 'applied' ? out.objectId : '');
    expect(u?.hashFunction).toBe('SHA-1');
    expect(u?.password).toBe(createHash('sha1').update('Correct-horse-1').digest('hex'));
    expect(u?.resource.externalIds).toEqual([{ type: 'organization', value: 'S-ADA' }]);
    expect(u?.resource.orgUnitPath).toBe('/Rollcall/Students/MHS/2030');
    expect(u?.resource.changePasswordAtNextLogin).toBe(true);
  });

  it('treats a 409 on create as done when the holder carries our anchor', async () => {
    const again = await p.apply(createChange('ada', 'S-ADA'), {});
    expect(again.status).toBe('already');
    expect(emu.state.users.size).toBe(1);
  });

  it('reports 409 conflicts as terminal with guidance, and never retries them', async () => {
    emu.state.reserveEmail(`consumer@${DOMAIN}`);
    const consumer = await p.apply(createChange('consumer', 'S-C'), {});
    expect(consumer).toMatchObject({ status: 'failed', terminal: true });
    expect(consumer.status === 'failed' && consumer.error).toMatch(/unmanaged \(consumer\) Google account/);

    emu.state.seedUser({ primaryEmail: `other@${DOMAIN}`, aliases: [`taken@${DOMAIN}`], externalIds: [{ type: 'organization', value: 'S-OTHER' }] });
    const alias = await p.apply(createChange('taken', 'S-T'), {});
    expect(alias.status === 'failed' && alias.terminal && alias.error).toMatch(/alias of another account/);

    emu.state.seedUser({ primaryEmail: `legacy@${DOMAIN}` });
    const calls = emu.state.counters.calls;
    const legacy = await p.apply(createChange('legacy', 'S-L'), {});
    expect(legacy.status === 'failed' && legacy.terminal && legacy.error).toMatch(/without a rollcall anchor.*adopt/);
    expect(emu.state.counters.calls - calls).toBe(2); // one insert, one lookup: no retry loop
  });

  it('adopts an existing account by writing the anchor, keeping other external ids', async () => {
    const legacy = emu.state.findUser(`legacy@${DOMAIN}`);
    legacy!.resource.externalIds = [{ type: 'network', value: 'N-1' }];
    const c = change('account', 'adopt', 'legacy', { object_id: legacy!.resource.id, anchor: 'S-L', after: { anchor: 'S-L' } });
    expect((await p.apply(c, {})).status).toBe('applied');
    expect(legacy!.resource.externalIds).toEqual([{ type: 'network', value: 'N-1' }, { type: 'organization', value: 'S-L' }]);
    expect((await p.apply(c, {})).status).toBe('already');
  });

  it('renames keeping the old address as an alias, moves, suspends, restores and updates names', async () => {
    const id = emu.state.findUser(`ada@${DOMAIN}`)!.resource.id;
    const rename = change('account', 'rename', 'ada', {
      object_id: id,
      anchor: 'S-ADA',
      before: { username: 'ada', email: `ada@${DOMAIN}` },
      after: { username: 'ada.king', email: `ada.king@${DOMAIN}`, aliases: [`ada@${DOMAIN}`] },
    });
    expect((await p.apply(rename, {})).status).toBe('applied');
    expect((await p.apply(rename, {})).status).toBe('already');
    const move = change('account', 'move', 'ada.king', { object_id: id, anchor: 'S-ADA', before: { path: 'Students/MHS/2030' }, after: { path: 'Students/MHS' } });
    expect((await p.apply(move, {})).status).toBe('applied');
    const disable = change('account', 'disable', 'ada.king', { object_id: id, anchor: 'S-ADA', before: { enabled: true }, after: { enabled: false } });
    expect((await p.apply(disable, {})).status).toBe('applied');
    expect((await p.apply(disable, {})).status).toBe('already');
    const update = change('account', 'update', 'ada.king', { object_id: id, anchor: 'S-ADA', before: { familyName: 'Family' }, after: { familyName: 'King', displayName: 'Ada King' } });
    expect((await p.apply(update, {})).status).toBe('applied');

    const snap = await p.read();
    const ada = snap.accounts.find((a) => a.anchor === 'S-ADA');
    expect(ada).toMatchObject({ id, username: 'ada.king', email: `ada.king@${DOMAIN}`, path: 'Students/MHS', enabled: false, familyName: 'King', displayName: 'Ada King', aliases: [`ada@${DOMAIN}`] });
    expect(snap.containers).toEqual(['Students', 'Students/MHS', 'Students/MHS/2030']);
    // Outside the managed root: the absolute orgUnitPath, which no logical path equals.
    const outside = snap.accounts.find((a) => a.username === 'other');
    expect(outside?.path).toBe('/');

    const enable = change('account', 'enable', 'ada.king', { object_id: id, anchor: 'S-ADA', before: { enabled: false }, after: { enabled: true } });
    expect((await p.apply(enable, {})).status).toBe('applied');
    expect(emu.state.findUser(id)?.resource.suspended).toBe(false);
  });

  it('refuses to touch an account whose anchor does not match', async () => {
    const other = emu.state.findUser(`other@${DOMAIN}`)!.resource.id;
    const c = change('account', 'disable', 'other', { object_id: other, anchor: 'S-ADA', before: { enabled: true }, after: { enabled: false } });
    const out = await p.apply(c, {});
    expect(out.status === 'failed' && out.terminal && out.error).toMatch(/expected anchor/);
    expect(emu.state.findUser(other)?.resource.suspended).toBe(false);
  });

  it('creates groups and manages members idempotently', async () => {
    const g = change('group', 'create', 'mhs-2030', { after: { name: 'mhs-2030', description: 'MHS class of 2030' } });
    expect((await p.apply(g, {})).status).toBe('applied');
    expect((await p.apply(g, {})).status).toBe('already');
    const add = change('membership', 'add', 'mhs-2030|ada.king', { anchor: 'S-ADA', after: { group: 'mhs-2030', member: 'ada.king' } });
    expect((await p.apply(add, {})).status).toBe('applied');
    expect((await p.apply(add, {})).status).toBe('already');
    const snap = await p.read();
    const id = emu.state.findUser(`ada.king@${DOMAIN}`)!.resource.id;
    expect(snap.groups).toEqual([expect.objectContaining({ name: 'mhs-2030', description: 'MHS class of 2030', members: [id], managed: true })]);
    const remove = change('membership', 'remove', 'mhs-2030|ada.king', { anchor: 'S-ADA', before: { group: 'mhs-2030', member: 'ada.king' } });
    expect((await p.apply(remove, {})).status).toBe('applied');
    expect((await p.apply(remove, {})).status).toBe('already');
    const ghost = change('membership', 'add', 'mhs-2030|ghost', { after: { group: 'mhs-2030', member: 'ghost' } });
    expect(await p.apply(ghost, {})).toMatchObject({ status: 'failed', terminal: true });
  });

  it('resolves a member in another domain by its anchor', async () => {
    emu.state.domains.push('students.example.edu');
    const sub = emu.state.seedUser({ primaryEmail: 'kid30@students.example.edu', externalIds: [{ type: 'organization', value: 'S-KID' }] });
    const add = change('membership', 'add', 'mhs-2030|kid30', { anchor: 'S-KID', after: { group: 'mhs-2030', member: 'kid30' } });
    expect((await p.apply(add, {})).status).toBe('applied');
    expect(emu.state.findGroup(`mhs-2030@${DOMAIN}`)?.members.has(sub.resource.id)).toBe(true);
    expect((await p.apply(add, {})).status).toBe('already');
  });

  it('deletes, and a second delete is already done', async () => {
    const id = emu.state.findUser(`ada.king@${DOMAIN}`)!.resource.id;
    const del = change('account', 'delete', 'ada.king', { object_id: id, anchor: 'S-ADA', before: { username: 'ada.king' } });
    expect((await p.apply(del, {})).status).toBe('applied');
    expect((await p.apply(del, {})).status).toBe('already');
    expect(emu.state.findUser(`ada@${DOMAIN}`)).toBeUndefined();
  });

  it('stores a crypt hash when asked, and a custom anchor type', async () => {
    const { emu: e2, provider: p2 } = await startBoth({ quota: null }, { ...FAST, passwordHash: 'crypt', anchorType: 'rollcall', orgUnitRoot: '/' });
    try {
      expect((await p2.apply(createChange('bo', 'S-BO', ''), { initialPassword: 'Another-pass-2' })).status).toBe('applied');
      const u = e2.state.findUser(`bo@${DOMAIN}`);
      expect(u?.hashFunction).toBe('crypt');
      expect(u?.password).toMatch(/^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
      expect(u?.password.startsWith('$6$') && sha512Crypt('Another-pass-2', u.password.split('$')[2] ?? '')).toBe(u?.password);
      expect(u?.resource.externalIds).toEqual([{ type: 'custom', customType: 'rollcall', value: 'S-BO' }]);
      expect(u?.resource.orgUnitPath).toBe('/');
      expect((await p2.read()).accounts[0]).toMatchObject({ anchor: 'S-BO', path: '' });
    } finally {
      await p2.close();
      await e2.stop();
    }
  });
});

describe('google provider options', () => {
  it('archives on disable when configured, un-archives on enable, and writes custom schemas', async () => {
    const { emu, provider } = await startBoth({ quota: null }, { ...FAST, archiveOnDisable: true, customSchemas: { Rollcall: { managed: true } } });
    try {
      emu.state.seedOrgUnit('/Rollcall');
      const out = await provider.apply(createChange('arc', 'S-ARC', ''), {});
      const id = out.status === 'applied' ? (out.objectId ?? '') : '';
      expect(emu.state.findUser(id)?.resource.customSchemas).toEqual({ Rollcall: { managed: true } });
      const dis = change('account', 'disable', 'arc', { object_id: id, anchor: 'S-ARC', before: { enabled: true }, after: { enabled: false } });
      expect((await provider.apply(dis, {})).status).toBe('applied');
      expect(emu.state.findUser(id)?.resource).toMatchObject({ suspended: true, archived: true });
      expect((await provider.read()).accounts[0]?.enabled).toBe(false);
      // Archived but not suspended still reads as disabled, and enable lifts both.
      emu.state.findUser(id)!.resource.suspended = false;
      expect((await provider.read()).accounts[0]?.enabled).toBe(false);
      const en = change('account', 'enable', 'arc', { object_id: id, anchor: 'S-ARC', before: { enabled: false }, after: { enabled: true } });
      expect((await provider.apply(en, {})).status).toBe('applied');
      expect(emu.state.findUser(id)?.resource).toMatchObject({ suspended: false, archived: false });
      expect((await provider.apply(en, {})).status).toBe('already');
    } finally {
      await provider.close();
      await emu.stop();
    }
  });

  it('keeps the SDK out of the start-up path: only client.ts imports it, and only dynamically', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const dir = new URL('../../providers/google/', import.meta.url);
    const files = (await readdir(dir)).filter((f) => f.endsWith('.ts'));
    expect(files).toContain('index.ts');
    for (const f of files) {
      const src = await readFile(new URL(f, dir), 'utf8');
      const valueImports = src.split('\n').filter((l) => /^import\s+(?!type\b)[^;]*['"](@googleapis\/admin|google-auth-library|googleapis)['"]/.test(l));
      expect(valueImports, f).toEqual([]);
    }
    const index = await readFile(new URL('index.ts', dir), 'utf8');
    expect(index).not.toMatch(/^import\s+(?!type\b)[^;]*['"]\.\/client\.js['"]/m);
    expect(index).toContain("await import('./client.js')");
  });
});

describe('google provider throughput control', () => {
  it('backs off on 403 quota errors and 429 Retry-After, then succeeds', async () => {
    const { emu, provider } = await startBoth({ quota: { limit: 15, windowMs: 400 }, faults: { burstEvery: 20, burstLength: 2, retryAfterSec: 1 } }, { ...FAST, qpm: 1_000_000, concurrency: 8 });
    try {
      emu.state.seedOrgUnit('/Rollcall');
      const started = performance.now();
      const outs = await Promise.all(Array.from({ length: 40 }, (_, i) => provider.apply(createChange(`q${i}`, `Q${i}`, ''), {})));
      expect(outs.filter((o) => o.status === 'applied')).toHaveLength(40);
      expect(emu.quota.rejected).toBeGreaterThan(0);
      expect(emu.faults.injected.throttled).toBeGreaterThan(0);
      expect(provider.stats.byKind.rate).toBeGreaterThan(0);
      expect(provider.stats.byKind.throttle).toBeGreaterThan(0);
      expect(performance.now() - started).toBeGreaterThanOrEqual(1000); // honoured Retry-After: 1
      expect(emu.state.users.size).toBe(40);
    } finally {
      await provider.close();
      await emu.stop();
    }
  });

  it('paces calls to the configured qpm without tripping the server quota', async () => {
    // The documented quota shape (N per window) scaled down to 50 per 1 s. The client aims
    // at 40 per 1 s: at a 1 s scale, scheduling jitter on a busy CI machine is a larger share
    // of the window than at Google's 60 s (where the bench shows 98.7% use, 0 rejections).
    const { emu, provider } = await startBoth({ quota: { limit: 50, windowMs: 1000 } }, { ...FAST, qpm: 40, quotaWindowMs: 1000, concurrency: 8 });
    try {
      emu.state.seedOrgUnit('/Rollcall');
      await provider.apply(createChange('warm', 'WARM', ''), {}); // token exchange first
      const started = performance.now();
      const outs = await Promise.all(Array.from({ length: 70 }, (_, i) => provider.apply(createChange(`r${i}`, `R${i}`, ''), {})));
      const secs = (performance.now() - started) / 1000;
      expect(outs.every((o) => o.status === 'applied')).toBe(true);
      expect(emu.quota.rejected).toBe(0);
      // At most 39 per second, after the one call spent warming up: at least ~0.8 s.
      expect(secs).toBeGreaterThan(0.8);
      expect(secs).toBeLessThan(8);
    } finally {
      await provider.close();
      await emu.stop();
    }
  });
});
