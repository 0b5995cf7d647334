import { errorDiag, warningDiag, type Diagnostic } from '../../engine/model/diagnostics.js';
import type { TargetConfig } from '../../engine/model/policy.js';
import { parseDn } from './dn.js';

/**
 * Settings of an `ldap` target, as written in policy (`targets.<name>.settings`):
 *
 *   profile: active-directory | openldap
 *   url: ldaps://dc1.example:636        # or ldap://... with startTLS: true
 *   startTLS: false
 *   baseDN: DC=example,DC=org
 *   bindDNEnv: ROLLCALL_AD_BIND_DN        # names of environment variables, never the secrets
 *   bindPasswordEnv: ROLLCALL_AD_BIND_PASSWORD
 *   caFile: certs/dc-ca.pem               # relative to the policy repo; default: system CAs
 *   tlsInsecureSkipVerify: false          # loud on purpose; warns
 *   anchorAttribute: employeeID           # default employeeID (AD) / employeeNumber (openldap)
 *   usersBase: OU=Rollcall                # relative to baseDN; logical paths live below it
 *   groupsBase: OU=Groups,OU=Rollcall     # relative to baseDN
 *   managedScopes: [Students, Staff]      # logical paths read and written; default: all of usersBase
 *   upnSuffix: example.org                # AD; default: the DC= parts of baseDN
 *   timeoutMs: 30000
 *   concurrency: 4                        # connections used by apply
 *   pageSize: 500
 *   memberBatchSize: 500                  # member values per group modify
 *   posixAccount: {gidNumber: 10000, uidNumberMin: 10000, homeDirectory: /home/{username}, loginShell: /bin/bash}  # openldap
 */
export type LdapProfile = 'active-directory' | 'openldap';

export interface PosixSettings {
  gidNumber: number;
  uidNumberMin: number;
  homeDirectory: string;
  loginShell: string;
}

export interface LdapSettings {
  profile: LdapProfile;
  url: string;
  startTLS: boolean;
  baseDN: string;
  bindDNEnv: string;
  bindPasswordEnv: string;
  caFile: string | null;
  tlsInsecureSkipVerify: boolean;
  anchorAttribute: string;
  usersBase: string;
  groupsBase: string;
  managedScopes: string[];
  upnSuffix: string;
  timeoutMs: number;
  concurrency: number;
  pageSize: number;
  /** Member values added or removed per group modify (apply batches membership changes). */
  memberBatchSize: number;
  posixAccount: PosixSettings | null;
}

const KNOWN = new Set(['profile', 'url', 'startTLS', 'baseDN', 'bindDNEnv', 'bindPasswordEnv', 'caFile', 'tlsInsecureSkipVerify',
  'anchorAttribute', 'usersBase', 'groupsBase', 'managedScopes', 'upnSuffix', 'timeoutMs', 'concurrency', 'pageSize', 'memberBatchSize', 'posixAccount']);

/** Parse and check settings; every problem becomes a diagnostic at the target's entry. */
export function parseSettings(config: TargetConfig): { settings: LdapSettings | null; diagnostics: Diagnostic[] } {
  const s = config.settings;
  const diags: Diagnostic[] = [];
  const at = (key: string): Pick<Diagnostic, 'path' | 'source'> => ({
    path: `/targets/${config.name}/settings${key ? '/' + key : ''}`,
    ...(config.origin.source ? { source: config.origin.source } : {}),
  });
  const err = (code: string, key: string, summary: string): void => {
    diags.push(errorDiag(`ldap.${code}`, `target ${config.name}: ${summary}`, at(key)));
  };
  const str = (key: string, required: boolean): string | undefined => {
    const v = s[key];
    if (v === undefined || v === null) {
      if (required) err('missing', key, `settings.${key} is required`);
      return undefined;
    }
    if (typeof v !== 'string' || v.trim() === '') {
      err('type', key, `settings.${key} must be a non-empty string`);
      return undefined;
    }
    return v.trim();
  };
  const bool = (key: string): boolean => {
    const v = s[key];
    if (v === undefined || v === null) return false;
    if (typeof v !== 'boolean') err('type', key, `settings.${key} must be true or false`);
    return v === true;
  };
  const int = (key: string, def: number, min: number, max: number): number => {
    const v = s[key];
    if (v === undefined || v === null) return def;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      err('type', key, `settings.${key} must be an integer from ${min} to ${max}`);
      return def;
    }
    return v;
  };
  const dn = (key: string, value: string | undefined): void => {
    if (value === undefined || value === '') return;
    try {
      parseDn(value);
    } catch {
      err('dn', key, `settings.${key} is not a valid DN`);
    }
  };

  for (const key of Object.keys(s)) {
    if (!KNOWN.has(key)) diags.push(warningDiag('ldap.unknown-setting', `target ${config.name}: unknown setting ${key} is ignored`, at(key)));
  }

  const profileRaw = str('profile', true);
  let profile: LdapProfile = 'active-directory';
  if (profileRaw !== undefined) {
    if (profileRaw === 'active-directory' || profileRaw === 'openldap') profile = profileRaw;
    else err('profile', 'profile', 'settings.profile must be active-directory or openldap');
  }
  const url = str('url', true);
  const startTLS = bool('startTLS');
  if (url !== undefined) {
    if (/^ldaps:\/\//i.test(url)) {
      if (startTLS) err('tls', 'startTLS', 'startTLS applies to ldap:// URLs; ldaps:// is already encrypted');
    } else if (/^ldap:\/\//i.test(url)) {
      if (!startTLS) err('tls', 'url', 'an ldap:// URL needs startTLS: true; rollcall never binds or sends passwords in clear text');
    } else {
      err('url', 'url', 'settings.url must start with ldaps:// or ldap://');
    }
  }
  const baseDN = str('baseDN', true);
  dn('baseDN', baseDN);
  const bindDNEnv = str('bindDNEnv', true);
  const bindPasswordEnv = str('bindPasswordEnv', true);
  for (const key of ['bindDN', 'bindPassword', 'password']) {
    if (s[key] !== undefined) err('secret-in-policy', key, `settings.${key} is not allowed: name environment variables with bindDNEnv/bindPasswordEnv instead`);
  }
  const caFile = str('caFile', false) ?? null;
  const insecure = bool('tlsInsecureSkipVerify');
  if (insecure) {
    diags.push(warningDiag('ldap.tls-insecure', `target ${config.name}: tlsInsecureSkipVerify is on; the server's certificate is NOT verified and a man in the middle can read passwords`, at('tlsInsecureSkipVerify')));
  }
  const anchorAttribute = str('anchorAttribute', false) ?? (profile === 'active-directory' ? 'employeeID' : 'employeeNumber');
  if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(anchorAttribute)) err('attribute', 'anchorAttribute', 'settings.anchorAttribute must be an attribute name');
  const usersBase = str('usersBase', false) ?? '';
  dn('usersBase', usersBase);
  const groupsBase = str('groupsBase', false) ?? usersBase;
  dn('groupsBase', groupsBase);
  let managedScopes: string[] = [];
  const ms = s.managedScopes;
  if (ms !== undefined && ms !== null) {
    if (!Array.isArray(ms) || ms.some((x) => typeof x !== 'string')) err('type', 'managedScopes', 'settings.managedScopes must be a list of logical paths');
    else managedScopes = (ms as string[]).map((x) => x.split('/').filter(Boolean).join('/'));
  }
  const upnSuffix = str('upnSuffix', false) ?? dcDomain(baseDN ?? '');
  const timeoutMs = int('timeoutMs', 30_000, 100, 600_000);
  const concurrency = int('concurrency', 4, 1, 32);
  const pageSize = int('pageSize', 500, 1, 5000);
  const memberBatchSize = int('memberBatchSize', 500, 1, 5000);

  let posixAccount: PosixSettings | null = null;
  const px = s.posixAccount;
  if (px !== undefined && px !== null && px !== false) {
    if (profile !== 'openldap') err('posix', 'posixAccount', 'settings.posixAccount applies to the openldap profile only');
    const o = (typeof px === 'object' && !Array.isArray(px) ? px : {}) as Record<string, unknown>;
    const gid = o.gidNumber;
    if (typeof gid !== 'number' || !Number.isInteger(gid) || gid < 0) err('posix', 'posixAccount/gidNumber', 'posixAccount.gidNumber must be a non-negative integer');
    const min = o.uidNumberMin ?? 10000;
    if (typeof min !== 'number' || !Number.isInteger(min) || min < 0) err('posix', 'posixAccount/uidNumberMin', 'posixAccount.uidNumberMin must be a non-negative integer');
    posixAccount = {
      gidNumber: typeof gid === 'number' ? gid : 0,
      uidNumberMin: typeof min === 'number' ? min : 10000,
      homeDirectory: typeof o.homeDirectory === 'string' ? o.homeDirectory : '/home/{username}',
      loginShell: typeof o.loginShell === 'string' ? o.loginShell : '/bin/bash',
    };
  }

  if (diags.some((d) => d.severity === 'error') || url === undefined || baseDN === undefined || bindDNEnv === undefined || bindPasswordEnv === undefined) {
    return { settings: null, diagnostics: diags };
  }
  return {
    settings: {
      profile, url, startTLS, baseDN, bindDNEnv, bindPasswordEnv, caFile, tlsInsecureSkipVerify: insecure, anchorAttribute,
      usersBase, groupsBase, managedScopes, upnSuffix, timeoutMs, concurrency, pageSize, memberBatchSize, posixAccount,
    },
    diagnostics: diags,
  };
}

/** `DC=maplewood,DC=k12,DC=example` -> `maplewood.k12.example`. */
function dcDomain(baseDN: string): string {
  try {
    return parseDn(baseDN).filter((r) => r.type.toLowerCase() === 'dc').map((r) => r.value).join('.');
  } catch {
    return '';
  }
}
