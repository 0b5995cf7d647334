import type { TargetSnapshot } from '../../engine/model/accounts.js';
import type { Diagnostic } from '../../engine/model/diagnostics.js';
import { InputError } from '../../engine/model/errors.js';
import type { TargetConfig } from '../../engine/model/policy.js';
import type { ProviderContext, TargetProviderModule } from '../../engine/model/provider.js';
import { errorDiag } from '../../engine/model/diagnostics.js';
import { ClientCredentialsAuth } from './auth.js';
import { BatchRunner } from './batch.js';
import { Lookup } from './lookup.js';
import { Pacing } from './pacing.js';
import { EntraProvider } from './provider.js';
import { Requester } from './requests.js';
import { parseEntraSettings } from './settings.js';
import { createTransport } from './transport.js';

/**
 * Microsoft Entra (Microsoft Graph v1.0) target provider. The Graph SDK is loaded inside
 * create(), so merely registering this module costs nothing.
 */

export { EntraProvider } from './provider.js';
export type { OutcomeListener } from './provider.js';
export { entraConstraints, isValidUpn, upnLocalProblem } from './upn.js';
export type { EntraSettings } from './settings.js';

export async function createEntraProvider(config: TargetConfig, ctx: ProviderContext): Promise<EntraProvider> {
  const { settings, diagnostics } = parseEntraSettings(config);
  if (!settings) throw new InputError(diagnostics);
  const clientId = ctx.env[settings.clientIdEnv];
  const clientSecret = ctx.env[settings.clientSecretEnv];
  const missing: Diagnostic[] = [];
  for (const [name, value] of [[settings.clientIdEnv, clientId], [settings.clientSecretEnv, clientSecret]] as const) {
    if (!value) missing.push(errorDiag('entra.credentials', `target '${config.name}': environment variable ${name} is not set`, config.origin.source ? { source: config.origin.source } : {}));
  }
  if (missing.length > 0) throw new InputError(missing);
  const auth = new ClientCredentialsAuth(`${settings.authorityHost}/${encodeURIComponent(settings.tenantId)}/oauth2/v2.0/token`, clientId!, clientSecret!);
  const transport = await createTransport(auth, settings.graphHost);
  const pacing = new Pacing(settings.timeScale, settings.writeQuota, settings.writeWindowSeconds);
  const requester = new Requester(transport, auth, pacing, settings.maxAttempts);
  const runner = new BatchRunner(requester, auth, pacing, { maxBatch: settings.maxBatch, concurrency: settings.concurrency, maxAttempts: settings.maxAttempts });
  const lookup = new Lookup(requester, settings);
  return new EntraProvider(config.name, settings, requester, lookup, runner, ctx.log);
}

/**
 * Incremental refresh for callers holding a previous snapshot: replays `/users/delta` and
 * `/groups/delta` from `previous.cursor`; a full read when the cursor is missing or refused (410).
 */
export function readIncremental(provider: EntraProvider, previous: TargetSnapshot): Promise<TargetSnapshot & { incremental: boolean }> {
  return provider.readIncremental(previous);
}

export const entraProviderModule: TargetProviderModule = {
  validateSettings: (config) => parseEntraSettings(config).diagnostics,
  create: createEntraProvider,
};
