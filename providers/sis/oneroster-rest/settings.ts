import { type Diagnostic, errorDiag, warningDiag } from '../../../engine/model/diagnostics.js';
import { InputError } from '../../../engine/model/errors.js';

/**
 * The policy's `sis:` block for `format: oneroster-rest`, checked and defaulted. Everything
 * but `format` and `path` lands in `settings` (engine/policy/normalize-root.ts). Credentials
 * are never in the policy: `clientIdEnv`/`clientSecretEnv` name environment variables, and
 * a secret-looking key in the policy is an error. Messages name variables, never values.
 */

export type RestVersion = '1.1' | '1.2';

export interface RestSettings {
  /** The service root, e.g. `https://sis.example/ims/oneroster/rostering/v1p2` (no trailing slash). */
  serviceRoot: string;
  /** scheme://host:port of the service, the only origin requests (and next links) may go to. */
  origin: string;
  version: RestVersion;
  clientIdEnv: string;
  clientSecretEnv: string;
  clientId: string;
  clientSecret: string;
  /** 1.2 only: absolute token endpoint URL. */
  tokenUrl?: string;
  scope: string;
  pageSize: number;
  timeoutMs: number;
  maxRetries: number;
  /** First backoff step; doubles per retry, with full jitter, capped at 30 s. */
  retryBaseMs: number;
  /** A 429 asking to wait longer than this fails the read instead of stalling it. */
  maxRetryAfterMs: number;
  skipEnrollments: boolean;
}

export const SERVICE_PATHS: Record<RestVersion, string> = {
  '1.1': '/ims/oneroster/v1p1',
  '1.2': '/ims/oneroster/rostering/v1p2',
};

/** 1.2's narrowest scope that covers orgs, sessions, courses, classes, users and enrollments. */
export const DEFAULT_SCOPE = 'https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly';

const KNOWN = new Set(['version', 'clientIdEnv', 'clientSecretEnv', 'tokenUrl', 'scope', 'pageSize', 'timeoutMs', 'maxRetries', 'retryBaseMs', 'maxRetryAfterMs', 'skipEnrollments', 'baseUrl']);
const SECRET_KEYS = /^(client_?secret|client_?id|secret|password|token|access_?token|key|consumer_?(key|secret))$/i;

export function readSettings(location: string, settings: Record<string, unknown>, env: NodeJS.ProcessEnv): { settings: RestSettings; warnings: Diagnostic[] } {
  const diags: Diagnostic[] = [];
  const err = (key: string, summary: string) => diags.push(errorDiag('oneroster-rest.settings', summary, { path: `/sis/${key}` }));

  for (const key of Object.keys(settings)) {
    if (SECRET_KEYS.test(key)) err(key, `sis.${key}: credentials never go in the policy; put the value in an environment variable and name it in sis.clientIdEnv / sis.clientSecretEnv`);
    else if (!KNOWN.has(key)) diags.push(warningDiag('oneroster-rest.settings', `sis.${key} is not a oneroster-rest setting; ignored`, { path: `/sis/${key}` }));
  }

  // `path` is the base URL; `baseUrl` is accepted for readability in the policy.
  const raw = /^https?:\/\//i.test(location) ? location : typeof settings.baseUrl === 'string' ? settings.baseUrl : location;
  let base: URL | undefined;
  try {
    base = new URL(raw);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error('not http');
    if (base.username || base.password) {
      err('path', 'sis.path: the base URL must not carry credentials; use sis.clientIdEnv / sis.clientSecretEnv');
      base = undefined;
    }
  } catch {
    err('path', `sis.path must be the OneRoster service's base URL (http:// or https://), got "${raw}"`);
    base = undefined;
  }

  // YAML reads `version: 1.2` as a number.
  const v = settings.version === undefined ? '1.2' : String(settings.version);
  const version: RestVersion | undefined = v === '1.1' || v === '1.2' ? v : undefined;
  if (!version) err('version', `sis.version must be "1.1" or "1.2", got "${v}"`);

  const envName = (key: 'clientIdEnv' | 'clientSecretEnv'): { name: string; value: string } => {
    const name = settings[key];
    if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      err(key, `sis.${key} must name an environment variable (e.g. ROLLCALL_SIS_${key === 'clientIdEnv' ? 'CLIENT_ID' : 'CLIENT_SECRET'})`);
      return { name: '', value: '' };
    }
    const value = env[name];
    if (value === undefined || value === '') err(key, `environment variable ${name} (named by sis.${key}) is not set`);
    return { name, value: value ?? '' };
  };
  const id = envName('clientIdEnv');
  const secret = envName('clientSecretEnv');

  const int = (key: string, dflt: number, min: number, max: number): number => {
    const x = settings[key];
    if (x === undefined) return dflt;
    if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max) {
      err(key, `sis.${key} must be a whole number from ${min} to ${max}`);
      return dflt;
    }
    return x;
  };
  const pageSize = int('pageSize', 100, 1, 1000);
  const timeoutMs = int('timeoutMs', 30_000, 100, 600_000);
  const maxRetries = int('maxRetries', 5, 0, 20);
  const retryBaseMs = int('retryBaseMs', 500, 0, 60_000);
  const maxRetryAfterMs = int('maxRetryAfterMs', 120_000, 0, 3_600_000);

  let tokenUrl: string | undefined;
  if (version === '1.2') {
    if (typeof settings.tokenUrl !== 'string' || settings.tokenUrl === '') err('tokenUrl', 'sis.tokenUrl is required for OneRoster 1.2 (the OAuth 2 token endpoint)');
    else if (base) {
      try {
        const t = new URL(settings.tokenUrl, base);
        if (t.protocol !== 'http:' && t.protocol !== 'https:') throw new Error('not http');
        tokenUrl = t.href;
      } catch {
        err('tokenUrl', `sis.tokenUrl "${settings.tokenUrl}" is not a URL`);
      }
    }
  } else if (settings.tokenUrl !== undefined) {
    diags.push(warningDiag('oneroster-rest.settings', 'sis.tokenUrl is ignored for OneRoster 1.1, which signs each request with OAuth 1.0a', { path: '/sis/tokenUrl' }));
  }
  if (settings.scope !== undefined && typeof settings.scope !== 'string') err('scope', 'sis.scope must be a string');
  if (settings.skipEnrollments !== undefined && typeof settings.skipEnrollments !== 'boolean') err('skipEnrollments', 'sis.skipEnrollments must be true or false');

  if (diags.some((d) => d.severity === 'error') || !base || !version) throw new InputError(diags);

  const servicePath = SERVICE_PATHS[version];
  const path = base.pathname.replace(/\/+$/, '');
  // Vendors hand out either the host or the full service root; accept both.
  const root = path.endsWith(servicePath) ? path : path + servicePath;
  return {
    settings: {
      serviceRoot: base.origin + root,
      origin: base.origin,
      version,
      clientIdEnv: id.name,
      clientSecretEnv: secret.name,
      clientId: id.value,
      clientSecret: secret.value,
      ...(tokenUrl ? { tokenUrl } : {}),
      scope: typeof settings.scope === 'string' ? settings.scope : DEFAULT_SCOPE,
      pageSize,
      timeoutMs,
      maxRetries,
      retryBaseMs,
      maxRetryAfterMs,
      skipEnrollments: settings.skipEnrollments === true,
    },
    warnings: diags,
  };
}
