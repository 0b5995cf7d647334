import type { Client } from 'ldapts';
import { describe, expect } from 'vitest';
import { startSlapd } from '../servers/slapd.js';
import { credentialFor, districtAcceptance, type DirectoryFacts } from './district-helpers.js';

/**
 * Issue #5 acceptance on OpenLDAP: the example district (150 generated people) through the
 * engine into a throwaway slapd with the openldap profile. Ids are entryUUIDs; a disabled
 * account's userPassword carries the {DISABLED} prefix; initial passwords are {SSHA}.
 */

async function facts(c: Client, base: string, anchor: string): Promise<DirectoryFacts | null> {
  const r = await c.search(base, { scope: 'sub', filter: `(employeeNumber=${anchor})`, attributes: ['entryUUID', 'userPassword'], explicitBufferAttributes: ['userPassword'] });
  const e = r.searchEntries[0];
  if (!e) return null;
  const pw = ([] as Buffer[]).concat((e.userPassword as Buffer | Buffer[] | undefined) ?? []).map((b) => b.toString('utf8'));
  expect(pw.length).toBeGreaterThan(0);
  return { id: String(e.entryUUID), dn: e.dn, enabled: pw.every((v) => !v.startsWith('{DISABLED}')), passwordSchemes: pw.map((v) => /^(\{[^}]*\})+/.exec(v)?.[0] ?? '') };
}

describe('the example district on OpenLDAP (openldap profile)', () => {
  districtAcceptance({
    target: 'openldap',
    people: 150,
    log: (l) => console.log(l),
    probe: { anchorAttr: 'employeeNumber', groupClass: 'groupOfNames', facts },
    async server() {
      const s = await startSlapd();
      return {
        url: s.ldapsUrl, caPem: s.caPem, bindDN: s.rootDN, bindPassword: s.rootPassword, stop: () => s.stop(),
        settings: {
          provider: 'ldap', profile: 'openldap', url: s.ldapsUrl, baseDN: s.baseDN, caFile: s.caFile,
          bindDNEnv: 'ROLLCALL_TEST_BIND_DN', bindPasswordEnv: 'ROLLCALL_TEST_BIND_PASSWORD',
          usersBase: 'ou=Rollcall', groupsBase: 'ou=Groups,ou=Rollcall',
        },
      };
    },
    async checkBinds(bind, factsOf, young, older, run) {
      for (const anchor of [young, older]) {
        const cred = credentialFor(run, anchor);
        expect(cred?.password, `no stored initial password for ${anchor}`).toBeTruthy();
        expect((await factsOf(anchor)).passwordSchemes).toEqual(['{SSHA}']);
        expect(await bind(anchor, cred!.password)).toBeNull();
        // 0x31 = 49, invalidCredentials: the check is real, not any bind succeeding.
        expect(await bind(anchor, `${cred!.password}x`)).toMatch(/invalid credentials|0x31/i);
      }
    },
  });
});
