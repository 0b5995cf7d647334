import type { TargetConfig } from '../../engine/model/policy.js';
import type { Change } from '../../engine/model/plan.js';
import { type GoogleEmulator, type GoogleEmulatorOptions, startGoogleEmulator } from '../emulators/google/index.js';
import { type GoogleProvider, googleProviderModule } from '../../providers/google/index.js';

/** Shared set-up for the google suites: an emulator and a provider pointed at it by settings. */

export const DOMAIN = 'example.edu';
export const ADMIN = 'admin@example.edu';
export const KEY_ENV = 'ROLLCALL_TEST_GOOGLE_KEY';

export function targetConfig(emu: GoogleEmulator, extra: Record<string, unknown> = {}): TargetConfig {
  return {
    name: 'gws',
    provider: 'google',
    settings: {
      domain: DOMAIN,
      rootUrl: emu.url,
      tokenUrl: emu.tokenUrl,
      credentialsEnv: KEY_ENV,
      subject: ADMIN,
      orgUnitRoot: '/Rollcall',
      ...extra,
    },
    origin: { id: 'targets.gws' },
  };
}

export async function startBoth(
  emuOpts: GoogleEmulatorOptions = {},
  settings: Record<string, unknown> = {},
): Promise<{ emu: GoogleEmulator; provider: GoogleProvider; logs: string[] }> {
  const emu = await startGoogleEmulator({ domains: [DOMAIN], ...emuOpts });
  const logs: string[] = [];
  const provider = (await googleProviderModule.create(targetConfig(emu, settings), {
    policyDir: '/nonexistent',
    env: { [KEY_ENV]: JSON.stringify(emu.serviceAccount) },
    log: (m) => logs.push(m),
  })) as GoogleProvider;
  return { emu, provider, logs };
}

let n = 0;
export function createChange(username: string, anchor: string, path = 'Students/MHS/2030', extra: Partial<Change> = {}): Change {
  return {
    id: `gws:account:${username}:create`,
    target: 'gws',
    kind: 'account',
    action: 'create',
    anchor,
    key: username,
    after: { username, givenName: 'Given' + (n++ % 7), familyName: 'Family', displayName: 'Given Family', email: `${username}@${DOMAIN}`, path, enabled: true },
    reason: { cause: 'sis', detail: 'new enrolment' },
    ...extra,
  };
}

export function change(kind: Change['kind'], action: Change['action'], key: string, fields: Partial<Change>): Change {
  return { id: `gws:${kind}:${key}:${action}`, target: 'gws', kind, action, key, reason: { cause: 'policy', detail: 'test' }, ...fields };
}

/** Run `fn` over items with at most `limit` in flight, as the engine's apply would. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T);
      }
    }),
  );
  return out;
}
