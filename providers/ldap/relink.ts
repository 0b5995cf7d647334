import type { Client } from 'ldapts';
import type { Directory } from './directory.js';
import { values } from './entry-values.js';
import { eq } from './filter.js';
import { addValues, deleteValues } from './mods.js';
import { placeholderMember } from './profile.js';
import { normalizeDn } from './dn.js';

/**
 * OpenLDAP without the refint overlay leaves `member` values pointing at a DN after the entry
 * moves, is renamed or is deleted. After such a change, rewrite (or drop) those values in every
 * group under the groups root, keeping groupOfNames' at-least-one-member rule.
 * AD maintains these links itself, so this runs for the openldap profile only.
 */
export async function relinkMembers(dir: Directory, client: Client, oldDn: string, newDn: string | null): Promise<void> {
  const groups = await dir.search(client, dir.groupsRoot, `(&${dir.profile.groupFilter}${eq('member', oldDn)})`, ['member']);
  const placeholder = placeholderMember(dir.groupsRoot);
  for (const g of groups) {
    const mods = [];
    if (newDn !== null) mods.push(addValues('member', [newDn]));
    const others = values(g, 'member').filter((m) => normalizeDn(m) !== normalizeDn(oldDn));
    if (newDn === null && others.length === 0) mods.push(addValues('member', [placeholder]));
    mods.push(deleteValues('member', [oldDn]));
    await client.modify(g.dn, mods);
  }
}
