import type { ConnectionOptions } from 'node:tls';
import { Client, InvalidCredentialsError, ResultCodeError } from 'ldapts';
import { TerminalProviderError } from '../../engine/model/errors.js';
import type { LdapSettings } from './settings.js';

/**
 * A small pool of bound ldapts clients: at most `concurrency` connections, each made encrypted
 * (ldaps, or StartTLS before the bind) and bound with credentials from the environment.
 * A client that saw a connection-level error is dropped, so the next use reconnects.
 */
export class ConnectionPool {
  private readonly idle: Client[] = [];
  private open = 0;
  private readonly waiters: ((c: Client | null) => void)[] = [];
  private closed = false;

  constructor(
    private readonly settings: LdapSettings,
    private readonly tls: ConnectionOptions,
    private readonly credentials: { dn: string; password: string },
  ) {}

  async withClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
    const client = await this.acquire();
    let broken = false;
    try {
      return await fn(client);
    } catch (err) {
      broken = isConnectionError(err);
      throw err;
    } finally {
      this.release(client, broken);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = this.idle.splice(0);
    await Promise.all(all.map((c) => c.unbind().catch(() => undefined)));
    this.open -= all.length;
  }

  private async acquire(): Promise<Client> {
    if (this.closed) throw new Error('LDAP connection pool is closed');
    let c = this.idle.pop();
    // A server may drop idle connections. ldapts would silently reconnect *unbound* (and, after
    // StartTLS, unencrypted), so a disconnected client is discarded and a fresh one made.
    while (c && !c.isConnected) {
      this.open--;
      void c.unbind().catch(() => undefined);
      c = this.idle.pop();
    }
    if (c) return c;
    if (this.open < this.settings.concurrency) {
      this.open++;
      try {
        return await this.connect();
      } catch (err) {
        this.open--;
        this.wakeOne();
        throw err;
      }
    }
    const waited = await new Promise<Client | null>((resolve) => this.waiters.push(resolve));
    return waited ?? this.acquire();
  }

  private release(client: Client, broken: boolean): void {
    if (broken || this.closed) {
      this.open--;
      void client.unbind().catch(() => undefined);
      this.wakeOne();
      return;
    }
    const w = this.waiters.shift();
    if (w) w(client);
    else this.idle.push(client);
  }

  /** A slot freed without a client: let a waiter open its own connection. */
  private wakeOne(): void {
    this.waiters.shift()?.(null);
  }

  private async connect(): Promise<Client> {
    const { settings } = this;
    const client = new Client({
      url: settings.url,
      timeout: settings.timeoutMs,
      connectTimeout: Math.min(settings.timeoutMs, 10_000),
      ...(settings.startTLS ? {} : { tlsOptions: this.tls }),
    });
    try {
      if (settings.startTLS) await client.startTLS(this.tls);
      await client.bind(this.credentials.dn, this.credentials.password);
      return client;
    } catch (err) {
      // ldapts keeps the socket open after a failed bind; unbind so the process can exit.
      await client.unbind().catch(() => undefined);
      if (err instanceof InvalidCredentialsError) {
        throw new TerminalProviderError('ldap.bind', `bind to ${settings.url} was refused (invalid credentials from ${settings.bindDNEnv}/${settings.bindPasswordEnv})`);
      }
      throw err;
    }
  }
}

const TRANSIENT_CODES = new Set([
  51, // busy
  52, // unavailable
  3, // timeLimitExceeded
  80, // other (AD uses it for e.g. "server is shutting down")
]);

const NET_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** Errors that mean the connection itself is unusable. */
export function isConnectionError(err: unknown): boolean {
  if (err instanceof ResultCodeError) return false;
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== undefined && NET_CODES.has(code)) return true;
  return /connection|socket|timeout|timed out|closed/i.test(err.message);
}

/** Whether retrying might succeed: server busy/unavailable, or the network. */
export function isTransient(err: unknown): boolean {
  if (err instanceof TerminalProviderError) return false;
  if (err instanceof ResultCodeError) return TRANSIENT_CODES.has(err.code);
  return isConnectionError(err);
}

/** Run `fn`, retrying transient failures with exponential backoff and full jitter. */
export async function withRetry<T>(fn: () => Promise<T>, options: { attempts?: number; baseMs?: number; maxMs?: number } = {}): Promise<T> {
  const attempts = options.attempts ?? 5;
  const base = options.baseMs ?? 200;
  const max = options.maxMs ?? 5_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts || !isTransient(err)) throw err;
      const delay = Math.random() * Math.min(max, base * 2 ** (attempt - 1));
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** A short, secret-free description of an LDAP error for results and logs. */
export function describeError(err: unknown): string {
  if (err instanceof ResultCodeError) {
    // AD puts a hex reason first (e.g. 0000052D: password constraint); keep it, drop DNs.
    // Server texts that hold a DN (and so maybe a name) are left out.
    const reason = /^[0-9A-F]{8}/i.exec(err.message)?.[0] ?? (err.message.includes('=') ? undefined : err.message.slice(0, 120));
    return `LDAP ${err.code} ${err.name}${reason ? ` (${reason})` : ''}`;
  }
  if (err instanceof Error) return `${err.name}: ${err.message.slice(0, 200)}`;
  return String(err);
}
