import type { TargetConstraints } from '../../engine/model/provider.js';

/**
 * Username limits per profile, for the pure core (no ldapts import here).
 * AD: sAMAccountName is at most 20 characters (the pre-Windows 2000 logon name) and may not
 * contain `" / \ [ ] : ; | = , + * ? < >`; rollcall keeps to a conservative portable set.
 * OpenLDAP: `uid` has no hard limit; 64 keeps home directories and POSIX tools happy.
 */
export const LDAP_AD_CONSTRAINTS: TargetConstraints = {
  maxUsernameLength: 20,
  usernameCharset: 'a-z0-9._-',
  dotEdgesAllowed: false,
};

export const LDAP_OPENLDAP_CONSTRAINTS: TargetConstraints = {
  maxUsernameLength: 64,
  usernameCharset: 'a-z0-9._-',
  dotEdgesAllowed: false,
};

const SAM_FORBIDDEN = /["/\\[\]:;|=,+*?<>@]/;

/** Why `name` cannot be an AD sAMAccountName, or null when it can. */
export function samAccountNameProblem(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if ([...name].length > 20) return 'is longer than 20 characters';
  if (SAM_FORBIDDEN.test(name)) return 'contains a character AD forbids in sAMAccountName';
  if ([...name].some((c) => (c.codePointAt(0) ?? 0) < 0x20)) return 'contains a control character';
  if (name.endsWith('.')) return 'ends with a period';
  return null;
}
