import type { Diagnostic } from '../../engine/model/diagnostics.js';
import type { TargetConfig } from '../../engine/model/policy.js';
import type { ProviderContext, TargetProvider, TargetProviderModule } from '../../engine/model/provider.js';
import { parseSettings } from './settings.js';

export { LDAP_AD_CONSTRAINTS, LDAP_OPENLDAP_CONSTRAINTS } from './constraints.js';

/**
 * The `ldap` target provider: Active Directory and OpenLDAP over ldapts. Settings are
 * documented in settings.ts, the AD/OpenLDAP differences (ids, disabling, groups) in
 * profile.ts, and the logical path <-> DN mapping in paths.ts. ldapts is loaded only when a
 * provider is created, so validating a policy never loads the LDAP client.
 */
export const ldapProviderModule: TargetProviderModule = {
  validateSettings(config: TargetConfig): Diagnostic[] {
    return parseSettings(config).diagnostics;
  },
  async create(config: TargetConfig, ctx: ProviderContext): Promise<TargetProvider> {
    const { LdapProvider } = await import('./provider.js');
    return LdapProvider.create(config, ctx);
  },
};
