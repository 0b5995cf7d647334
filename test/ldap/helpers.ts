import { randomBytes } from 'node:crypto';
import type { Action, AttrMap, Change, ChangeKind } from '../../engine/model/plan.js';
import type { TargetConfig } from '../../engine/model/policy.js';
import type { ProviderContext } from '../../engine/model/provider.js';

/** Plan changes as the engine would hand them to a provider, for the ldap integration tests. */
export function change(target: string, kind: ChangeKind, action: Action, key: string, extra: { anchor?: string; object_id?: string; before?: AttrMap; after?: AttrMap } = {}): Change {
  return { id: `${target}:${kind}:${key}:${action}`, target, kind, action, key, reason: { cause: 'policy', detail: 'test' }, ...extra };
}

export function accountAttrs(username: string, path: string, over: Partial<Record<string, string | boolean>> = {}): AttrMap {
  return { username, givenName: 'Ana', familyName: 'Li', displayName: 'Ana Li', email: `${username}@example.test`, path, enabled: true, ...over };
}

export function targetConfig(name: string, settings: Record<string, unknown>): TargetConfig {
  return { name, provider: 'ldap', settings, origin: { id: `targets.${name}`, source: { file: 'rollcall.yaml', line: 1, column: 1 } } };
}

export function context(env: Record<string, string>, logs: string[] = []): ProviderContext {
  return { policyDir: '/', env, log: (m) => logs.push(m) };
}

/** A unique OU name so test files sharing one server never see each other's entries. */
export function uniqueOu(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
