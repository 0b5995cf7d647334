import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetSnapshot } from '../../engine/model/accounts.js';
import type { TargetProvider } from '../../engine/model/provider.js';
import { guidToString } from '../../providers/ldap/ad-values.js';
import { ldapProviderModule } from '../../providers/ldap/index.js';
import type { LdapProvider } from '../../providers/ldap/provider.js';
import type { SambaInfo } from '../servers/samba.js';
import { sharedSamba } from '../servers/shared-samba.js';
import { BATCH, batchedMembershipScenario } from './batch-members.js';
import { accountAttrs, change, context, targetConfig, uniqueOu } from './helpers.js';

/** The active-directory profile against the run's real Samba AD DC (ldaps, verified test CA). */
let dc: SambaInfo;
let provider: TargetProvider;
let admin: Client;
const T = 'ad';
const ou = uniqueOu('rc');
const PW = 'Initial-Pw-1234!x';

async function entry(sam: string, attrs: string[]): Promise<Record<string, unknown> & { dn: string }> {
  const r = await admin.search(dc.baseDN, { filter: `(sAMAccountName=${sam})`, attributes: attrs, explicitBufferAttributes: ['objectGUID'] });
  expect(r.searchEntries).toHaveLength(1);
  return r.searchEntries[0]!;
}

async function bindError(dn: string, password: string): Promise<string | null> {
  const c = new Client({ url: dc.ldapsUrl, tlsOptions: { ca: dc.caPem } });
  try {
    await c.bind(dn, password);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await c.unbind().catch(() => undefined);
  }
}

function byName(s: TargetSnapshot, username: string) {
  return s.accounts.find((a) => a.username === username);
}

beforeAll(async () => {
  dc = sharedSamba();
  admin = new Client({ url: dc.ldapsUrl, tlsOptions: { ca: dc.caPem } });
  await admin.bind(dc.adminDN, dc.adminPassword);
  provider = await ldapProviderModule.create(
    targetConfig(T, {
      profile: 'active-directory', url: dc.ldapsUrl, baseDN: dc.baseDN, caFile: dc.caFile,
      bindDNEnv: 'AD_DN', bindPasswordEnv: 'AD_PW', usersBase: `OU=${ou}`, groupsBase: `OU=Groups,OU=${ou}`,
    }),
    context({ AD_DN: dc.adminDN, AD_PW: dc.adminPassword }),
  );
});

afterAll(async () => {
  await provider?.close();
  await admin?.unbind().catch(() => undefined);
});

describe('active-directory profile on Samba', () => {
  let id = '';

  it('creates an enabled user with a password; the user can bind over ldaps', async () => {
    const out = await provider.apply(change(T, 'account', 'create', 'alice', { anchor: 'S1', after: accountAttrs('alice', 'Students/MHS/2030') }), { initialPassword: PW });
    expect(out.status).toBe('applied');
    id = out.status === 'applied' ? out.objectId ?? '' : '';
    const e = await entry('alice', ['objectGUID', 'userAccountControl', 'userPrincipalName', 'employeeID', 'cn']);
    expect(guidToString(e.objectGUID as Buffer)).toBe(id);
    expect(e.dn.toLowerCase()).toBe(`cn=alice,ou=2030,ou=mhs,ou=students,ou=${ou},${dc.baseDN}`.toLowerCase());
    expect(e.userAccountControl).toBe('512');
    expect(e.userPrincipalName).toBe('alice@rollcall.test');
    expect(e.employeeID).toBe('S1');
    expect(await bindError(e.dn, PW)).toBeNull();
    expect(await bindError('alice@rollcall.test', PW)).toBeNull();
  });

  it('converges when the create is re-run', async () => {
    expect(await provider.apply(change(T, 'account', 'create', 'alice', { anchor: 'S1', after: accountAttrs('alice', 'Students/MHS/2030') }), { initialPassword: PW }))
      .toEqual({ status: 'already', objectId: id });
  });

  it('reads the account back with its logical path', async () => {
    const snap = await provider.read();
    expect(byName(snap, 'alice')).toEqual({
      id, anchor: 'S1', username: 'alice', givenName: 'Ana', familyName: 'Li', displayName: 'Ana Li',
      email: 'alice@example.test', path: 'Students/MHS/2030', enabled: true, aliases: [],
    });
    expect(snap.containers).toEqual(expect.arrayContaining(['Students', 'Students/MHS', 'Students/MHS/2030']));
  });

  it('rejects a weak password terminally and leaves nothing behind', async () => {
    const out = await provider.apply(change(T, 'account', 'create', 'weak', { anchor: 'S-weak', after: accountAttrs('weak', 'Students/MHS/2030') }), { initialPassword: 'abc' });
    expect(out).toMatchObject({ status: 'failed', terminal: true });
    expect(out.status === 'failed' ? out.error : '').toMatch(/0000052D/i);
    expect(byName(await provider.read(), 'weak')).toBeUndefined();
  });

  it('round-trips empty optional attributes', async () => {
    const out = await provider.apply(change(T, 'account', 'create', 'mono', { anchor: 'S-mono', after: accountAttrs('mono', 'Staff', { familyName: '', displayName: '', email: '' }) }), { initialPassword: PW });
    expect(out.status).toBe('applied');
    expect(byName(await provider.read(), 'mono')).toMatchObject({ familyName: '', displayName: '', email: '', givenName: 'Ana', enabled: true });
    expect((await provider.apply(change(T, 'account', 'delete', 'mono', { anchor: 'S-mono', object_id: out.status === 'applied' ? out.objectId! : '' }), {})).status).toBe('applied');
  });

  it('validates sAMAccountName before writing', async () => {
    const out = await provider.apply(change(T, 'account', 'create', 'x'.repeat(21), { anchor: 'S-long', after: accountAttrs('x'.repeat(21), 'Staff') }), {});
    expect(out).toMatchObject({ status: 'failed', terminal: true });
  });

  it('updates attributes idempotently', async () => {
    const c = change(T, 'account', 'update', 'alice', { anchor: 'S1', object_id: id, after: { displayName: 'Ana María Li', familyName: 'Li-Wong' } });
    expect(await provider.apply(c, {})).toMatchObject({ status: 'applied' });
    expect(await provider.apply(c, {})).toMatchObject({ status: 'already' });
    expect(byName(await provider.read(), 'alice')).toMatchObject({ displayName: 'Ana María Li', familyName: 'Li-Wong' });
  });

  it('disables with UAC 514 (bind refused, data 533) and enables with 512', async () => {
    const dis = change(T, 'account', 'disable', 'alice', { anchor: 'S1', object_id: id, after: { enabled: false } });
    expect(await provider.apply(dis, {})).toMatchObject({ status: 'applied' });
    expect(await provider.apply(dis, {})).toMatchObject({ status: 'already' });
    const e = await entry('alice', ['userAccountControl']);
    expect(e.userAccountControl).toBe('514');
    expect(await bindError(e.dn, PW)).toMatch(/533/);
    expect(byName(await provider.read(), 'alice')?.enabled).toBe(false);
    expect(await provider.apply(change(T, 'account', 'enable', 'alice', { anchor: 'S1', object_id: id, after: { enabled: true } }), {})).toMatchObject({ status: 'applied' });
    expect((await entry('alice', ['userAccountControl'])).userAccountControl).toBe('512');
    expect(await bindError(e.dn, PW)).toBeNull();
  });

  it('keeps other UAC bits when disabling', async () => {
    const e = await entry('alice', ['userAccountControl']);
    const { Attribute, Change } = await import('ldapts');
    await admin.modify(e.dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: [String(0x10200)] }) }));
    await provider.apply(change(T, 'account', 'disable', 'alice', { anchor: 'S1', object_id: id, after: { enabled: false } }), {});
    expect((await entry('alice', ['userAccountControl'])).userAccountControl).toBe(String(0x10202));
    await provider.apply(change(T, 'account', 'enable', 'alice', { anchor: 'S1', object_id: id, after: { enabled: true } }), {});
    expect((await entry('alice', ['userAccountControl'])).userAccountControl).toBe(String(0x10200));
  });

  it('moves with modifyDN; objectGUID is unchanged', async () => {
    const mv = change(T, 'account', 'move', 'alice', { anchor: 'S1', object_id: id, before: { path: 'Students/MHS/2030' }, after: { path: 'Withdrawn/2030' } });
    expect(await provider.apply(mv, {})).toMatchObject({ status: 'applied', objectId: id });
    expect(await provider.apply(mv, {})).toMatchObject({ status: 'already' });
    const e = await entry('alice', ['objectGUID']);
    expect(guidToString(e.objectGUID as Buffer)).toBe(id);
    expect(e.dn.toLowerCase()).toContain(`ou=withdrawn,ou=${ou}`.toLowerCase());
    expect(byName(await provider.read(), 'alice')).toMatchObject({ id, path: 'Withdrawn/2030' });
  });

  it('creates groups and adds/removes members', async () => {
    const g = change(T, 'group', 'create', 'mhs-students', { after: { name: 'mhs-students', description: 'All students at MHS' } });
    expect(await provider.apply(g, {})).toMatchObject({ status: 'applied' });
    expect(await provider.apply(g, {})).toMatchObject({ status: 'already' });
    const add = change(T, 'membership', 'add', 'mhs-students|alice', { anchor: 'S1', after: { group: 'mhs-students', member: 'alice' } });
    expect(await provider.apply(add, {})).toMatchObject({ status: 'applied' });
    expect(await provider.apply(add, {})).toMatchObject({ status: 'already' });
    let grp = (await provider.read()).groups.find((x) => x.name === 'mhs-students');
    expect(grp).toMatchObject({ description: 'All students at MHS', members: [id], managed: true });
    const rm = change(T, 'membership', 'remove', 'mhs-students|alice', { anchor: 'S1', before: { group: 'mhs-students', member: 'alice' } });
    expect(await provider.apply(rm, {})).toMatchObject({ status: 'applied' });
    expect(await provider.apply(rm, {})).toMatchObject({ status: 'already' });
    grp = (await provider.read()).groups.find((x) => x.name === 'mhs-students');
    expect(grp?.members).toEqual([]);
    expect(await provider.apply(add, {})).toMatchObject({ status: 'applied' });
  });

  it('renames sAMAccountName, UPN, CN and mail, keeping old addresses as aliases', async () => {
    const rn = change(T, 'account', 'rename', 'alice', { anchor: 'S1', object_id: id, before: { username: 'alice', email: 'alice@example.test' }, after: { username: 'ana.li', email: 'ana.li@example.test', aliases: ['alice@example.test'] } });
    expect(await provider.apply(rn, {})).toMatchObject({ status: 'applied' });
    expect(await provider.apply(rn, {})).toMatchObject({ status: 'already' });
    const e = await entry('ana.li', ['userPrincipalName', 'mail', 'objectGUID']);
    expect(e.dn.toLowerCase()).toMatch(/^cn=ana\.li,ou=2030,ou=withdrawn,/);
    expect(e.userPrincipalName).toBe('ana.li@rollcall.test');
    expect(guidToString(e.objectGUID as Buffer)).toBe(id);
    const snap = await provider.read();
    expect(byName(snap, 'ana.li')).toMatchObject({ id, email: 'ana.li@example.test', aliases: ['alice@example.test'] });
    expect(snap.groups.find((x) => x.name === 'mhs-students')?.members).toEqual([id]);
    expect(await bindError('ana.li@rollcall.test', PW)).toBeNull();
  });

  it('writes exactly the intended entries for hostile names and anchors', async () => {
    expect((await provider.apply(change(T, 'account', 'create', 'decoy', { anchor: 'D1', after: accountAttrs('decoy', 'Staff') }), { initialPassword: PW })).status).toBe('applied');
    const cases = [
      { user: '#hash', anchor: '*)(employeeID=*', display: 'Smith,OU=Admins' },
      { user: 'øyvind', anchor: 'back\\slash', display: '*)(cn=*' },
      { user: 'wang.fei', anchor: 'nul\u0001', display: '王菲 #1 \\ end ' },
    ];
    for (const c of cases) {
      const out = await provider.apply(change(T, 'account', 'create', c.user, {
        anchor: c.anchor, after: accountAttrs(c.user, 'Staff/Smith,OU=Admins/#1', { displayName: c.display, givenName: 'Þórður', familyName: 'Ελένη' }),
      }), { initialPassword: PW });
      expect(out, `${c.user}: ${JSON.stringify(out)}`).toMatchObject({ status: 'applied' });
    }
    const snap = await provider.read();
    for (const c of cases) {
      expect(byName(snap, c.user), c.user).toMatchObject({ anchor: c.anchor, displayName: c.display, path: 'Staff/Smith,OU=Admins/#1', givenName: 'Þórður' });
    }
    expect(byName(snap, 'decoy')).toMatchObject({ anchor: 'D1', path: 'Staff' });
    const admins = await admin.search(dc.baseDN, { filter: '(ou=Admins)', attributes: ['1.1'] });
    expect(admins.searchEntries).toHaveLength(0);
    // Re-running converges on the right entries (a `*` anchor would otherwise match everyone).
    for (const c of cases) {
      const again = await provider.apply(change(T, 'account', 'create', c.user, { anchor: c.anchor, after: accountAttrs(c.user, 'Staff') }), {});
      expect(again).toEqual({ status: 'already', objectId: byName(snap, c.user)!.id });
    }
    // A username AD forbids is refused before anything is written.
    const bad = await provider.apply(change(T, 'account', 'create', '*)(uid=*', { anchor: 'H-bad', after: accountAttrs('*)(uid=*', 'Staff') }), {});
    expect(bad).toMatchObject({ status: 'failed', terminal: true });
  });

  it('refuses a change whose anchor does not match', async () => {
    const out = await provider.apply(change(T, 'account', 'disable', 'ana.li', { anchor: 'S999', object_id: id, after: { enabled: false } }), {});
    expect(out).toMatchObject({ status: 'failed', terminal: true });
    expect(byName(await provider.read(), 'ana.li')?.enabled).toBe(true);
  });

  it('deletes; a repeated delete reports already', async () => {
    const del = change(T, 'account', 'delete', 'ana.li', { anchor: 'S1', object_id: id, before: accountAttrs('ana.li', 'Withdrawn/2030') });
    expect(await provider.apply(del, {})).toMatchObject({ status: 'applied' });
    expect(await provider.apply(del, {})).toMatchObject({ status: 'already' });
    const snap = await provider.read();
    expect(snap.accounts.find((a) => a.id === id)).toBeUndefined();
    expect(snap.groups.find((x) => x.name === 'mhs-students')?.members).toEqual([]);
  });

  it('sets pwdLastSet=0 when the password must change at next logon', async () => {
    const out = await provider.apply(change(T, 'account', 'create', 'mustchange', { anchor: 'S-mc', after: accountAttrs('mustchange', 'Staff') }), { initialPassword: PW, changeAtNextLogin: true });
    expect(out.status).toBe('applied');
    const e = await entry('mustchange', ['pwdLastSet', 'userAccountControl']);
    expect(e.pwdLastSet).toBe('0');
    expect(e.userAccountControl).toBe('512');
    // AD refuses the bind with "must change password" (data 773), which proves the password is set.
    expect(await bindError(e.dn, PW)).toMatch(/773/);
  });

  it('reads incrementally from a uSNChanged cursor, and refuses a foreign cursor', async () => {
    const snap = await provider.read();
    expect(snap.cursor).toMatch(/^ad-usn:/);
    const p = provider as LdapProvider;
    const none = await p.readChanges(snap.cursor!);
    expect(none).toMatchObject({ changed: [], removed: [], groupsChanged: false });
    const decoy = byName(snap, 'decoy')!;
    const mc = byName(snap, 'mustchange')!;
    await provider.apply(change(T, 'account', 'update', 'decoy', { anchor: 'D1', object_id: decoy.id, after: { displayName: 'Decoy Changed' } }), {});
    await provider.apply(change(T, 'account', 'delete', 'mustchange', { anchor: 'S-mc', object_id: mc.id, before: {} }), {});
    const inc = await p.readChanges(snap.cursor!);
    expect(inc?.changed.map((a) => [a.id, a.displayName])).toEqual([[decoy.id, 'Decoy Changed']]);
    expect(inc?.removed).toEqual([mc.id]);
    expect(await p.readChanges(inc!.cursor)).toMatchObject({ changed: [], removed: [] });
    const foreign = 'ad-usn:' + Buffer.from(JSON.stringify({ dc: 'CN=NTDS Settings,CN=OTHER', invocationId: '00000000-0000-0000-0000-000000000000', usn: 1 })).toString('base64url');
    expect(await p.readChanges(foreign)).toBeNull();
    expect(await p.readChanges('garbage')).toBeNull();
  });

  it('works over StartTLS on port 389 as well', async () => {
    const p = await ldapProviderModule.create(
      targetConfig('ad2', { profile: 'active-directory', url: dc.ldapUrl, startTLS: true, baseDN: dc.baseDN, caFile: dc.caFile, bindDNEnv: 'D', bindPasswordEnv: 'P', usersBase: `OU=${ou}` }),
      context({ D: dc.adminDN, P: dc.adminPassword }),
    );
    try {
      expect(byName(await p.read(), 'decoy')).toMatchObject({ anchor: 'D1' });
    } finally {
      await p.close();
    }
  });

  it('adds and removes 50 members in batches, with exact outcomes on re-runs and mixed members', async () => {
    const p = await ldapProviderModule.create(
      targetConfig('adb', {
        profile: 'active-directory', url: dc.ldapsUrl, baseDN: dc.baseDN, caFile: dc.caFile, bindDNEnv: 'D', bindPasswordEnv: 'P',
        usersBase: `OU=bt-${ou}`, memberBatchSize: BATCH,
      }),
      context({ D: dc.adminDN, P: dc.adminPassword }),
    );
    try {
      // sAMAccountNames are unique in the whole (shared) domain: a random tag keeps them apart.
      await batchedMembershipScenario(p, 'adb', `X${ou.slice(-4)}`);
    } finally {
      await p.close();
    }
  }, 90_000);
});
