import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetSnapshot } from '../../engine/model/accounts.js';
import type { TargetProvider } from '../../engine/model/provider.js';
import { ldapProviderModule } from '../../providers/ldap/index.js';
import { startSlapd, type SlapdServer } from '../servers/slapd.js';
import { BATCH, batchedMembershipScenario } from './batch-members.js';
import { accountAttrs, change, context, targetConfig, uniqueOu } from './helpers.js';

/** The openldap profile against a real, throwaway slapd (ldaps with a test CA). */
let server: SlapdServer;
let provider: TargetProvider;
let admin: Client;
const T = 'ol';
const ou = uniqueOu('rc');
const PW = 'Initial-Pw-1234!';

async function userDn(username: string): Promise<string> {
  const r = await admin.search(server.baseDN, { filter: `(uid=${username})`, attributes: ['1.1'] });
  expect(r.searchEntries).toHaveLength(1);
  return r.searchEntries[0]!.dn;
}

async function canBind(dn: string, password: string): Promise<boolean> {
  const c = new Client({ url: server.ldapsUrl, tlsOptions: { ca: server.caPem } });
  try {
    await c.bind(dn, password);
    return true;
  } catch {
    return false;
  } finally {
    await c.unbind().catch(() => undefined);
  }
}

function byName(s: TargetSnapshot, username: string) {
  return s.accounts.find((a) => a.username === username);
}

beforeAll(async () => {
  server = await startSlapd();
  admin = new Client({ url: server.ldapsUrl, tlsOptions: { ca: server.caPem } });
  await admin.bind(server.rootDN, server.rootPassword);
  provider = await ldapProviderModule.create(
    targetConfig(T, {
      profile: 'openldap', url: server.ldapUrl, startTLS: true, baseDN: server.baseDN, caFile: server.caFile,
      bindDNEnv: 'OL_DN', bindPasswordEnv: 'OL_PW', usersBase: `ou=${ou}`, groupsBase: `ou=Groups,ou=${ou}`,
    }),
    context({ OL_DN: server.rootDN, OL_PW: server.rootPassword }),
  );
});

afterAll(async () => {
  await provider?.close();
  await admin?.unbind().catch(() => undefined);
  await server?.stop();
});

describe('openldap profile', () => {
  let aliceId = '';

  it('creates OUs, then an account that can bind with its initial password (StartTLS, verified CA)', async () => {
    expect(await provider.apply(change(T, 'container', 'create', 'Students/MHS/2030', { after: { path: 'Students/MHS/2030' } }), {})).toMatchObject({ status: 'applied' });
    expect(await provider.apply(change(T, 'container', 'create', 'Students/MHS/2030', { after: { path: 'Students/MHS/2030' } }), {})).toMatchObject({ status: 'already' });
    const out = await provider.apply(change(T, 'account', 'create', 'alice', { anchor: 'S1', after: accountAttrs('alice', 'Students/MHS/2030') }), { initialPassword: PW });
    expect(out.status).toBe('applied');
    aliceId = out.status === 'applied' ? out.objectId ?? '' : '';
    expect(aliceId).toMatch(/^[0-9a-f-]{36}$/);
    const dn = await userDn('alice');
    expect(dn.toLowerCase()).toBe(`uid=alice,ou=2030,ou=mhs,ou=students,ou=${ou},${server.baseDN}`.toLowerCase());
    expect(await canBind(dn, PW)).toBe(true);
    expect(await canBind(dn, 'wrong')).toBe(false);
  });

  it('converges when the create is re-run', async () => {
    const again = await provider.apply(change(T, 'account', 'create', 'alice', { anchor: 'S1', after: accountAttrs('alice', 'Students/MHS/2030') }), { initialPassword: PW });
    expect(again).toEqual({ status: 'already', objectId: aliceId });
    const r = await admin.search(server.baseDN, { filter: '(employeeNumber=S1)', attributes: ['1.1'] });
    expect(r.searchEntries).toHaveLength(1);
  });

  it('reads accounts, containers and their logical paths', async () => {
    const snap = await provider.read();
    expect(snap.target).toBe(T);
    expect(byName(snap, 'alice')).toEqual({
      id: aliceId, anchor: 'S1', username: 'alice', givenName: 'Ana', familyName: 'Li', displayName: 'Ana Li',
      email: 'alice@example.test', path: 'Students/MHS/2030', enabled: true, aliases: [],
    });
    expect(snap.containers).toEqual(expect.arrayContaining(['Students', 'Students/MHS', 'Students/MHS/2030']));
  });

  it('updates attributes, idempotently', async () => {
    const c = change(T, 'account', 'update', 'alice', { anchor: 'S1', object_id: aliceId, before: { displayName: 'Ana Li' }, after: { displayName: 'Ana María Li', givenName: 'Ana María' } });
    expect(await provider.apply(c, {})).toMatchObject({ status: 'applied' });
    expect(await provider.apply(c, {})).toMatchObject({ status: 'already' });
    expect(byName(await provider.read(), 'alice')).toMatchObject({ displayName: 'Ana María Li', givenName: 'Ana María' });
  });

  it('round-trips empty optional attributes (sn is mandatory in LDAP, an empty family name is not)', async () => {
    const out = await provider.apply(change(T, 'account', 'create', 'mono', { anchor: 'S-mono', after: accountAttrs('mono', 'Staff', { familyName: '', displayName: '', email: '' }) }), {});
    expect(out.status).toBe('applied');
    expect(byName(await provider.read(), 'mono')).toMatchObject({ familyName: '', displayName: '', email: '', givenName: 'Ana', enabled: true });
    const del = await provider.apply(change(T, 'account', 'delete', 'mono', { anchor: 'S-mono', object_id: out.status === 'applied' ? out.objectId! : '' }), {});
    expect(del.status).toBe('applied');
  });

  it('groups: create, add and remove members; an empty group reads as empty', async () => {
    const g = change(T, 'group', 'create', 'mhs-students', { after: { name: 'mhs-students', description: 'All students at MHS' } });
    expect(await provider.apply(g, {})).toMatchObject({ status: 'applied' });
    expect(await provider.apply(g, {})).toMatchObject({ status: 'already' });
    let snap = await provider.read();
    expect(snap.groups.find((x) => x.name === 'mhs-students')).toMatchObject({ description: 'All students at MHS', members: [], managed: true });
    const add = change(T, 'membership', 'add', 'mhs-students|alice', { anchor: 'S1', after: { group: 'mhs-students', member: 'alice' } });
    expect(await provider.apply(add, {})).toMatchObject({ status: 'applied' });
    expect(await provider.apply(add, {})).toMatchObject({ status: 'already' });
    snap = await provider.read();
    expect(snap.groups.find((x) => x.name === 'mhs-students')?.members).toEqual([aliceId]);
    const rm = change(T, 'membership', 'remove', 'mhs-students|alice', { anchor: 'S1', before: { group: 'mhs-students', member: 'alice' } });
    expect(await provider.apply(rm, {})).toMatchObject({ status: 'applied' });
    expect(await provider.apply(rm, {})).toMatchObject({ status: 'already' });
    snap = await provider.read();
    expect(snap.groups.find((x) => x.name === 'mhs-students')?.members).toEqual([]);
    expect(await provider.apply(add, {})).toMatchObject({ status: 'applied' });
  });

  it('moves an account (same entryUUID) and keeps its group membership pointing at it', async () => {
    const mv = change(T, 'account', 'move', 'alice', { anchor: 'S1', object_id: aliceId, before: { path: 'Students/MHS/2030' }, after: { path: 'Withdrawn/2030' } });
    expect(await provider.apply(mv, {})).toMatchObject({ status: 'applied', objectId: aliceId });
    expect(await provider.apply(mv, {})).toMatchObject({ status: 'already' });
    const snap = await provider.read();
    expect(byName(snap, 'alice')).toMatchObject({ id: aliceId, path: 'Withdrawn/2030' });
    expect(snap.groups.find((x) => x.name === 'mhs-students')?.members).toEqual([aliceId]);
  });

  it('disables (bind refused) and enables (old password works again)', async () => {
    const dis = change(T, 'account', 'disable', 'alice', { anchor: 'S1', object_id: aliceId, before: { enabled: true }, after: { enabled: false } });
    expect(await provider.apply(dis, {})).toMatchObject({ status: 'applied' });
    expect(await provider.apply(dis, {})).toMatchObject({ status: 'already' });
    expect(byName(await provider.read(), 'alice')?.enabled).toBe(false);
    expect(await canBind(await userDn('alice'), PW)).toBe(false);
    const en = change(T, 'account', 'enable', 'alice', { anchor: 'S1', object_id: aliceId, before: { enabled: false }, after: { enabled: true } });
    expect(await provider.apply(en, {})).toMatchObject({ status: 'applied' });
    expect(byName(await provider.read(), 'alice')?.enabled).toBe(true);
    expect(await canBind(await userDn('alice'), PW)).toBe(true);
  });

  it('renames (uid RDN, mail) and membership follows', async () => {
    const rn = change(T, 'account', 'rename', 'alice', { anchor: 'S1', object_id: aliceId, before: { username: 'alice', email: 'alice@example.test' }, after: { username: 'ana.li', email: 'ana.li@example.test', aliases: [] } });
    expect(await provider.apply(rn, {})).toMatchObject({ status: 'applied' });
    expect(await provider.apply(rn, {})).toMatchObject({ status: 'already' });
    const snap = await provider.read();
    expect(byName(snap, 'alice')).toBeUndefined();
    expect(byName(snap, 'ana.li')).toMatchObject({ id: aliceId, email: 'ana.li@example.test', path: 'Withdrawn/2030' });
    expect(snap.groups.find((x) => x.name === 'mhs-students')?.members).toEqual([aliceId]);
  });

  it('refuses changes whose anchor does not match, and creates that would steal a username', async () => {
    const wrong = await provider.apply(change(T, 'account', 'disable', 'ana.li', { anchor: 'S999', object_id: aliceId, after: { enabled: false } }), {});
    expect(wrong).toMatchObject({ status: 'failed', terminal: true });
    const steal = await provider.apply(change(T, 'account', 'create', 'ana.li', { anchor: 'S2', after: accountAttrs('ana.li', 'Students/MHS/2030') }), {});
    expect(steal).toMatchObject({ status: 'failed', terminal: true });
    expect(byName(await provider.read(), 'ana.li')).toMatchObject({ anchor: 'S1', enabled: true });
  });

  it('writes exactly the intended entry for hostile names', async () => {
    // A decoy that a filter or DN injection would hit.
    expect((await provider.apply(change(T, 'account', 'create', 'admin', { anchor: 'D1', after: accountAttrs('admin', 'Staff') }), {})).status).toBe('applied');
    const hostile = ['*)(uid=*', 'Smith,OU=Admins', '#hash', 'back\\slash', 'Ünïcødé-王菲'];
    for (const [i, name] of hostile.entries()) {
      const out = await provider.apply(change(T, 'account', 'create', name, {
        anchor: `H${i}`, after: accountAttrs(name, 'Staff/Smith,OU=Admins/#1', { displayName: `${name} *)(cn=*`, givenName: 'Þórður', familyName: 'Ελένη', email: `h${i}@example.test` }),
      }), { initialPassword: PW });
      expect(out, `${name}: ${JSON.stringify(out)}`).toMatchObject({ status: 'applied' });
    }
    const snap = await provider.read();
    for (const [i, name] of hostile.entries()) {
      expect(byName(snap, name), name).toMatchObject({ anchor: `H${i}`, path: 'Staff/Smith,OU=Admins/#1', displayName: `${name} *)(cn=*`, givenName: 'Þórður', familyName: 'Ελένη' });
    }
    expect(byName(snap, 'admin')).toMatchObject({ anchor: 'D1', path: 'Staff' });
    // No OU named Admins appeared anywhere, and the decoy was untouched.
    const admins = await admin.search(server.baseDN, { filter: '(ou=Admins)', attributes: ['1.1'] });
    expect(admins.searchEntries).toHaveLength(0);
    expect(snap.containers).toContain('Staff/Smith,OU=Admins/#1');
    // Re-running the creates converges.
    for (const [i, name] of hostile.entries()) {
      const again = await provider.apply(change(T, 'account', 'create', name, { anchor: `H${i}`, after: accountAttrs(name, 'Staff/Smith,OU=Admins/#1') }), {});
      expect(again.status).toBe('already');
    }
    // Disabling the `*)(uid=*` account changes only it.
    const target = byName(snap, '*)(uid=*');
    expect(await provider.apply(change(T, 'account', 'disable', '*)(uid=*', { anchor: 'H0', object_id: target!.id, after: { enabled: false } }), {})).toMatchObject({ status: 'applied' });
    const after = await provider.read();
    expect(after.accounts.filter((a) => !a.enabled).map((a) => a.anchor)).toEqual(['H0']);
    // Membership of a hostile name in a group.
    const add = change(T, 'membership', 'add', 'mhs-students|Smith,OU=Admins', { anchor: 'H1', after: { group: 'mhs-students', member: 'Smith,OU=Admins' } });
    expect(await provider.apply(add, {})).toMatchObject({ status: 'applied' });
    const g = (await provider.read()).groups.find((x) => x.name === 'mhs-students');
    expect(g?.members).toEqual([aliceId, byName(snap, 'Smith,OU=Admins')!.id].sort());
  });

  it('deletes, and a repeated delete reports already; the group keeps its other member', async () => {
    const del = change(T, 'account', 'delete', 'ana.li', { anchor: 'S1', object_id: aliceId, before: accountAttrs('ana.li', 'Withdrawn/2030') });
    expect(await provider.apply(del, {})).toMatchObject({ status: 'applied' });
    expect(await provider.apply(del, {})).toMatchObject({ status: 'already' });
    const snap = await provider.read();
    expect(snap.accounts.find((a) => a.id === aliceId)).toBeUndefined();
    expect(snap.groups.find((x) => x.name === 'mhs-students')?.members).toEqual([byName(snap, 'Smith,OU=Admins')!.id]);
  });
});

describe('openldap profile: batched membership writes', () => {
  it('adds and removes 50 members in batches, with exact outcomes on re-runs and mixed members', async () => {
    const p = await ldapProviderModule.create(
      targetConfig('bt', {
        profile: 'openldap', url: server.ldapsUrl, baseDN: server.baseDN, caFile: server.caFile, bindDNEnv: 'D', bindPasswordEnv: 'P',
        usersBase: `ou=bt-${ou}`, memberBatchSize: BATCH,
      }),
      context({ D: server.rootDN, P: server.rootPassword }),
    );
    try {
      await batchedMembershipScenario(p, 'bt', 'B');
    } finally {
      await p.close();
    }
  }, 60_000);
});

describe('openldap profile with posixAccount', () => {
  it('assigns increasing uidNumbers and the configured gid/home', async () => {
    const p = await ldapProviderModule.create(
      targetConfig('px', {
        profile: 'openldap', url: server.ldapsUrl, baseDN: server.baseDN, caFile: server.caFile, bindDNEnv: 'D', bindPasswordEnv: 'P',
        usersBase: `ou=px-${ou}`, posixAccount: { gidNumber: 5000, uidNumberMin: 20000, homeDirectory: '/home/{username}' },
      }),
      context({ D: server.rootDN, P: server.rootPassword }),
    );
    try {
      for (const u of ['p1', 'p2']) {
        expect((await p.apply(change('px', 'account', 'create', u, { anchor: `P-${u}`, after: accountAttrs(u, 'Staff') }), { initialPassword: PW })).status).toBe('applied');
      }
      const r = await admin.search(`ou=px-${ou},${server.baseDN}`, { filter: '(objectClass=posixAccount)', attributes: ['uid', 'uidNumber', 'gidNumber', 'homeDirectory'] });
      const rows = r.searchEntries.map((e) => [e.uid, e.uidNumber, e.gidNumber, e.homeDirectory]).sort();
      expect(rows).toEqual([['p1', '20000', '5000', '/home/p1'], ['p2', '20001', '5000', '/home/p2']]);
    } finally {
      await p.close();
    }
  });

  it('fails fast with a terminal error on wrong bind credentials, and never echoes the password', async () => {
    const logs: string[] = [];
    await expect(ldapProviderModule.create(
      targetConfig('bad', { profile: 'openldap', url: server.ldapsUrl, baseDN: server.baseDN, caFile: server.caFile, bindDNEnv: 'D', bindPasswordEnv: 'P' }),
      context({ D: server.rootDN, P: 'not-the-password-xyz' }, logs),
    )).rejects.toThrow(/invalid credentials/);
    expect(logs.join('\n')).not.toContain('not-the-password-xyz');
  });

  it('refuses a server whose certificate does not chain to the configured CA', async () => {
    await expect(ldapProviderModule.create(
      targetConfig('noca', { profile: 'openldap', url: server.ldapsUrl, baseDN: server.baseDN, bindDNEnv: 'D', bindPasswordEnv: 'P' }),
      context({ D: server.rootDN, P: server.rootPassword }),
    )).rejects.toThrow(/certificate/i);
  });
});
