import type { TargetConfig } from '../engine/model/policy.js';
import type { TargetConstraints, TargetProviderModule } from '../engine/model/provider.js';
import { AD_CONSTRAINTS, ENTRA_CONSTRAINTS, GOOGLE_CONSTRAINTS, SANDBOX_CONSTRAINTS } from '../engine/resolve/naming/constraints.js';

/**
 * Every target provider, by the `provider:` name used in rollcall.yaml. Modules load
 * lazily so `rollcall --help` never pays for googleapis or the Graph client. To add a
 * provider: copy providers/sandbox/, then add one entry here.
 */
export interface ProviderEntry {
  /** Username limits the pure core must respect for this target (no SDK needed). */
  constraints(config: TargetConfig): TargetConstraints;
  load(): Promise<TargetProviderModule>;
}

export const PROVIDERS: Readonly<Record<string, ProviderEntry>> = {
  sandbox: {
    constraints: () => SANDBOX_CONSTRAINTS,
    load: async () => (await import('./sandbox/index.js')).sandboxProviderModule,
  },
  ldap: {
    constraints: (c) => (c.settings.profile === 'openldap' ? SANDBOX_CONSTRAINTS : AD_CONSTRAINTS),
    load: async () => (await import('./ldap/index.js')).ldapProviderModule,
  },
  google: {
    constraints: () => GOOGLE_CONSTRAINTS,
    load: async () => (await import('./google/index.js')).googleProviderModule,
  },
  entra: {
    constraints: () => ENTRA_CONSTRAINTS,
    load: async () => (await import('./entra/index.js')).entraProviderModule,
  },
};
