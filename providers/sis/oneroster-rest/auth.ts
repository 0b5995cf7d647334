/**
 * How a request is authorised. 1.1 signs every request (OAuth 1.0a, oauth1.ts); 1.2 sends a
 * bearer token from the client-credentials grant (oauth2.ts).
 */
export interface Authorizer {
  /** Headers for one attempt of `GET url`; called again for every retry. */
  headers(method: 'GET', url: string): Promise<Record<string, string>>;
  /**
   * The service answered 401. True when a fresh attempt may succeed (a 1.2 token expired or
   * was revoked: it is dropped and fetched again, once per request); false to give up.
   */
  renew(): boolean;
}
