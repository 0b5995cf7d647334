import type { Client } from 'ldapts';
import { TerminalProviderError } from '../../engine/model/errors.js';
import type { Change } from '../../engine/model/plan.js';
import type { ChangeOutcome } from '../../engine/model/provider.js';
import { joinDn, normalizeDn } from './dn.js';
import type { Directory } from './directory.js';
import { first, values } from './entry-values.js';
import { eq } from './filter.js';
import { addValues, deleteValues, opt, text } from './mods.js';
import { MANAGED_MARKER, placeholderMember } from './profile.js';

/** AD global security group (ADS_GROUP_TYPE_GLOBAL_GROUP | ADS_GROUP_TYPE_SECURITY_ENABLED). */
const AD_GLOBAL_SECURITY_GROUP = '-2147483646';

export async function applyContainer(dir: Directory, client: Client, change: Change): Promise<ChangeOutcome> {
  if (change.action !== 'create') throw new TerminalProviderError('ldap.unsupported', `container ${change.action} is not supported`);
  const path = text(change.after, 'path') || change.key;
  const made = await dir.ensureContainers(client, path);
  return { status: made > 0 ? 'applied' : 'already', objectId: dir.containerDn(path) };
}

export async function applyGroup(dir: Directory, client: Client, change: Change): Promise<ChangeOutcome> {
  if (change.action !== 'create') throw new TerminalProviderError('ldap.unsupported', `group ${change.action} is not supported`);
  const name = text(change.after, 'name') || change.key;
  const existing = await dir.groupByName(client, name);
  if (existing) return { status: 'already', objectId: dir.profile.idOf(existing) };
  await dir.ensureBase(client, dir.settings.groupsBase);
  const dn = joinDn(dir.profile.groupRdn(name), dir.groupsRoot);
  const description = opt(text(change.after, 'description'));
  const attrs: Record<string, string[]> = dir.profile.kind === 'active-directory'
    ? { objectClass: ['top', 'group'], cn: [name], sAMAccountName: [name], groupType: [AD_GLOBAL_SECURITY_GROUP], adminDescription: [MANAGED_MARKER] }
    : { objectClass: ['top', 'groupOfNames'], cn: [name], member: [placeholderMember(dir.groupsRoot)], businessCategory: [MANAGED_MARKER] };
  if (description.length > 0) attrs.description = description;
  await client.add(dn, attrs);
  const created = await dir.groupByName(client, name);
  return { status: 'applied', ...(created ? { objectId: dir.profile.idOf(created) } : {}) };
}

export async function applyMembership(dir: Directory, client: Client, change: Change): Promise<ChangeOutcome> {
  if (change.action !== 'add' && change.action !== 'remove') throw new TerminalProviderError('ldap.unsupported', `membership ${change.action} is not supported`);
  const attrs = change.action === 'add' ? change.after : change.before;
  const [keyGroup, keyMember] = change.key.split('|');
  const groupName = text(attrs, 'group') || keyGroup || '';
  const username = text(attrs, 'member') || keyMember || '';
  const group = await dir.groupByName(client, groupName);
  if (!group) {
    if (change.action === 'remove') return { status: 'already' };
    throw new TerminalProviderError('ldap.group-not-found', 'the group does not exist');
  }
  const account = await dir.accountByUsername(client, username);
  if (!account) {
    if (change.action === 'remove') return { status: 'already' };
    throw new TerminalProviderError('ldap.member-not-found', 'the member account does not exist');
  }
  if (change.anchor !== undefined && (first(account, dir.settings.anchorAttribute) ?? null) !== change.anchor) {
    throw new TerminalProviderError('ldap.anchor-mismatch', 'the member account does not carry the anchor this change is for');
  }
  const groupId = dir.profile.idOf(group);
  // Ask the server rather than reading `member`: AD returns big groups in ranges.
  const isMember = (await client.search(group.dn, { scope: 'base', filter: eq('member', account.dn), attributes: ['1.1'] })).searchEntries.length > 0;
  const placeholder = placeholderMember(dir.groupsRoot);
  const hasPlaceholder = values(group, 'member').some((m) => normalizeDn(m) === normalizeDn(placeholder));
  if (change.action === 'add') {
    if (isMember) return { status: 'already', objectId: groupId };
    const mods = [addValues('member', [account.dn])];
    if (dir.profile.kind === 'openldap' && hasPlaceholder) mods.push(deleteValues('member', [placeholder]));
    await client.modify(group.dn, mods);
    return { status: 'applied', objectId: groupId };
  }
  if (!isMember) return { status: 'already', objectId: groupId };
  const mods = [];
  if (dir.profile.kind === 'openldap') {
    const others = values(group, 'member').filter((m) => normalizeDn(m) !== normalizeDn(account.dn));
    if (others.length === 0) mods.push(addValues('member', [placeholder]));
  }
  mods.push(deleteValues('member', [account.dn]));
  await client.modify(group.dn, mods);
  return { status: 'applied', objectId: groupId };
}
