import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { admin_directory_v1 } from '@googleapis/admin';
import { TerminalProviderError } from '../../engine/model/errors.js';
import type { GoogleSettings } from './settings.js';

/**
 * Builds the real `@googleapis/admin` Directory client, authorised as a service account with
 * domain-wide delegation (JWT signed with the key, exchanged at the token endpoint, `sub` =
 * the admin to impersonate). The SDK is imported here, lazily, so the CLI's start-up never
 * loads it. gaxios' own retry is turned off: the Transport owns retries.
 */
export type Directory = admin_directory_v1.Admin;

export const SCOPES = [
  'https://www.googleapis.com/auth/admin.directory.user',
  'https://www.googleapis.com/auth/admin.directory.user.alias',
  'https://www.googleapis.com/auth/admin.directory.orgunit',
  'https://www.googleapis.com/auth/admin.directory.group',
  'https://www.googleapis.com/auth/admin.directory.group.member',
];

/** gtoken hard-codes this URL (and uses it as the JWT audience); tests point it elsewhere. */
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

interface ServiceAccountJson {
  client_email: string;
  private_key: string;
}

function readKey(settings: GoogleSettings, env: NodeJS.ProcessEnv): ServiceAccountJson {
  const raw = env[settings.credentialsEnv];
  if (!raw) throw new TerminalProviderError('google.credentials.missing', `environment variable ${settings.credentialsEnv} (the service-account JSON key) is not set`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // Never echo the value: it is a private key.
    throw new TerminalProviderError('google.credentials.invalid', `environment variable ${settings.credentialsEnv} does not hold a JSON service-account key`);
  }
  const k = parsed as Partial<ServiceAccountJson>;
  if (typeof k.client_email !== 'string' || typeof k.private_key !== 'string') {
    throw new TerminalProviderError('google.credentials.invalid', `the key in ${settings.credentialsEnv} lacks client_email or private_key`);
  }
  return { client_email: k.client_email, private_key: k.private_key };
}

export interface DirectoryClient {
  dir: Directory;
  close(): void;
}

export async function createDirectoryClient(settings: GoogleSettings, env: NodeJS.ProcessEnv): Promise<DirectoryClient> {
  const key = readKey(settings, env);
  const sdk = await import('@googleapis/admin');
  const jwt = new sdk.auth.JWT({ email: key.client_email, key: key.private_key, scopes: SCOPES, subject: settings.subject });
  const tokenUrl = settings.tokenUrl;
  if (tokenUrl) {
    jwt.transporter.interceptors.request.add({
      resolved: async (cfg) => {
        if (String(cfg.url) === GOOGLE_TOKEN_URL) cfg.url = new URL(tokenUrl);
        return cfg;
      },
    });
  }
  // Keep-alive sockets, as many as calls in flight, so the quota is reachable without
  // a TCP (and TLS) handshake per call.
  const agentOpts = { keepAlive: true, maxSockets: settings.concurrency, maxFreeSockets: settings.concurrency };
  const http = new HttpAgent(agentOpts);
  const https = new HttpsAgent(agentOpts);
  const dir = sdk.admin({
    version: 'directory_v1',
    auth: jwt,
    retry: false,
    agent: (url: URL) => (url.protocol === 'http:' ? http : https),
    ...(settings.rootUrl ? { rootUrl: settings.rootUrl } : {}),
  });
  return {
    dir,
    close: () => {
      http.destroy();
      https.destroy();
    },
  };
}
