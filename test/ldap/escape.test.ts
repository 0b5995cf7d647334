import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeDnValue, formatDn, isWithin, normalizeDn, parseDn, rdn } from '../../providers/ldap/dn.js';
import { and, eq, escapeFilterValue } from '../../providers/ldap/filter.js';
import { dnToPath, entryPath, pathAncestors, pathToDn } from '../../providers/ldap/paths.js';

const HOSTILE = ['*)(uid=*', 'Smith,OU=Admins', '#leading', 'back\\slash', 'nul\u0000byte', ' spaced ', 'a+b=c', 'q"u<o>t;e', '王菲', 'Þórður', 'Ελένη', 'Олександр', '😀 emoji'];

describe('RFC 4514 DN escaping', () => {
  it('escapes specials as \\XX so a value cannot add an RDN', () => {
    expect(escapeDnValue('Smith,OU=Admins')).toBe('Smith\\2COU\\3DAdmins');
    expect(rdn('CN', 'Smith,OU=Admins')).toBe('CN=Smith\\2COU\\3DAdmins');
    expect(escapeDnValue('back\\slash')).toBe('back\\5Cslash');
    expect(escapeDnValue('nul\u0000byte')).toBe('nul\\00byte');
    expect(escapeDnValue('a+b')).toBe('a\\2Bb');
    expect(escapeDnValue('q"u<o>t;e')).toBe('q\\22u\\3Co\\3Et\\3Be');
  });

  it('escapes a leading # or space and a trailing space, not inner ones', () => {
    expect(escapeDnValue('#leading')).toBe('\\23leading');
    expect(escapeDnValue('mid#dle')).toBe('mid#dle');
    expect(escapeDnValue(' a b ')).toBe('\\20a b\\20');
  });

  it('leaves non-Latin text and filter specials alone (they are not DN specials)', () => {
    expect(escapeDnValue('王菲')).toBe('王菲');
    expect(escapeDnValue('Þórður')).toBe('Þórður');
    expect(escapeDnValue('*)(uid')).toBe('*)(uid');
  });

  it('never produces a backslash-comma, which ldapts modifyDN would split at', () => {
    for (const v of HOSTILE) expect(escapeDnValue(v)).not.toMatch(/\\,/);
  });

  it('parses both escape forms and keeps one RDN per hostile value', () => {
    expect(parseDn('CN=Smith\\, John,OU=Staff,DC=x')).toEqual([
      { type: 'CN', value: 'Smith, John' },
      { type: 'OU', value: 'Staff' },
      { type: 'DC', value: 'x' },
    ]);
    expect(parseDn('CN=\\23a\\2Cb\\5C,DC=x')[0]).toEqual({ type: 'CN', value: '#a,b\\' });
    expect(parseDn('CN=\\E7\\8E\\8B,DC=x')[0]?.value).toBe('王');
    expect(parseDn('cn = a , dc=x')).toEqual([{ type: 'cn', value: 'a' }, { type: 'dc', value: 'x' }]);
    for (const v of HOSTILE) {
      const dn = `${rdn('CN', v)},OU=Students,DC=x`;
      const parsed = parseDn(dn);
      expect(parsed).toHaveLength(3);
      expect(parsed[0]).toEqual({ type: 'CN', value: v });
    }
  });

  it('round-trips any string through escape and parse', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 }), (a, b) => {
      const dn = formatDn([{ type: 'CN', value: a }, { type: 'OU', value: b }]);
      expect(parseDn(dn)).toEqual([{ type: 'CN', value: a }, { type: 'OU', value: b }]);
    }));
  });

  it('rejects malformed DNs', () => {
    expect(() => parseDn('no equals sign')).toThrow();
    expect(() => parseDn('CN=a\\')).toThrow();
    expect(() => parseDn('C N=a')).toThrow();
  });

  it('compares DNs case-insensitively and checks ancestry by RDN, not by substring', () => {
    expect(normalizeDn('CN=A\\2CB,OU=X,DC=y')).toBe(normalizeDn('cn=a\\,b,ou=x,dc=Y'));
    expect(isWithin('CN=a,OU=Students,DC=x', 'ou=students,dc=X')).toBe(true);
    expect(isWithin('CN=a,OU=NotStudents,DC=x', 'OU=Students,DC=x')).toBe(false);
    expect(isWithin('CN=x\\2COU=Students,DC=x', 'OU=Students,DC=x')).toBe(false);
  });
});

describe('RFC 4515 filter escaping', () => {
  it('escapes * ( ) \\ and NUL', () => {
    expect(escapeFilterValue('*)(uid=*')).toBe('\\2a\\29\\28uid=\\2a');
    expect(escapeFilterValue('back\\slash')).toBe('back\\5cslash');
    expect(escapeFilterValue('nul\u0000')).toBe('nul\\00');
    expect(escapeFilterValue('王菲')).toBe('王菲');
    expect(escapeFilterValue(Buffer.from([0x00, 0xab, 0x2a]))).toBe('\\00\\ab\\2a');
  });

  it('builds filters whose structure no value can change', () => {
    const f = and('(objectClass=user)', eq('sAMAccountName', '*)(|(sAMAccountName=*'));
    expect(f).toBe('(&(objectClass=user)(sAMAccountName=\\2a\\29\\28|\\28sAMAccountName=\\2a))');
    // Exactly the parentheses we wrote remain unescaped.
    expect(f.replace(/\\[0-9a-f]{2}/g, '').split('(').length - 1).toBe(3);
    for (const v of HOSTILE) {
      const g = eq('uid', v);
      expect(g.replace(/\\[0-9a-f]{2}/g, '')).toMatch(/^\(uid=[^()*\\]*\)$/u);
      expect(g.includes(String.fromCharCode(0))).toBe(false);
    }
  });

  it('refuses attribute names that are not names', () => {
    expect(() => eq('uid)(x', 'a')).toThrow();
  });
});

describe('logical paths <-> DNs', () => {
  const root = 'OU=Rollcall,DC=maplewood,DC=test';
  it('maps Students/MHS/2030 to nested OUs innermost first, and back', () => {
    expect(pathToDn('Students/MHS/2030', root)).toBe('OU=2030,OU=MHS,OU=Students,OU=Rollcall,DC=maplewood,DC=test');
    expect(dnToPath('OU=2030,OU=MHS,OU=Students,OU=Rollcall,DC=maplewood,DC=test', root)).toBe('Students/MHS/2030');
    expect(dnToPath('ou=2030,ou=mhs,ou=Students,ou=rollcall,dc=Maplewood,dc=test', root)).toBe('Students/mhs/2030');
    expect(pathToDn('', root)).toBe(root);
    expect(dnToPath(root, root)).toBe('');
  });

  it('escapes hostile segments and reads them back exactly', () => {
    const p = 'Staff/Smith,OU=Admins/#1';
    const dn = pathToDn(p, root);
    expect(dn).toBe('OU=\\231,OU=Smith\\2COU\\3DAdmins,OU=Staff,OU=Rollcall,DC=maplewood,DC=test');
    expect(dnToPath(dn, root)).toBe(p);
  });

  it('refuses DNs that logical paths cannot name', () => {
    expect(dnToPath('CN=Users,DC=maplewood,DC=test', root)).toBeNull();
    expect(dnToPath('CN=x,OU=Rollcall,DC=maplewood,DC=test', root)).toBeNull();
    expect(dnToPath('OU=a,OU=Other,DC=maplewood,DC=test', root)).toBeNull();
    expect(entryPath('CN=jdoe,OU=MHS,OU=Students,OU=Rollcall,DC=maplewood,DC=test', root)).toBe('Students/MHS');
  });

  it('lists ancestors outermost first', () => {
    expect(pathAncestors('Students/MHS/2030')).toEqual(['Students', 'Students/MHS', 'Students/MHS/2030']);
    expect(pathAncestors('')).toEqual([]);
  });
});
