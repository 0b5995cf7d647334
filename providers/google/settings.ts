import { type Diagnostic, errorDiag, warningDiag } from '../../engine/model/diagnostics.js';
import type { TargetConfig } from '../../engine/model/policy.js';

/**
 * The `google` target's settings, as written in policy (all optional but `domain`,
 * `credentialsEnv` and `subject`) and as the provider uses them (normalized). Secrets
 * never live here: `credentialsEnv` names the environment variable holding the key.
 *
 *   targets:
 *     - name: gws
 *       provider: google
 *       settings:
 *         domain: example.k12.us
 *         credentialsEnv: ROLLCALL_GOOGLE_KEY   # service-account JSON key, domain-wide delegation
 *         subject: rollcall-admin@example.k12.us
 *         orgUnitRoot: /Rollcall                 # Students/MHS/2030 -> /Rollcall/Students/MHS/2030
 *         anchorType: organization               # or a custom type name, e.g. rollcall
 *         qpm: 2400                              # Google's documented default per user
 *         concurrency: 16
 *         passwordHash: SHA-1                    # or crypt (SHA-512-crypt), or none
 */
export type PasswordHash = 'SHA-1' | 'crypt' | 'none';

export interface GoogleSettings {
  customer: string;
  domain: string;
  rootUrl: string | undefined;
  tokenUrl: string | undefined;
  credentialsEnv: string;
  subject: string;
  /** Normalized org-unit root: `''` for `/`, else `/A/B`. */
  orgUnitRoot: string;
  /** externalIds entry type; a value outside Google's enum becomes `custom` + customType. */
  anchorType: string;
  qpm: number;
  /** The span `qpm` counts over (60,000 ms at Google); only tests and benchmarks change it. */
  quotaWindowMs: number;
  concurrency: number;
  passwordHash: PasswordHash;
  changePasswordAtNextLogin: boolean;
  /** Also archive on disable (needs Archived User licences); enable un-archives. */
  archiveOnDisable: boolean;
  /** Static custom-schema values written on create, e.g. {Rollcall: {managed: true}}. */
  customSchemas: Record<string, Record<string, unknown>> | undefined;
  /** Backoff tuning; tests shorten it. */
  retry: { baseMs: number; maxMs: number; maxAttempts: number };
}

const KNOWN = ['customer', 'domain', 'rootUrl', 'tokenUrl', 'credentialsEnv', 'subject', 'orgUnitRoot', 'anchorType', 'qpm', 'quotaWindowMs', 'concurrency', 'passwordHash', 'changePasswordAtNextLogin', 'archiveOnDisable', 'customSchemas', 'retry'];
export const EXTERNAL_ID_TYPES = ['account', 'custom', 'customer', 'login_id', 'network', 'organization'];

export function parseSettings(config: TargetConfig): { settings: GoogleSettings; diagnostics: Diagnostic[] } {
  const s = config.settings;
  const diags: Diagnostic[] = [];
  const where = (key: string) => ({ ...(config.origin.source ? { source: config.origin.source } : {}), path: `/targets/${config.name}/settings/${key}` });
  const str = (key: string, required: boolean, dflt = ''): string => {
    const v = s[key];
    if (v === undefined || v === null) {
      if (required) diags.push(errorDiag('google.settings.required', `target ${config.name}: setting "${key}" is required`, where(key)));
      return dflt;
    }
    if (typeof v !== 'string' || v === '') {
      diags.push(errorDiag('google.settings.type', `target ${config.name}: setting "${key}" must be a non-empty string`, where(key)));
      return dflt;
    }
    return v;
  };
  const num = (key: string, dflt: number, min: number): number => {
    const v = s[key];
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
      diags.push(errorDiag('google.settings.type', `target ${config.name}: setting "${key}" must be a number >= ${min}`, where(key)));
      return dflt;
    }
    return v;
  };
  for (const k of Object.keys(s)) {
    if (!KNOWN.includes(k)) diags.push(warningDiag('google.settings.unknown', `target ${config.name}: unknown setting "${k}"`, where(k)));
  }
  const domain = str('domain', true).toLowerCase();
  const url = (key: string): string | undefined => {
    const v = s[key] === undefined ? undefined : str(key, false);
    if (v === undefined || v === '') return undefined;
    try {
      const u = new URL(v);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('protocol');
    } catch {
      diags.push(errorDiag('google.settings.url', `target ${config.name}: setting "${key}" must be an http(s) URL`, where(key)));
      return undefined;
    }
    return v;
  };
  const rootUrl = url('rootUrl');
  const passwordHash = str('passwordHash', false, 'SHA-1');
  if (!['SHA-1', 'crypt', 'none'].includes(passwordHash)) {
    diags.push(errorDiag('google.settings.passwordHash', `target ${config.name}: passwordHash must be SHA-1, crypt or none`, where('passwordHash')));
  }
  const cpanl = s.changePasswordAtNextLogin;
  if (cpanl !== undefined && typeof cpanl !== 'boolean') {
    diags.push(errorDiag('google.settings.type', `target ${config.name}: changePasswordAtNextLogin must be true or false`, where('changePasswordAtNextLogin')));
  }
  const archive = s.archiveOnDisable;
  if (archive !== undefined && typeof archive !== 'boolean') {
    diags.push(errorDiag('google.settings.type', `target ${config.name}: archiveOnDisable must be true or false`, where('archiveOnDisable')));
  }
  const cs = s.customSchemas;
  const csOk = cs === undefined || (cs !== null && typeof cs === 'object' && !Array.isArray(cs) && Object.values(cs).every((v) => v !== null && typeof v === 'object' && !Array.isArray(v)));
  if (!csOk) diags.push(errorDiag('google.settings.type', `target ${config.name}: customSchemas must map schema names to objects of field values`, where('customSchemas')));
  const retryIn = (s.retry ?? {}) as Record<string, unknown>;
  const rnum = (k: string, d: number): number => (typeof retryIn[k] === 'number' && (retryIn[k] as number) >= 0 ? (retryIn[k] as number) : d);
  const root = str('orgUnitRoot', false, '/');
  if (!root.startsWith('/')) diags.push(errorDiag('google.settings.orgUnitRoot', `target ${config.name}: orgUnitRoot must start with "/"`, where('orgUnitRoot')));
  const settings: GoogleSettings = {
    customer: str('customer', false, 'my_customer'),
    domain,
    rootUrl: rootUrl ? (rootUrl.endsWith('/') ? rootUrl : rootUrl + '/') : undefined,
    tokenUrl: url('tokenUrl'),
    credentialsEnv: str('credentialsEnv', true),
    subject: str('subject', true),
    orgUnitRoot: root.split('/').filter(Boolean).length ? '/' + root.split('/').filter(Boolean).join('/') : '',
    anchorType: str('anchorType', false, 'organization'),
    qpm: num('qpm', 2400, 1),
    quotaWindowMs: num('quotaWindowMs', 60_000, 1),
    concurrency: Math.floor(num('concurrency', 16, 1)),
    passwordHash: passwordHash as PasswordHash,
    changePasswordAtNextLogin: cpanl === true,
    archiveOnDisable: archive === true,
    customSchemas: csOk && cs !== undefined ? (cs as Record<string, Record<string, unknown>>) : undefined,
    retry: { baseMs: rnum('baseMs', 1000), maxMs: rnum('maxMs', 64_000), maxAttempts: Math.max(1, Math.floor(rnum('maxAttempts', 10))) },
  };
  return { settings, diagnostics: diags };
}
