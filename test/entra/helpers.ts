import type { Change } from '../../engine/model/plan.js';
import type { TargetConfig } from '../../engine/model/policy.js';
import { createEntraProvider, type EntraProvider } from '../../providers/entra/index.js';
import { startGraphEmulator, type GraphEmulator, type GraphEmulatorOptions } from '../emulators/graph/index.js';

/** Shared set-up: an emulator on a free port and an entra provider pointed at it by settings only. */

export const TENANT = '11111111-2222-4333-8444-555555555555';
export const DOMAIN = 'students.maplewood.k12.example';

export async function emulator(opts: GraphEmulatorOptions = {}): Promise<GraphEmulator> {
  return startGraphEmulator({ tenantId: TENANT, clientId: 'app-id', clientSecret: 's3cret-value', domains: [DOMAIN, 'staff.example'], timeScale: 0.01, ...opts });
}

export function targetConfig(emu: GraphEmulator, settings: Record<string, unknown> = {}): TargetConfig {
  return {
    name: 'entra',
    provider: 'entra',
    settings: {
      tenantId: TENANT,
      clientIdEnv: 'RC_ENTRA_CLIENT_ID',
      clientSecretEnv: 'RC_ENTRA_CLIENT_SECRET',
      authorityHost: emu.url,
      graphHost: emu.url,
      upnDomain: DOMAIN,
      timeScale: emu.throttle.timeScale,
      ...settings,
    },
    origin: { id: 'targets.entra', source: { file: 'rollcall.yaml', line: 30, column: 3 } },
  };
}

export const ENV = { RC_ENTRA_CLIENT_ID: 'app-id', RC_ENTRA_CLIENT_SECRET: 's3cret-value' };

export async function provider(emu: GraphEmulator, settings: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = ENV): Promise<EntraProvider> {
  return createEntraProvider(targetConfig(emu, settings), { policyDir: '/nonexistent', env, log: () => {} });
}

const reason = { cause: 'sis' as const, detail: 'test' };

export function createChange(i: number, extra: Partial<{ path: string; username: string; anchor: string }> = {}): Change {
  const username = extra.username ?? `s${String(i).padStart(6, '0')}`;
  const anchor = extra.anchor ?? `sid${i}`;
  return {
    // Account changes are keyed by anchor (engine/model/plan.ts), so ids carry no names.
    id: `entra:account:${anchor}:create`,
    target: 'entra',
    kind: 'account',
    action: 'create',
    anchor,
    key: anchor,
    after: {
      username,
      givenName: 'Given',
      familyName: `Family${i}`,
      displayName: `Given Family${i}`,
      email: `${username}@${DOMAIN}`,
      path: extra.path ?? 'Students/MHS/2030',
      enabled: true,
    },
    reason,
  };
}

export function change(partial: Omit<Change, 'id' | 'target' | 'reason'> & { id?: string }): Change {
  return { id: partial.id ?? `entra:${partial.kind}:${partial.key}:${partial.action}`, target: 'entra', reason, ...partial };
}
