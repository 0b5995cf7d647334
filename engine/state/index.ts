import { hostname as osHostname } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { errorDiag } from '../model/diagnostics.js';
import { InputError } from '../model/errors.js';
import type { StateConfig } from '../model/policy.js';
import type { StateBackend } from '../model/state-backend.js';
import { holderFromEnv } from './holder.js';
import { localStateBackend } from './local.js';
import { postgresStateBackend } from './postgres.js';

export { localStateBackend } from './local.js';
export { postgresStateBackend } from './postgres.js';
export { migrateState } from './migrate.js';

/** Where local state lives when the policy does not say. */
export const DEFAULT_LOCAL_STATE_PATH = '.rollcall/state.json';

export interface OpenStateOptions {
  /** Told when a stale lock is broken automatically. */
  onNotice?: (message: string) => void;
}

function stringSetting(settings: Record<string, unknown>, key: string, fallback: string): string {
  const v = settings[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'string' || v === '') {
    throw new InputError([errorDiag('state.settings', `state setting ${key} must be a non-empty string`, { path: `/state/${key}` })]);
  }
  return v;
}

/**
 * The backend the policy's `state:` block names. Local paths are relative to the policy
 * repo; the postgres connection string is read from an environment variable, never from
 * the policy (which lives in git).
 */
export function openStateBackend(config: StateConfig, policyDir: string, env: NodeJS.ProcessEnv, opts: OpenStateOptions = {}): StateBackend {
  const host = osHostname();
  const holder = holderFromEnv(env, host, process.pid);
  const settings = config.settings ?? {};
  if (config.backend === 'local') {
    const p = stringSetting(settings, 'path', DEFAULT_LOCAL_STATE_PATH);
    return localStateBackend(isAbsolute(p) ? p : resolve(policyDir, p), { holder, hostname: host, onNotice: opts.onNotice });
  }
  if (config.backend === 'postgres') {
    if (settings.connectionString !== undefined) {
      throw new InputError([
        errorDiag('state.postgres-url', 'do not put the postgres connection string in the policy; name an environment variable with connectionStringEnv', {
          path: '/state/connectionString',
        }),
      ]);
    }
    // rollcall.yaml writes `connectionEnv` (or a password-less `connection`); the CLI spec
    // (`state migrate --to postgres:connectionStringEnv=...`) uses the longer name.
    const connection = typeof settings.connection === 'string' ? settings.connection : undefined;
    return postgresStateBackend({
      ...(connection ? { connectionString: connection } : {}),
      connectionStringEnv: stringSetting(settings, 'connectionEnv', stringSetting(settings, 'connectionStringEnv', 'ROLLCALL_PG_URL')),
      schema: stringSetting(settings, 'schema', 'rollcall'),
      workspace: stringSetting(settings, 'workspace', 'default'),
      env,
      holder,
      hostname: host,
      onNotice: opts.onNotice,
    });
  }
  throw new InputError([errorDiag('state.backend', `unknown state backend ${JSON.stringify(String(config.backend))} (use local or postgres)`, { path: '/state/backend' })]);
}

/**
 * A backend named on the command line (`rollcall state migrate --to SPEC`):
 * `local` or `local:PATH`; `postgres` or `postgres:key=value,...` with the keys
 * connectionStringEnv, schema and workspace. The connection string itself is never accepted
 * here (it would land in shell history and CI logs); name an environment variable instead.
 */
export function stateConfigFromSpec(spec: string): StateConfig {
  const colon = spec.indexOf(':');
  const kind = colon === -1 ? spec : spec.slice(0, colon);
  const rest = colon === -1 ? '' : spec.slice(colon + 1);
  const bad = (summary: string) => new InputError([errorDiag('state.spec', summary)]);
  if (kind === 'local') return { backend: 'local', settings: rest ? { path: rest } : {} };
  if (kind !== 'postgres') throw bad(`state backend ${JSON.stringify(kind)} is not local or postgres (e.g. local:.rollcall/state.json, postgres:schema=rollcall,workspace=district)`);
  const settings: Record<string, unknown> = {};
  for (const part of rest ? rest.split(',') : []) {
    const eq = part.indexOf('=');
    if (part.includes('//') && eq === -1) throw bad('that looks like a connection string: put it in an environment variable and name it with postgres:connectionStringEnv=VAR');
    const key = eq === -1 ? part : part.slice(0, eq);
    if (eq === -1 || !['connectionStringEnv', 'schema', 'workspace'].includes(key)) {
      throw bad(`postgres state option ${JSON.stringify(key)} is not one of connectionStringEnv, schema, workspace`);
    }
    settings[key] = part.slice(eq + 1);
  }
  return { backend: 'postgres', settings };
}
