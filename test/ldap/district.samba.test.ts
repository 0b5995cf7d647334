import { Attribute, Change, type Client } from 'ldapts';
import { describe, expect } from 'vitest';
import type { TargetSnapshot } from '../../engine/model/accounts.js';
import { runRefresh } from '../../engine/run/refresh-run.js';
import { guidToString } from '../../providers/ldap/ad-values.js';
import { ldapProviderModule } from '../../providers/ldap/index.js';
import type { LdapProvider } from '../../providers/ldap/provider.js';
import { sharedSamba } from '../servers/shared-samba.js';
import { credentialFor, districtAcceptance, LATER, type DirectoryFacts } from './district-helpers.js';
import { accountAttrs, change, context, targetConfig, uniqueOu } from './helpers.js';

/**
 * Issue #5 acceptance on Active Directory: the example district's `ad` target (150
 * generated people) through the engine into the run's shared Samba AD DC. The DC is shared
 * with other files, so rollcall's tree lives under a unique OU.
 */

async function facts(c: Client, base: string, anchor: string): Promise<DirectoryFacts | null> {
  const r = await c.search(base, { scope: 'sub', filter: `(employeeNumber=${anchor})`, attributes: ['objectGUID', 'userAccountControl'], explicitBufferAttributes: ['objectGUID'] });
  const e = r.searchEntries[0];
  if (!e) return null;
  const uac = Number(e.userAccountControl);
  // Exactly 512 (normal account) or 514 (normal + disabled): rollcall sets no other bits here.
  expect([512, 514]).toContain(uac);
  return { id: guidToString(e.objectGUID as Buffer), dn: e.dn, enabled: uac === 512 };
}

const ou = uniqueOu('district');
const settings = (dc: ReturnType<typeof sharedSamba>): Record<string, unknown> => ({
  provider: 'ldap', profile: 'active-directory', url: dc.ldapsUrl, baseDN: dc.baseDN, caFile: dc.caFile,
  bindDNEnv: 'ROLLCALL_TEST_BIND_DN', bindPasswordEnv: 'ROLLCALL_TEST_BIND_PASSWORD',
  usersBase: `OU=${ou}`, groupsBase: `OU=Groups,OU=${ou}`, concurrency: 4,
  // OneRoster sourcedIds here are 36-character GUIDs; AD's employeeID (the default anchor)
  // holds 16, so the anchor goes in employeeNumber (512).
  anchorAttribute: 'employeeNumber',
});

const withoutCursor = ({ cursor: _c, ...s }: TargetSnapshot & { incremental?: boolean }): TargetSnapshot => {
  delete s.incremental;
  return s;
};

describe('the example district on a Samba AD DC (active-directory profile)', () => {
  districtAcceptance({
    target: 'ad',
    people: 150,
    groupPrefix: `${ou.slice(-8)}-`,
    log: (l) => console.log(l),
    probe: { anchorAttr: 'employeeNumber', groupClass: 'group', facts },
    server() {
      const dc = sharedSamba();
      return Promise.resolve({ url: dc.ldapsUrl, caPem: dc.caPem, bindDN: dc.adminDN, bindPassword: dc.adminPassword, settings: settings(dc) });
    },
    async checkBinds(bind, _facts, young, older, run) {
      const y = credentialFor(run, young);
      const o = credentialFor(run, older);
      expect(y?.password && o?.password).toBeTruthy();
      // Young students' rule has changeAtNextLogin: false, so the initial password binds.
      expect(await bind(young, y!.password)).toBeNull();
      // Older students must change it first: AD answers 773 ("must reset password"), which it
      // only says to a caller with the right password; a wrong one gets 52e.
      expect(await bind(older, o!.password)).toMatch(/data 773/);
      expect(await bind(older, `${o!.password}x`)).toMatch(/data 52e/);
      expect(await bind(young, `${y!.password}x`)).toMatch(/data 52e/);
    },
    // The LDAP provider's readIncremental (uSNChanged) against the applied district.
    async afterFirstApply(run, admin) {
      const dc = sharedSamba();
      // Through the engine: `rollcall refresh` reads in full once, then incrementally.
      const refresh = (): ReturnType<typeof runRefresh> => runRefresh({ dir: run.dir, now: LATER, targets: ['ad'], env: run.env });
      const fullRefresh = (await refresh()).targets;
      const incRefresh = (await refresh()).targets;
      const p = (await ldapProviderModule.create(targetConfig('ad', settings(dc)), context(run.env as Record<string, string>))) as LdapProvider;
      try {
        const snap = await p.read();
        expect(snap.cursor).toMatch(/^ad-usn:/);
        const counts = { target: 'ad', accounts: snap.accounts.length, groups: snap.groups.length };
        expect(fullRefresh).toEqual([{ ...counts, incremental: false }]);
        expect(incRefresh).toEqual([{ ...counts, incremental: true }]);
        const quiet = await p.readIncremental(snap);
        expect(quiet.incremental).toBe(true);
        expect(withoutCursor(quiet)).toEqual(withoutCursor(snap));
        // An account edited behind rollcall's back shows up in the incremental read.
        const victim = snap.accounts.find((a) => a.username && a.path.startsWith('Students/'))!;
        const dn = (await admin.search(dc.baseDN, { filter: `(employeeNumber=${victim.anchor})`, attributes: ['1.1'] })).searchEntries[0]!.dn;
        await admin.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'displayName', values: ['Edited Elsewhere'] }) }));
        const inc = await p.readIncremental(quiet);
        expect(inc.incremental).toBe(true);
        expect(inc.accounts.find((a) => a.id === victim.id)?.displayName).toBe('Edited Elsewhere');
        expect(withoutCursor(inc)).toEqual(withoutCursor(await p.read()));
        await admin.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'displayName', values: [victim.displayName] }) }));
        // A group change falls back to a full read (members are DNs; see readIncremental).
        const group = snap.groups.find((g) => g.members.length > 0 && !g.members.includes(victim.id))!;
        const gdn = (await admin.search(`OU=Groups,OU=${ou},${dc.baseDN}`, { filter: `(cn=${group.name})`, attributes: ['1.1'] })).searchEntries[0]!.dn;
        await admin.modify(gdn, new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [dn] }) }));
        const full = await p.readIncremental(inc);
        expect(full.incremental).toBe(false);
        expect(full.groups.find((g) => g.id === group.id)?.members).toContain(victim.id);
        await admin.modify(gdn, new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [dn] }) }));
        // Without a cursor there is nothing to go on: a full read.
        expect((await p.readIncremental(withoutCursor(snap))).incremental).toBe(false);
      } finally {
        await p.close();
      }
      // With AD's default anchor (employeeID, at most 16 characters) a GUID sourcedId fails
      // with a message that says what to change, not a bare "invalid syntax".
      const { anchorAttribute: _a, ...defaults } = settings(dc);
      const q = await ldapProviderModule.create(targetConfig('ad', defaults), context(run.env as Record<string, string>));
      try {
        const create = change('ad', 'account', 'create', 'x', { anchor: '0f8fad5b-d9cb-469f-a165-70867728950e', after: accountAttrs('toolongid1', 'Students/MHS/2030') });
        const out = await q.apply(create, { initialPassword: 'Initial-Pw-1234!x' });
        expect(out).toMatchObject({ status: 'failed', terminal: true, error: expect.stringMatching(/ldap\.anchor-too-long.*anchorAttribute: employeeNumber/) });
      } finally {
        await q.close();
      }
    },
  });
});
