import { AlreadyExistsError, type Client } from 'ldapts';
import { TerminalProviderError } from '../../engine/model/errors.js';
import type { Change } from '../../engine/model/plan.js';
import type { ApplySecrets, ChangeOutcome } from '../../engine/model/provider.js';
import { UAC_ACCOUNTDISABLE, UAC_NORMAL_ACCOUNT } from './ad-values.js';
import { samAccountNameProblem } from './constraints.js';
import { joinDn } from './dn.js';
import type { Directory } from './directory.js';
import { values } from './entry-values.js';
import { opt, text } from './mods.js';
import { DISABLED_PREFIX } from './profile.js';
import { adUnicodePwd, sshaHash } from './secrets.js';

/**
 * Account create. Idempotent: an account already carrying the anchor (a re-run after a crash)
 * gives `already`; another object holding the username is a terminal failure. The anchor check
 * uses Directory.anchorIndex (verified live), the username check a live indexed search.
 * Missing OUs on the way are created. The initial password is written in the same add:
 * AD unicodePwd (the connection is always TLS), OpenLDAP userPassword {SSHA}.
 * AD refuses an enabled account without a password, so without one it starts disabled.
 */
/** employeeID's rangeUpper in the Active Directory schema (MS-ADA1, Employee-ID). */
export const AD_EMPLOYEE_ID_MAX = 16;

export async function createAccount(dir: Directory, client: Client, change: Change, secrets: ApplySecrets, posixAlloc: () => Promise<number>): Promise<ChangeOutcome> {
  const a = change.after;
  const anchor = change.anchor ?? '';
  const username = text(a, 'username') || change.key;
  if (anchor === '') throw new TerminalProviderError('ldap.bad-change', 'account create without an anchor');
  const profile = dir.profile;
  if (profile.kind === 'active-directory') {
    const problem = samAccountNameProblem(username);
    if (problem) throw new TerminalProviderError('ldap.username', `sAMAccountName ${problem}`);
    // AD's schema caps employeeID at 16 characters (rangeUpper); OneRoster sourcedIds are often
    // 36-character GUIDs, which AD rejects with a bare "invalid syntax". Say what to change.
    if (dir.settings.anchorAttribute.toLowerCase() === 'employeeid' && anchor.length > AD_EMPLOYEE_ID_MAX) {
      throw new TerminalProviderError('ldap.anchor-too-long', `the anchor has ${anchor.length} characters, but Active Directory's employeeID holds at most ${AD_EMPLOYEE_ID_MAX}; set anchorAttribute: employeeNumber (up to 512) for this target`);
    }
  }
  const index = await dir.anchorIndex(client);
  const knownId = index.get(anchor);
  if (knownId !== undefined) {
    const known = await dir.accountById(client, knownId);
    if (known && values(known, dir.settings.anchorAttribute).includes(anchor)) return { status: 'already', objectId: knownId };
    index.delete(anchor);
    const live = await dir.accountByAnchor(client, anchor);
    if (live) return { status: 'already', objectId: profile.idOf(live) };
  }
  // Usernames are indexed everywhere; this also catches an account made since the index was read.
  const clash = await dir.accountByUsername(client, username);
  if (clash) {
    if (values(clash, dir.settings.anchorAttribute).includes(anchor)) return { status: 'already', objectId: profile.idOf(clash) };
    throw new TerminalProviderError('ldap.username-taken', `username is already used by another directory object (${profile.idOf(clash)})`);
  }

  const path = text(a, 'path');
  await dir.ensureContainers(client, path);
  const dn = joinDn(profile.accountRdn(username), dir.containerDn(path));
  const enabled = a?.enabled !== false;
  const password = secrets.initialPassword;
  const attrs: Record<string, string[] | Buffer[]> = {
    givenName: opt(text(a, 'givenName')),
    displayName: opt(text(a, 'displayName')),
    mail: opt(text(a, 'email')),
    [dir.settings.anchorAttribute]: [anchor],
  };
  if (profile.kind === 'active-directory') {
    Object.assign(attrs, {
      objectClass: ['top', 'person', 'organizationalPerson', 'user'],
      cn: [username],
      sn: opt(text(a, 'familyName')),
      sAMAccountName: [username],
      userPrincipalName: [`${username}@${dir.settings.upnSuffix}`],
      // Without a password AD refuses an enabled account (password policy), so it starts disabled.
      userAccountControl: [String(enabled && password ? UAC_NORMAL_ACCOUNT : UAC_NORMAL_ACCOUNT | UAC_ACCOUNTDISABLE)],
    });
    // The connection is always ldaps or StartTLS (settings refuse anything else), which AD requires for unicodePwd.
    if (password) attrs.unicodePwd = [adUnicodePwd(password)];
    if (password && secrets.changeAtNextLogin) attrs.pwdLastSet = ['0'];
  } else {
    const classes = ['top', 'person', 'organizationalPerson', 'inetOrgPerson'];
    Object.assign(attrs, {
      uid: [username],
      cn: [text(a, 'displayName') || username],
      // sn is mandatory for person; fall back to the username rather than invent a name.
      sn: [text(a, 'familyName') || username],
    });
    const hashed = password ? sshaHash(password) : '';
    if (!enabled) attrs.userPassword = [DISABLED_PREFIX + hashed];
    else if (hashed) attrs.userPassword = [hashed];
    const px = dir.settings.posixAccount;
    if (px) {
      classes.push('posixAccount');
      Object.assign(attrs, {
        uidNumber: [String(await posixAlloc())],
        gidNumber: [String(px.gidNumber)],
        homeDirectory: [px.homeDirectory.split('{username}').join(username)],
        loginShell: [px.loginShell],
      });
    }
    attrs.objectClass = classes;
  }
  for (const [k, v] of Object.entries(attrs)) if (v.length === 0) delete attrs[k];
  try {
    await client.add(dn, attrs as Record<string, string[]>);
  } catch (err) {
    if (err instanceof AlreadyExistsError) {
      // Lost the response of an earlier attempt, or a concurrent apply: converge if it is ours.
      const again = await dir.accountByAnchor(client, anchor);
      if (again) index.set(anchor, profile.idOf(again));
      if (again) return { status: 'already', objectId: profile.idOf(again) };
      throw new TerminalProviderError('ldap.dn-taken', 'an entry with the new account\'s DN already exists and does not carry its anchor', { cause: err });
    }
    throw err;
  }
  const created = await dir.search(client, dn, profile.accountFilter, [profile.idAttr], 'base');
  const id = created[0] ? profile.idOf(created[0]) : undefined;
  if (id !== undefined) index.set(anchor, id);
  return { status: 'applied', ...(id !== undefined ? { objectId: id } : {}) };
}
