import type { Authorizer } from './auth.js';
import { type RetryingHttp, restError } from './http.js';

/**
 * OneRoster 1.2 REST: OAuth 2 client credentials (RFC 6749 4.4), as the 1EdTech security
 * framework requires. The client authenticates with HTTP Basic (RFC 6749 2.3.1); the token is
 * cached until shortly before `expires_in`, and dropped and fetched again when the service
 * answers 401 (revoked or expired early). Errors name the environment variables, never
 * their values.
 */

export interface ClientCredentials {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  /** For messages: where the credentials came from. */
  clientIdEnv: string;
  clientSecretEnv: string;
}

/** Renew this long before the server's stated expiry, so a token does not lapse mid-request. */
const EXPIRY_MARGIN_MS = 30_000;

export function oauth2Authorizer(http: RetryingHttp, c: ClientCredentials, now: () => number = Date.now): Authorizer {
  let token: { value: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    const tokenPath = new URL(c.tokenUrl).pathname;
    // RFC 6749 2.3.1: form-urlencode id and secret before Base64.
    const basic = Buffer.from(`${encodeURIComponent(c.clientId)}:${encodeURIComponent(c.clientSecret)}`).toString('base64');
    const reply = await http.send(`POST ${tokenPath}`, async () => ({
      url: c.tokenUrl,
      init: {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: c.scope }).toString(),
      },
    }));
    if (reply.status === 400 || reply.status === 401 || reply.status === 403) {
      const code = oauthErrorCode(reply.body);
      throw restError(
        'oneroster-rest.auth',
        `the token endpoint (${tokenPath}) refused the client credentials from $${c.clientIdEnv} / $${c.clientSecretEnv}: HTTP ${reply.status}${code ? ` ${code}` : ''}`,
        'check the client id and secret the SIS vendor issued, and that they are for OneRoster 1.2 with this scope',
      );
    }
    if (reply.status !== 200) throw restError('oneroster-rest.auth', `the token endpoint (${tokenPath}) answered HTTP ${reply.status}`);
    let body: { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(reply.body) as typeof body;
    } catch {
      throw restError('oneroster-rest.auth', `the token endpoint (${tokenPath}) did not answer with JSON`);
    }
    if (typeof body.access_token !== 'string' || body.access_token === '') throw restError('oneroster-rest.auth', `the token endpoint (${tokenPath}) answered without an access_token`);
    if (typeof body.token_type === 'string' && body.token_type.toLowerCase() !== 'bearer') {
      throw restError('oneroster-rest.auth', `the token endpoint (${tokenPath}) issued a "${body.token_type}" token; only bearer tokens are supported`);
    }
    const ttl = typeof body.expires_in === 'number' ? body.expires_in * 1000 : typeof body.expires_in === 'string' ? Number(body.expires_in) * 1000 : 3600_000;
    token = { value: body.access_token, expiresAt: now() + Math.max(0, (Number.isFinite(ttl) ? ttl : 3600_000) - EXPIRY_MARGIN_MS) };
    return body.access_token;
  }

  async function current(): Promise<string> {
    if (token && now() < token.expiresAt) return token.value;
    // One token request at a time, even if callers overlap.
    pending ??= fetchToken().finally(() => {
      pending = undefined;
    });
    return pending;
  }

  return {
    async headers() {
      return { authorization: `Bearer ${await current()}` };
    },
    renew() {
      token = undefined;
      return true;
    },
  };
}

function oauthErrorCode(body: string): string | undefined {
  try {
    const j = JSON.parse(body) as { error?: unknown };
    return typeof j.error === 'string' && /^[\w.-]{1,64}$/.test(j.error) ? j.error : undefined;
  } catch {
    return undefined;
  }
}
