import { RefusedError } from '../model/errors.js';

/**
 * PostgreSQL failures as operator-facing refusals, scrubbed of credentials. pg's own
 * messages do not normally echo the password, but a connection string can surface through
 * URL parse errors or DNS messages, so every secret we know of is masked before anything
 * leaves this module, and the original error is deliberately not attached as `cause`.
 */

/** The secrets hidden in a connection string: the whole string and its password. */
export function secretsOf(connectionString: string): string[] {
  const secrets = [connectionString];
  try {
    const u = new URL(connectionString);
    if (u.password) secrets.push(u.password, decodeURIComponent(u.password));
  } catch {
    // key=value form
  }
  const kv = /password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)/i.exec(connectionString);
  if (kv?.[1]) secrets.push(kv[1], kv[1].replace(/^'|'$/g, ''));
  return [...new Set(secrets.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
}

export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('***');
  // Belt and braces: any URL with userinfo loses its password.
  return out.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*):[^@\s]*@/gi, '$1:***@');
}

export function pgFailure(where: string, err: unknown, secrets: readonly string[]): RefusedError {
  if (err instanceof RefusedError) return err;
  const e = err as { message?: unknown; code?: unknown };
  const msg = typeof e.message === 'string' ? e.message : String(err);
  const code = typeof e.code === 'string' ? ` [${e.code}]` : '';
  return new RefusedError('state.unavailable', scrub(`postgres state ${where}: ${msg}${code}`, secrets));
}

/** A human description without credentials: `postgres://host:port/db`. */
export function describeConnection(connectionString: string): string {
  try {
    const u = new URL(connectionString);
    return `postgres://${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    const host = /host\s*=\s*(\S+)/i.exec(connectionString)?.[1] ?? 'localhost';
    const db = /dbname\s*=\s*(\S+)/i.exec(connectionString)?.[1] ?? '';
    return `postgres://${host}/${db}`;
  }
}
