import { randomBytes } from 'node:crypto';
import type { EmuReply } from './types.js';

/**
 * The Microsoft identity platform's client-credentials token endpoint:
 * `POST /{tenant}/oauth2/v2.0/token` with a form body (grant_type, client_id, client_secret,
 * scope). Errors use the OAuth2 error body (`error`, `error_description` with an AADSTS code).
 */

export interface TokenBook {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  lifetimeSeconds: number;
  /** token -> expiry (epoch ms). */
  tokens: Map<string, number>;
}

export function issueToken(book: TokenBook): string {
  const token = `emu.${randomBytes(24).toString('base64url')}`;
  book.tokens.set(token, Date.now() + book.lifetimeSeconds * 1000);
  return token;
}

function oauthError(status: number, error: string, description: string): EmuReply {
  return { status, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: { error, error_description: description, error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1] ?? 0)] } };
}

export function tokenRoute(book: TokenBook, method: string, tenant: string, raw: string): EmuReply {
  if (method !== 'POST') return oauthError(405, 'invalid_request', 'AADSTS900561: The endpoint only accepts POST requests.');
  if (tenant !== book.tenantId) return oauthError(400, 'invalid_tenant', `AADSTS90002: Tenant '${tenant}' not found.`);
  const form = new URLSearchParams(raw);
  if (form.get('grant_type') !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', 'AADSTS70003: The app requested an unsupported grant type.');
  if (form.get('client_id') !== book.clientId) return oauthError(400, 'unauthorized_client', `AADSTS700016: Application with identifier '${form.get('client_id') ?? ''}' was not found in the directory.`);
  if (form.get('client_secret') !== book.clientSecret) return oauthError(401, 'invalid_client', 'AADSTS7000215: Invalid client secret provided.');
  if (!(form.get('scope') ?? '').endsWith('/.default')) return oauthError(400, 'invalid_scope', 'AADSTS1002012: The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.');
  const token = issueToken(book);
  return {
    status: 200,
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body: { token_type: 'Bearer', expires_in: book.lifetimeSeconds, ext_expires_in: book.lifetimeSeconds, access_token: token },
  };
}
