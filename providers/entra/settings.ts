import { errorDiag, type Diagnostic } from '../../engine/model/diagnostics.js';
import type { TargetConfig } from '../../engine/model/policy.js';
import { isUserAttrName, type UserAttrName } from './attributes.js';

/**
 * Settings of an `entra` target (policy: `targets.<name>.settings`). Secrets never live here:
 * `clientIdEnv` / `clientSecretEnv` name environment variables.
 *
 * Placement: the logical path's segment number `adminUnitFromPathSegment` (0-based; default 1,
 * the school in `Students/{school}/{gradYear}`) names the administrative unit the account
 * belongs to. The full path is also written to `pathAttribute` so read() can map it back.
 * `adminUnitFromPathSegment: null` turns AU placement off.
 */
export interface EntraSettings {
  tenantId: string;
  clientIdEnv: string;
  clientSecretEnv: string;
  /** Default https://login.microsoftonline.com. */
  authorityHost: string;
  /** When set, requests keep Graph URLs but are sent to this host (tests, emulators). */
  graphHost: string | null;
  upnDomain: string;
  anchorAttribute: UserAttrName;
  pathAttribute: UserAttrName;
  adminUnitFromPathSegment: number | null;
  /** Prefix of mailNickname of groups rollcall creates: how read() tells managed groups. */
  groupMailNicknamePrefix: string;
  usageLocation: string | null;
  /** Sends passwordPolicies DisableStrongPassword (young students' simple passwords). */
  disableStrongPassword: boolean;
  /** Batches in flight at once. */
  concurrency: number;
  /** Requests per $batch; Graph allows 20. */
  maxBatch: number;
  /** Client-side write pacing: Graph documents 3,000 user/group writes per 150 s per app. */
  writeQuota: number;
  writeWindowSeconds: number;
  maxAttempts: number;
  /** Real time per emulated time, for tests against an accelerated emulator. Default 1. */
  timeScale: number;
}

const DEFAULTS = {
  authorityHost: 'https://login.microsoftonline.com',
  graphHost: null,
  anchorAttribute: 'employeeId' as UserAttrName,
  pathAttribute: 'extensionAttribute1' as UserAttrName,
  adminUnitFromPathSegment: 1,
  groupMailNicknamePrefix: 'rollcall-',
  usageLocation: null,
  disableStrongPassword: false,
  concurrency: 4,
  maxBatch: 20,
  writeQuota: 3000,
  writeWindowSeconds: 150,
  maxAttempts: 12,
  timeScale: 1,
};

const KNOWN = new Set(['tenantId', 'clientIdEnv', 'clientSecretEnv', 'upnDomain', ...Object.keys(DEFAULTS)]);

export function parseEntraSettings(config: TargetConfig): { settings: EntraSettings | null; diagnostics: Diagnostic[] } {
  const s = config.settings;
  const diags: Diagnostic[] = [];
  const at = (key: string): Pick<Diagnostic, 'source' | 'path'> => ({ ...(config.origin.source ? { source: config.origin.source } : {}), path: `/targets/${config.name}/settings/${key}` });
  const bad = (key: string, summary: string): void => void diags.push(errorDiag('entra.settings', `target '${config.name}': ${summary}`, at(key)));
  const str = (key: string, required: boolean): string | null => {
    const v = s[key];
    if (v === undefined || v === null) {
      if (required) bad(key, `setting '${key}' is required`);
      return null;
    }
    if (typeof v !== 'string' || v.trim() === '') {
      bad(key, `setting '${key}' must be a non-empty string`);
      return null;
    }
    return v;
  };
  const int = (key: string, def: number, min: number, max: number): number => {
    const v = s[key];
    if (v === undefined) return def;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      bad(key, `setting '${key}' must be an integer from ${min} to ${max}`);
      return def;
    }
    return v;
  };
  for (const key of Object.keys(s)) if (!KNOWN.has(key)) bad(key, `unknown setting '${key}'`);
  for (const key of ['clientSecret', 'secret', 'password']) {
    if (key in s) bad(key, `secrets do not belong in policy; name an environment variable in 'clientSecretEnv'`);
  }
  const tenantId = str('tenantId', true);
  const clientIdEnv = str('clientIdEnv', true);
  const clientSecretEnv = str('clientSecretEnv', true);
  for (const [k, v] of [['clientIdEnv', clientIdEnv], ['clientSecretEnv', clientSecretEnv]] as const) {
    if (v && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(v)) bad(k, `'${k}' must be an environment variable name`);
  }
  const upnDomain = str('upnDomain', true);
  if (upnDomain && !/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(upnDomain)) bad('upnDomain', `'upnDomain' is not a domain name`);
  const url = (key: string): string | null => {
    const v = str(key, false);
    if (v === null) return null;
    try {
      const u = new URL(v);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('scheme');
      return v.replace(/\/+$/, '');
    } catch {
      bad(key, `'${key}' must be an http(s) URL`);
      return null;
    }
  };
  const authorityHost = url('authorityHost') ?? DEFAULTS.authorityHost;
  const graphHost = url('graphHost');
  const attr = (key: string, def: UserAttrName): UserAttrName => {
    const v = s[key];
    if (v === undefined) return def;
    if (!isUserAttrName(v)) {
      bad(key, `'${key}' must be employeeId, department or extensionAttribute1..15`);
      return def;
    }
    return v;
  };
  const anchorAttribute = attr('anchorAttribute', DEFAULTS.anchorAttribute);
  const pathAttribute = attr('pathAttribute', DEFAULTS.pathAttribute);
  if (anchorAttribute === pathAttribute) bad('pathAttribute', `'pathAttribute' must differ from 'anchorAttribute'`);
  let adminUnitFromPathSegment: number | null = DEFAULTS.adminUnitFromPathSegment;
  if (s['adminUnitFromPathSegment'] === null) adminUnitFromPathSegment = null;
  else adminUnitFromPathSegment = int('adminUnitFromPathSegment', DEFAULTS.adminUnitFromPathSegment, 0, 32);
  const prefix = s['groupMailNicknamePrefix'] === undefined ? DEFAULTS.groupMailNicknamePrefix : str('groupMailNicknamePrefix', false) ?? DEFAULTS.groupMailNicknamePrefix;
  const usageLocation = str('usageLocation', false);
  if (usageLocation && !/^[A-Z]{2}$/.test(usageLocation)) bad('usageLocation', `'usageLocation' must be a two-letter ISO 3166 country code`);
  const dsp = s['disableStrongPassword'];
  if (dsp !== undefined && typeof dsp !== 'boolean') bad('disableStrongPassword', `'disableStrongPassword' must be true or false`);
  const timeScale = s['timeScale'] === undefined ? 1 : s['timeScale'];
  if (typeof timeScale !== 'number' || !(timeScale > 0 && timeScale <= 1)) bad('timeScale', `'timeScale' must be a number in (0, 1]`);
  const settings: EntraSettings = {
    tenantId: tenantId ?? '',
    clientIdEnv: clientIdEnv ?? '',
    clientSecretEnv: clientSecretEnv ?? '',
    authorityHost,
    graphHost,
    upnDomain: (upnDomain ?? '').toLowerCase(),
    anchorAttribute,
    pathAttribute,
    adminUnitFromPathSegment,
    groupMailNicknamePrefix: prefix,
    usageLocation,
    disableStrongPassword: dsp === true,
    concurrency: int('concurrency', DEFAULTS.concurrency, 1, 64),
    maxBatch: int('maxBatch', DEFAULTS.maxBatch, 1, 20),
    writeQuota: int('writeQuota', DEFAULTS.writeQuota, 1, 1_000_000),
    writeWindowSeconds: int('writeWindowSeconds', DEFAULTS.writeWindowSeconds, 1, 3600),
    maxAttempts: int('maxAttempts', DEFAULTS.maxAttempts, 1, 100),
    timeScale: typeof timeScale === 'number' && timeScale > 0 && timeScale <= 1 ? timeScale : 1,
  };
  return { settings: diags.some((d) => d.severity === 'error') ? null : settings, diagnostics: diags };
}
