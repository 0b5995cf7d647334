import { TerminalProviderError } from '../../engine/model/errors.js';

/**
 * Client-credentials tokens from the Microsoft identity platform
 * (`POST {authorityHost}/{tenant}/oauth2/v2.0/token`), cached until five minutes before
 * expiry. Implements the SDK's AuthenticationProvider shape (`getAccessToken`). The secret
 * stays in this closure; errors carry the AADSTS description only.
 */
export class ClientCredentialsAuth {
  private token: { value: string; expiresAt: number } | null = null;
  private pending: Promise<string> | null = null;

  constructor(
    private readonly tokenUrl: string,
    private readonly clientId: string,
    private readonly clientSecret: string,
    private readonly scope = 'https://graph.microsoft.com/.default',
  ) {}

  invalidate(): void {
    this.token = null;
  }

  async getAccessToken(): Promise<string> {
    if (this.token && Date.now() < this.token.expiresAt) return this.token.value;
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  private async fetchToken(): Promise<string> {
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: this.clientId, client_secret: this.clientSecret, scope: this.scope });
    let lastError: unknown;
    for (let attempt = 0; attempt < 4; attempt++) {
      let res: Response;
      try {
        res = await fetch(this.tokenUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
      } catch (err) {
        lastError = err;
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
        continue;
      }
      const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
      if (res.ok && typeof json['access_token'] === 'string') {
        const lifetime = typeof json['expires_in'] === 'number' ? json['expires_in'] : 3599;
        this.token = { value: json['access_token'], expiresAt: Date.now() + Math.max(60, lifetime - 300) * 1000 };
        return json['access_token'];
      }
      if (res.status >= 500) {
        lastError = new Error(`token endpoint answered ${res.status}`);
        continue;
      }
      const described = typeof json['error_description'] === 'string' ? json['error_description'].split('\n')[0] : `HTTP ${res.status}`;
      throw new TerminalProviderError('entra.auth', `Entra token request refused: ${String(json['error'] ?? res.status)}: ${described}`);
    }
    throw new TerminalProviderError('entra.auth', `Entra token endpoint unreachable: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
  }
}
