import { randomBytes } from 'node:crypto';

/**
 * OAuth 2 client credentials (RFC 6749 4.4) for OneRoster 1.2: the client authenticates with
 * HTTP Basic or with client_id/client_secret form parameters (2.3.1); errors use the RFC's
 * JSON error body (`invalid_client`, `unsupported_grant_type`, `invalid_scope`).
 */

export const SCOPES = [
  'https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly',
  'https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly',
  'https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly',
];

export interface TokenReply {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export class TokenAuthority {
  private readonly tokens = new Map<string, { clientId: string; expiresAt: number }>();
  issued = 0;

  constructor(
    private readonly clients: ReadonlyMap<string, string>,
    private readonly ttlSeconds: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  token(authorization: string | undefined, contentType: string | undefined, body: string): TokenReply {
    const noStore = { 'cache-control': 'no-store', pragma: 'no-cache' };
    if (!(contentType ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      return { status: 400, headers: noStore, body: { error: 'invalid_request', error_description: 'the body must be application/x-www-form-urlencoded' } };
    }
    const form = new URLSearchParams(body);
    let id = form.get('client_id') ?? undefined;
    let secret = form.get('client_secret') ?? undefined;
    const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
    if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) {
        id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
        secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
      }
    }
    if (id === undefined || secret === undefined || this.clients.get(id) !== secret) {
      return { status: 401, headers: { ...noStore, 'www-authenticate': 'Basic realm="oneroster"' }, body: { error: 'invalid_client', error_description: 'client authentication failed' } };
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return { status: 400, headers: noStore, body: { error: 'unsupported_grant_type' } };
    }
    const scope = form.get('scope') ?? SCOPES[0]!;
    if (scope.split(' ').some((s) => !SCOPES.includes(s))) return { status: 400, headers: noStore, body: { error: 'invalid_scope' } };
    const token = randomBytes(24).toString('hex');
    this.tokens.set(token, { clientId: id, expiresAt: this.now() + this.ttlSeconds * 1000 });
    this.issued++;
    return { status: 200, headers: noStore, body: { access_token: token, token_type: 'bearer', expires_in: this.ttlSeconds, scope } };
  }

  /** The bearer token of a request, if it is one this authority issued and it has not expired. */
  check(authorization: string | undefined): { ok: true } | { ok: false; reason: string } {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) return { ok: false, reason: 'missing bearer token' };
    const t = this.tokens.get(m[1]!);
    if (!t) return { ok: false, reason: 'unknown or revoked token' };
    if (this.now() >= t.expiresAt) return { ok: false, reason: 'token expired' };
    return { ok: true };
  }

  /** Revoke every token (as a server restart or key rotation would). */
  revokeAll(): void {
    this.tokens.clear();
  }
}
