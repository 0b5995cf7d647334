import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * OAuth 1.0a HMAC-SHA1 verification (RFC 5849 3.4, as OneRoster 1.1 REST requires), written
 * from the RFC rather than with the client's library, so a signing bug cannot hide behind a
 * matching bug here. Checks method, consumer key, version, timestamp window, nonce replay
 * and the signature over method, base URI and every query and oauth_ parameter.
 */

export interface OAuth1Check {
  ok: boolean;
  /** Why a request was refused (never contains the secret). */
  reason?: string;
  consumerKey?: string;
}

/** RFC 3986 unreserved characters stay; everything else is %XX (RFC 5849 3.6). */
export function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function formDecode(s: string): string {
  return decodeURIComponent(s.replace(/\+/g, ' '));
}

export function parseAuthorization(header: string | undefined): Map<string, string> | undefined {
  if (!header || !/^OAuth\s/i.test(header)) return undefined;
  const out = new Map<string, string>();
  const re = /([\w-]+)\s*=\s*"([^"]*)"/g;
  for (let m = re.exec(header); m; m = re.exec(header)) out.set(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!));
  return out;
}

export class OAuth1Verifier {
  private readonly nonces = new Map<string, number>();
  constructor(
    private readonly consumers: ReadonlyMap<string, string>,
    private readonly windowSeconds = 300,
    private readonly now: () => number = () => Date.now(),
  ) {}

  verify(method: string, baseUri: string, rawQuery: string, authorization: string | undefined): OAuth1Check {
    const p = parseAuthorization(authorization);
    if (!p) return { ok: false, reason: 'missing OAuth Authorization header' };
    const key = p.get('oauth_consumer_key');
    const secret = key === undefined ? undefined : this.consumers.get(key);
    if (secret === undefined) return { ok: false, reason: 'unknown consumer key' };
    if (p.get('oauth_signature_method') !== 'HMAC-SHA1') return { ok: false, reason: 'oauth_signature_method must be HMAC-SHA1' };
    const version = p.get('oauth_version');
    if (version !== undefined && version !== '1.0') return { ok: false, reason: 'oauth_version must be 1.0' };
    const ts = Number(p.get('oauth_timestamp'));
    if (!Number.isInteger(ts) || Math.abs(this.now() / 1000 - ts) > this.windowSeconds) return { ok: false, reason: 'oauth_timestamp missing or outside the allowed window' };
    const nonce = p.get('oauth_nonce');
    if (!nonce) return { ok: false, reason: 'oauth_nonce missing' };
    const signature = p.get('oauth_signature');
    if (!signature) return { ok: false, reason: 'oauth_signature missing' };

    const params: [string, string][] = [];
    if (rawQuery) {
      for (const part of rawQuery.split('&')) {
        if (!part) continue;
        const eq = part.indexOf('=');
        params.push(eq < 0 ? [formDecode(part), ''] : [formDecode(part.slice(0, eq)), formDecode(part.slice(eq + 1))]);
      }
    }
    for (const [k, v] of p) if (k !== 'oauth_signature' && k !== 'realm') params.push([k, v]);
    const normalized = params
      .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    const base = `${method.toUpperCase()}&${rfc3986(baseUri)}&${rfc3986(normalized)}`;
    const expected = createHmac('sha1', `${rfc3986(secret)}&`).update(base).digest();
    const got = Buffer.from(signature, 'base64');
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) return { ok: false, reason: 'signature does not match' };

    const nonceKey = `${key}\0${ts}\0${nonce}`;
    if (this.nonces.has(nonceKey)) return { ok: false, reason: 'nonce already used' };
    this.nonces.set(nonceKey, ts);
    if (this.nonces.size > 100_000) for (const [k, t] of this.nonces) if (Math.abs(this.now() / 1000 - t) > this.windowSeconds) this.nonces.delete(k);
    return { ok: true, consumerKey: key };
  }
}
