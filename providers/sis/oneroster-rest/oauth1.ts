import { createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import type { Authorizer } from './auth.js';

/**
 * OneRoster 1.1 REST: every request signed with OAuth 1.0a HMAC-SHA1 (the 1.1 spec requires
 * it; consumer key and secret, no token). The signature covers method, URL and the query
 * parameters (limit/offset), so each page and each retry is signed afresh with a new nonce.
 */
export function oauth1Authorizer(consumerKey: string, consumerSecret: string): Authorizer {
  const oauth = new OAuth({
    consumer: { key: consumerKey, secret: consumerSecret },
    signature_method: 'HMAC-SHA1',
    hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64'),
  });
  return {
    async headers(method, url) {
      return { ...oauth.toHeader(oauth.authorize({ url, method })) };
    },
    // A signature that was refused once will be refused again.
    renew: () => false,
  };
}
