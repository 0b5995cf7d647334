import { describe, expect, it } from 'vitest';
import { guidToBytes, guidToString, uacEnabled, uacWithEnabled } from '../../providers/ldap/ad-values.js';
import { LDAP_AD_CONSTRAINTS, samAccountNameProblem } from '../../providers/ldap/constraints.js';
import { adUnicodePwd, sshaHash, sshaMatches } from '../../providers/ldap/secrets.js';
import { parseSettings } from '../../providers/ldap/settings.js';
import type { TargetConfig } from '../../engine/model/policy.js';

describe('AD values', () => {
  it('flips only the disable bit of userAccountControl', () => {
    expect(uacWithEnabled(512, false)).toBe(514);
    expect(uacWithEnabled(514, true)).toBe(512);
    // 0x10200 = NORMAL_ACCOUNT | DONT_EXPIRE_PASSWORD stays set.
    expect(uacWithEnabled(0x10200, false)).toBe(0x10202);
    expect(uacWithEnabled(0x10202, true)).toBe(0x10200);
    expect(uacEnabled(0x10202)).toBe(false);
    expect(uacEnabled(544)).toBe(true);
  });

  it('converts objectGUID bytes in the Microsoft mixed-endian layout', () => {
    const bytes = Buffer.from('04030201060508070910111213141516', 'hex');
    expect(guidToString(bytes)).toBe('01020304-0506-0708-0910-111213141516');
    expect(guidToBytes('01020304-0506-0708-0910-111213141516').equals(bytes)).toBe(true);
  });

  it('encodes unicodePwd as quoted UTF-16LE', () => {
    expect(adUnicodePwd('Pw1!').equals(Buffer.from([0x22, 0, 0x50, 0, 0x77, 0, 0x31, 0, 0x21, 0, 0x22, 0]))).toBe(true);
  });

  it('validates sAMAccountName', () => {
    expect(LDAP_AD_CONSTRAINTS.maxUsernameLength).toBe(20);
    expect(samAccountNameProblem('jdoe')).toBeNull();
    expect(samAccountNameProblem('a'.repeat(21))).toMatch(/20/);
    expect(samAccountNameProblem('a,b')).not.toBeNull();
    expect(samAccountNameProblem('a*')).not.toBeNull();
    expect(samAccountNameProblem('a\u0000')).not.toBeNull();
  });
});

describe('{SSHA}', () => {
  it('hashes with a random salt and verifies', () => {
    const a = sshaHash('correct horse');
    const b = sshaHash('correct horse');
    expect(a).toMatch(/^\{SSHA\}[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(sshaMatches('correct horse', a)).toBe(true);
    expect(sshaMatches('wrong', a)).toBe(false);
  });
});

function cfg(settings: Record<string, unknown>): TargetConfig {
  return { name: 'ad', provider: 'ldap', settings, origin: { id: 'targets.ad', source: { file: 'rollcall.yaml', line: 30, column: 3 } } };
}
const base = { profile: 'active-directory', url: 'ldaps://dc1.example:636', baseDN: 'DC=example,DC=org', bindDNEnv: 'AD_DN', bindPasswordEnv: 'AD_PW' };

describe('settings', () => {
  it('accepts a minimal AD target and fills defaults', () => {
    const { settings, diagnostics } = parseSettings(cfg(base));
    expect(diagnostics).toEqual([]);
    expect(settings).toMatchObject({ anchorAttribute: 'employeeID', upnSuffix: 'example.org', concurrency: 4, startTLS: false });
    expect(parseSettings(cfg({ ...base, profile: 'openldap' })).settings?.anchorAttribute).toBe('employeeNumber');
  });

  it('reports every problem with the target source position', () => {
    const { settings, diagnostics } = parseSettings(cfg({ profile: 'nds', url: 'ldap://dc1', baseDN: 'not a dn', bindPassword: 'hunter2', concurrency: 0 }));
    expect(settings).toBeNull();
    const codes = diagnostics.map((d) => d.code).sort();
    expect(codes).toEqual(expect.arrayContaining(['ldap.profile', 'ldap.tls', 'ldap.dn', 'ldap.missing', 'ldap.secret-in-policy', 'ldap.type']));
    expect(diagnostics.every((d) => d.source?.file === 'rollcall.yaml' && d.source.line === 30)).toBe(true);
    expect(JSON.stringify(diagnostics)).not.toContain('hunter2');
  });

  it('allows ldap:// only with StartTLS, and warns loudly when verification is off', () => {
    expect(parseSettings(cfg({ ...base, url: 'ldap://dc1:389', startTLS: true })).diagnostics).toEqual([]);
    const d = parseSettings(cfg({ ...base, tlsInsecureSkipVerify: true })).diagnostics;
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ severity: 'warning', code: 'ldap.tls-insecure' });
  });

  it('rejects posixAccount outside the openldap profile', () => {
    expect(parseSettings(cfg({ ...base, posixAccount: { gidNumber: 100 } })).diagnostics.map((d) => d.code)).toContain('ldap.posix');
    expect(parseSettings(cfg({ ...base, profile: 'openldap', posixAccount: { gidNumber: 100 } })).settings?.posixAccount).toMatchObject({ gidNumber: 100, uidNumberMin: 10000 });
  });
});
