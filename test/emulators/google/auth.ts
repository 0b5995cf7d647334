import { type KeyObject, createPublicKey, generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import { type ApiResponse, apiError } from './wire.js';

/**
 * Service-account auth as Google does it: the client signs a JWT (RS256) with the key's
 * private key and trades it at the token endpoint (grant type jwt-bearer) for a bearer
 * token; the API then requires `Authorization: Bearer <token>`.
 */

export const GOOGLE_TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';
const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** A service-account JSON key in the shape Google's console downloads. */
export interface ServiceAccountKey {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  token_uri: string;
}

export interface TokenInfo {
  /** The impersonated admin (JWT `sub`), or the service account itself. */
  principal: string;
  scopes: string[];
  expiresAt: number;
}

export function makeServiceAccount(clientEmail = 'rollcall@emulator.iam.gserviceaccount.com'): { key: ServiceAccountKey; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key: ServiceAccountKey = {
    type: 'service_account',
    project_id: 'emulator',
    private_key_id: randomBytes(8).toString('hex'),
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: clientEmail,
    client_id: '100000000000000000001',
    token_uri: GOOGLE_TOKEN_AUDIENCE,
  };
  return { key, publicKey };
}

export class TokenAuthority {
  private readonly keys = new Map<string, KeyObject>();
  private readonly tokens = new Map<string, TokenInfo>();
  readonly audiences: Set<string>;
  /** Count of JWT exchanges, for tests. */
  exchanges = 0;

  constructor(audiences: string[]) {
    this.audiences = new Set(audiences);
  }

  trust(clientEmail: string, publicKey: KeyObject | string): void {
    this.keys.set(clientEmail, typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey);
  }

  /** Mint a token directly (benchmarks that skip the JWT flow). */
  issue(principal: string, scopes: string[] = ['https://www.googleapis.com/auth/admin.directory.user'], ttlSec = 3600): string {
    const token = `ya29.emu-${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, { principal, scopes, expiresAt: Date.now() + ttlSec * 1000 });
    return token;
  }

  revokeAll(): void {
    this.tokens.clear();
  }

  /** POST /token with form fields; returns the OAuth JSON reply. */
  exchange(form: URLSearchParams): ApiResponse {
    const fail = (error: string, desc: string, status = 400): ApiResponse => ({
      status,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: { error, error_description: desc },
    });
    if (form.get('grant_type') !== JWT_GRANT) return fail('unsupported_grant_type', 'Invalid grant_type');
    const assertion = form.get('assertion') ?? '';
    const parts = assertion.split('.');
    if (parts.length !== 3) return fail('invalid_grant', 'Invalid JWT.');
    const [h, p, s] = parts as [string, string, string];
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
      claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      return fail('invalid_grant', 'Invalid JWT.');
    }
    if (header.alg !== 'RS256') return fail('invalid_grant', 'Invalid JWT: alg must be RS256.');
    const iss = typeof claims.iss === 'string' ? claims.iss : '';
    const key = this.keys.get(iss);
    if (!key) return fail('invalid_client', 'The OAuth client was not found.', 401);
    if (!verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))) return fail('invalid_grant', 'Invalid JWT Signature.');
    if (typeof claims.aud !== 'string' || !this.audiences.has(claims.aud)) return fail('invalid_grant', 'Invalid JWT: audience.');
    const now = Math.floor(Date.now() / 1000);
    const iat = Number(claims.iat);
    const exp = Number(claims.exp);
    if (!Number.isFinite(iat) || !Number.isFinite(exp) || exp <= now || iat > now + 60 || exp - iat > 3600) {
      return fail('invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.');
    }
    const scopes = typeof claims.scope === 'string' ? claims.scope.split(/\s+/).filter(Boolean) : [];
    if (!scopes.some((sc) => sc.startsWith('https://www.googleapis.com/auth/admin.directory.'))) {
      return fail('invalid_scope', 'Empty or missing scope not allowed.');
    }
    this.exchanges++;
    const principal = typeof claims.sub === 'string' && claims.sub ? claims.sub : iss;
    const token = this.issue(principal, scopes);
    return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: { access_token: token, expires_in: 3599, token_type: 'Bearer' } };
  }

  /** Check the bearer token of an API call; a response means "reject with this". */
  check(authorization: string | undefined, method: string): TokenInfo | ApiResponse {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    const info = m?.[1] ? this.tokens.get(m[1]) : undefined;
    if (!info || info.expiresAt <= Date.now()) {
      return apiError(401, m ? 'authError' : 'required', m ? 'Invalid Credentials' : 'Login Required.', {
        location: 'Authorization',
        locationType: 'header',
        status: 'UNAUTHENTICATED',
        headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' },
      });
    }
    const readOnly = info.scopes.every((s) => s.endsWith('.readonly'));
    if (readOnly && method.toUpperCase() !== 'GET') {
      return apiError(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.', { status: 'PERMISSION_DENIED' });
    }
    return info;
  }
}
