import { Control, NotAllowedOnNonLeafError, type Client, type Entry } from 'ldapts';
import type { ApplySecrets, ChangeOutcome } from '../../engine/model/provider.js';
import type { Change } from '../../engine/model/plan.js';
import { TerminalProviderError } from '../../engine/model/errors.js';
import { uacWithEnabled, UAC_NORMAL_ACCOUNT } from './ad-values.js';
import { samAccountNameProblem } from './constraints.js';
import { joinDn, normalizeDn, parentDn } from './dn.js';
import type { Directory } from './directory.js';
import { first, values } from './entry-values.js';
import { deleteValues, has, list, opt, replace, text } from './mods.js';
import { DISABLED_PREFIX } from './profile.js';
import { relinkMembers } from './relink.js';
import { createAccount } from './create-account.js';

/**
 * Account changes, one at a time. Each first finds the entry and checks its anchor, so a
 * re-run after a crash converges: work already done reports `already`.
 */
export async function applyAccount(dir: Directory, client: Client, change: Change, secrets: ApplySecrets, posixAlloc: () => Promise<number>): Promise<ChangeOutcome> {
  if (change.action === 'create') return createAccount(dir, client, change, secrets, posixAlloc);
  if (!change.object_id) throw new TerminalProviderError('ldap.no-object-id', `account ${change.action} needs object_id`);
  const entry = await dir.accountById(client, change.object_id);
  if (!entry) {
    if (change.action === 'delete') return { status: 'already' };
    throw new TerminalProviderError('ldap.not-found', `account ${change.object_id} does not exist`);
  }
  const id = dir.profile.idOf(entry);
  const current = first(entry, dir.settings.anchorAttribute) ?? null;
  if (change.action === 'adopt') {
    const want = text(change.after, 'anchor') || change.anchor || '';
    if (want === '') throw new TerminalProviderError('ldap.bad-change', 'adopt without an anchor');
    if (current === want) return { status: 'already', objectId: id };
    // An account matched by an old anchor (e.g. a student number the old scripts stored) is
    // re-anchored: the plan records that value in `before`, so only it may be replaced.
    if (current !== null && current !== (text(change.before, 'anchor') || null)) {
      throw new TerminalProviderError('ldap.anchor-mismatch', `account ${id} already carries a different anchor`);
    }
    await client.modify(entry.dn, [replace(dir.settings.anchorAttribute, [want])]);
    return { status: 'applied', objectId: id };
  }
  if (change.anchor !== undefined && current !== change.anchor) {
    throw new TerminalProviderError('ldap.anchor-mismatch', `account ${id} does not carry the anchor this change is for`);
  }
  switch (change.action) {
    case 'update':
      return updateAccount(dir, client, entry, id, change);
    case 'move':
      return moveAccount(dir, client, entry, id, text(change.after, 'path'));
    case 'rename':
      return renameAccount(dir, client, entry, id, change);
    case 'enable':
    case 'disable':
      return setEnabled(dir, client, entry, id, change.action === 'enable');
    case 'delete':
      await deleteEntry(dir, client, entry.dn);
      if (dir.profile.kind === 'openldap') await relinkMembers(dir, client, entry.dn, null);
      return { status: 'applied', objectId: id };
    default:
      throw new TerminalProviderError('ldap.unsupported', `account ${change.action} is not supported by the ldap provider`);
  }
}

/** AD's tree-delete control: removes an account together with child objects (e.g. device records). */
const AD_TREE_DELETE = '1.2.840.113556.1.4.805';

async function deleteEntry(dir: Directory, client: Client, dn: string): Promise<void> {
  try {
    await client.del(dn);
  } catch (err) {
    if (!(err instanceof NotAllowedOnNonLeafError) || dir.profile.kind !== 'active-directory') throw err;
    await client.del(dn, new Control(AD_TREE_DELETE, { critical: true }));
  }
}

const UPDATE_MAP: Record<string, string> = { givenName: 'givenName', familyName: 'sn', displayName: 'displayName', email: 'mail' };

async function updateAccount(dir: Directory, client: Client, entry: Entry, id: string, change: Change): Promise<ChangeOutcome> {
  const mods = [];
  for (const [key, attr] of Object.entries(UPDATE_MAP)) {
    if (!has(change.after, key)) continue;
    let want = text(change.after, key);
    if (attr === 'sn' && dir.profile.kind === 'openldap' && want === '') want = first(entry, 'uid') ?? '';
    if ((first(entry, attr) ?? '') === want && values(entry, attr).length <= 1) continue;
    mods.push(replace(attr, opt(want)));
    // OpenLDAP: cn mirrors displayName (the RDN is uid, so cn is free to change).
    if (dir.profile.kind === 'openldap' && key === 'displayName' && want !== '') mods.push(replace('cn', [want]));
  }
  if (mods.length === 0) return { status: 'already', objectId: id };
  await client.modify(entry.dn, mods);
  return { status: 'applied', objectId: id };
}

async function moveAccount(dir: Directory, client: Client, entry: Entry, id: string, path: string): Promise<ChangeOutcome> {
  const target = dir.containerDn(path);
  if (normalizeDn(parentDn(entry.dn)) === normalizeDn(target)) return { status: 'already', objectId: id };
  await dir.ensureContainers(client, path);
  const username = first(entry, dir.profile.usernameAttr) ?? '';
  const newDn = joinDn(dir.profile.accountRdn(username), target);
  await client.modifyDN(entry.dn, newDn);
  if (dir.profile.kind === 'openldap') await relinkMembers(dir, client, entry.dn, newDn);
  return { status: 'applied', objectId: id };
}

async function renameAccount(dir: Directory, client: Client, entry: Entry, id: string, change: Change): Promise<ChangeOutcome> {
  const username = text(change.after, 'username');
  const email = text(change.after, 'email');
  if (username === '') throw new TerminalProviderError('ldap.bad-change', 'rename without a new username');
  const p = dir.profile;
  if (p.kind === 'active-directory') {
    const problem = samAccountNameProblem(username);
    if (problem) throw new TerminalProviderError('ldap.username', `sAMAccountName ${problem}`);
  }
  const curUser = first(entry, p.usernameAttr) ?? '';
  const curMail = first(entry, 'mail') ?? '';
  const newDn = joinDn(p.accountRdn(username), parentDn(entry.dn));
  const dnDone = normalizeDn(newDn) === normalizeDn(entry.dn);
  const mods = [];
  if (p.kind === 'active-directory') {
    if (curUser !== username) {
      mods.push(replace('sAMAccountName', [username]));
      mods.push(replace('userPrincipalName', [`${username}@${dir.settings.upnSuffix}`]));
    }
    if (has(change.after, 'aliases') || curMail !== email) {
      const aliases = list(change.after, 'aliases').filter((x) => x !== email);
      const want = [...(email ? [`SMTP:${email}`] : []), ...aliases.map((x) => `smtp:${x}`)];
      const have = values(entry, 'proxyAddresses');
      if (want.join('\n') !== have.join('\n')) mods.push(replace('proxyAddresses', want));
    }
  }
  if (curMail !== email) mods.push(replace('mail', opt(email)));
  if (mods.length === 0 && dnDone) return { status: 'already', objectId: id };
  if (mods.length > 0) await client.modify(entry.dn, mods);
  if (!dnDone) {
    // Taken RDN means another object owns the new name: do not touch it.
    const clash = await dir.accountByUsername(client, username);
    if (clash && p.idOf(clash) !== id) throw new TerminalProviderError('ldap.username-taken', 'the new username is used by another directory object');
    await client.modifyDN(entry.dn, newDn);
    if (p.kind === 'openldap') await relinkMembers(dir, client, entry.dn, newDn);
  }
  return { status: 'applied', objectId: id };
}

async function setEnabled(dir: Directory, client: Client, entry: Entry, id: string, enabled: boolean): Promise<ChangeOutcome> {
  if (dir.profile.enabledOf(entry) === enabled) return { status: 'already', objectId: id };
  if (dir.profile.kind === 'active-directory') {
    const uac = Number(first(entry, 'userAccountControl') ?? String(UAC_NORMAL_ACCOUNT));
    await client.modify(entry.dn, [replace('userAccountControl', [String(uacWithEnabled(uac, enabled))])]);
    return { status: 'applied', objectId: id };
  }
  const current = values(entry, 'userPassword');
  const next = enabled
    ? current.map((v) => (v.startsWith(DISABLED_PREFIX) ? v.slice(DISABLED_PREFIX.length) : v)).filter((v) => v !== '')
    : current.length > 0 ? current.map((v) => (v.startsWith(DISABLED_PREFIX) ? v : DISABLED_PREFIX + v)) : [DISABLED_PREFIX];
  const mods = next.length > 0 ? [replace('userPassword', next)] : [deleteValues('userPassword', current)];
  await client.modify(entry.dn, mods);
  return { status: 'applied', objectId: id };
}

