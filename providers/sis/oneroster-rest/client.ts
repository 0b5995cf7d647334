import type { Authorizer } from './auth.js';
import { type HttpReply, imsxDescription, type RetryingHttp, restError } from './http.js';
import type { RestSettings } from './settings.js';

/**
 * GET with authorisation: retries come from RetryingHttp; a 401 gets one renewal (a fresh
 * 1.2 token) and is otherwise a clear credentials error naming the environment variables.
 * Requests go to the service's own origin only, so credentials never leave it.
 */
export class RestClient {
  constructor(
    private readonly http: RetryingHttp,
    private readonly auth: Authorizer,
    private readonly s: RestSettings,
  ) {}

  async get(url: string): Promise<HttpReply> {
    const u = new URL(url);
    if (u.origin !== this.s.origin) {
      throw restError('oneroster-rest.paging', `the service pointed rollcall at ${u.origin}${u.pathname}, outside ${this.s.origin}; refusing to send credentials there`);
    }
    const label = `GET ${u.pathname}${u.search}`;
    let renewed = false;
    for (;;) {
      const reply = await this.http.send(label, async () => ({
        url,
        init: { method: 'GET', headers: { accept: 'application/json', ...(await this.auth.headers('GET', url)) } },
      }));
      if (reply.status === 401 && !renewed && this.auth.renew()) {
        renewed = true;
        continue;
      }
      if (reply.status === 401 || reply.status === 403) throw this.refused(label, reply);
      if (reply.status >= 300 && reply.status < 400) {
        const to = reply.headers.get('location');
        throw restError('oneroster-rest.http', `${label}: HTTP ${reply.status} redirect${to ? ` to ${new URL(to, url).origin}${new URL(to, url).pathname}` : ''}; set sis.path to the service's final base URL (redirects are not followed, so credentials stay with one origin)`);
      }
      if (reply.status !== 200) {
        const why = imsxDescription(reply.body);
        throw restError('oneroster-rest.http', `${label}: HTTP ${reply.status}${why ? ` (${why})` : ''}`);
      }
      return reply;
    }
  }

  private refused(label: string, reply: HttpReply) {
    const why = imsxDescription(reply.body);
    const creds = `$${this.s.clientIdEnv} / $${this.s.clientSecretEnv}`;
    const what = this.s.version === '1.1' ? `refused the OAuth 1.0a signature made with the consumer key and secret from ${creds}` : `refused the bearer token issued for the client credentials from ${creds}`;
    const hint = this.s.version === '1.1'
      ? 'check the consumer key and secret, and this machine\'s clock (signatures carry a timestamp)'
      : reply.status === 403 ? `check that the client is granted the scope ${this.s.scope}` : 'check the client id and secret the SIS vendor issued';
    return restError('oneroster-rest.auth', `${label}: the service ${what}: HTTP ${reply.status}${why ? ` (${why})` : ''}`, hint);
  }
}
