import { sortDiagnostics } from '../../../engine/model/diagnostics.js';
import { InputError } from '../../../engine/model/errors.js';
import type { SisReadOptions, SisReadResult, SisSource } from '../../../engine/model/provider.js';
import type { Authorizer } from './auth.js';
import { RestClient } from './client.js';
import { RetryingHttp, type HttpOptions } from './http.js';
import { COLLECTIONS, RestIngest } from './ingest.js';
import { oauth1Authorizer } from './oauth1.js';
import { oauth2Authorizer } from './oauth2.js';
import { pages } from './pager.js';
import { readSettings, type RestSettings } from './settings.js';

/**
 * OneRoster REST (1.1 with OAuth 1.0a, 1.2 with OAuth 2 client credentials) as a rollcall SIS
 * source. `location` is the service's base URL (the policy's `sis.path`); the other `sis:`
 * keys are settings (settings.ts). Collections are read in reference order, page by page,
 * into the same Roster the CSV reader builds; data errors are thrown together as one
 * InputError, whose diagnostics name `endpoint[index]` instead of file:line.
 */
export const oneRosterRestSource: SisSource = {
  read(options: SisReadOptions): Promise<SisReadResult> {
    return readOneRosterRest(options);
  },
};

export interface RestReadTestHooks {
  /** Replace real sleeps (backoff, Retry-After) and jitter, for tests. */
  http?: Pick<HttpOptions, 'sleep' | 'random' | 'onRetry'>;
}

export async function readOneRosterRest(options: SisReadOptions, hooks: RestReadTestHooks = {}): Promise<SisReadResult> {
  const { settings: s, warnings: settingWarnings } = readSettings(options.location, options.settings, options.env);
  const http = new RetryingHttp({
    timeoutMs: s.timeoutMs,
    maxRetries: s.maxRetries,
    retryBaseMs: s.retryBaseMs,
    maxRetryAfterMs: s.maxRetryAfterMs,
    ...hooks.http,
  });
  const client = new RestClient(http, authorizer(s, http), s);
  const ingest = new RestIngest(s.version);
  const progress = throttled(options.progress);
  let total = 0;
  for (const collection of COLLECTIONS) {
    if (collection === 'enrollments' && s.skipEnrollments) {
      ingest.end(collection, false);
      continue;
    }
    const path = new URL(`${s.serviceRoot}/${collection}`).pathname;
    let n = 0;
    for await (const page of pages(client, s.serviceRoot, collection, s.pageSize, (m) => ingest.sink.warn('oneroster-rest.short-count', m, { file: path }))) {
      ingest.page(collection, path, page.records, page.offset);
      n += page.records.length;
      total += page.records.length;
      progress(`reading ${collection}: ${n.toLocaleString('en-US')}${page.total !== undefined ? ` of ${page.total.toLocaleString('en-US')}` : ''} records (${total.toLocaleString('en-US')} in total)`);
    }
    ingest.end(collection);
  }
  const roster = ingest.finish();
  const sink = ingest.sink;
  sink.add(settingWarnings);
  if (sink.hasErrors) throw new InputError([...sink.diagnostics.filter((d) => d.severity === 'error'), ...sink.warnings()]);
  return { roster, warnings: sortDiagnostics(sink.warnings()), digest: ingest.digest.digest() };
}

function authorizer(s: RestSettings, http: RetryingHttp): Authorizer {
  if (s.version === '1.1') return oauth1Authorizer(s.clientId, s.clientSecret);
  return oauth2Authorizer(http, {
    tokenUrl: s.tokenUrl!,
    clientId: s.clientId,
    clientSecret: s.clientSecret,
    scope: s.scope,
    clientIdEnv: s.clientIdEnv,
    clientSecretEnv: s.clientSecretEnv,
  });
}

/** Progress at most once a second: counts only, never names. */
function throttled(progress: ((m: string) => void) | undefined): (m: string) => void {
  let last = 0;
  return (m) => {
    const now = Date.now();
    if (!progress || now - last < 1000) return;
    last = now;
    progress(m);
  };
}

export { readSettings, type RestSettings } from './settings.js';
