import { EqualityFilter, type Entry, type Filter } from 'ldapts';
import { guidToBytes, guidToString, isGuid, uacEnabled } from './ad-values.js';
import { buffer, first, values } from './entry-values.js';
import { rdn } from './dn.js';
import { TerminalProviderError } from '../../engine/model/errors.js';
import type { LdapProfile, LdapSettings } from './settings.js';

/**
 * What differs between Active Directory and OpenLDAP, in one place.
 *
 * Object ids (ObservedAccount.id, ObservedGroup.id, Change.object_id):
 *  - AD: objectGUID in its usual string form. It survives moves and renames, which a DN does not.
 *  - OpenLDAP: entryUUID (RFC 4530), for the same reason.
 *  apply also accepts a DN as object_id (anything containing `=`).
 *
 * Account RDN: `CN=<username>` (AD) / `uid=<username>` (OpenLDAP). The username is unique in
 * the directory, so two students named "Ana Li" in one OU never collide; displayName carries
 * the human name.
 *
 * Disabled accounts:
 *  - AD: userAccountControl bit 0x2 (512 enabled, 514 disabled), other bits preserved.
 *  - OpenLDAP: userPassword values carry the prefix `{DISABLED}` (e.g. `{DISABLED}{SSHA}...`).
 *    slapd knows no such scheme, so the bind fails while the account is disabled, and enabling
 *    strips the prefix, restoring the old password. Needs no ppolicy overlay.
 *
 * Groups: AD `group`, OpenLDAP `groupOfNames`. groupOfNames needs at least one member, so an
 * empty group holds the placeholder member `cn=rollcall-empty-group,<groupsRoot>` (an entry
 * that never exists), hidden when reading. Groups rollcall creates carry a marker value,
 * `rollcall-managed`, in adminDescription (AD) / businessCategory (OpenLDAP).
 */
export interface Profile {
  kind: LdapProfile;
  accountFilter: string;
  groupFilter: string;
  usernameAttr: string;
  idAttr: string;
  binaryAttrs: string[];
  accountAttrs: string[];
  groupAttrs: string[];
  markerAttr: string;
  accountRdn(username: string): string;
  groupRdn(name: string): string;
  idOf(entry: Entry): string;
  /**
   * Filter on the object id, as a Filter object: ldapts' string filter parser decodes `\XX`
   * escapes byte by byte into UTF-16 code units, which mangles binary values like objectGUID.
   */
  idFilter(id: string): Filter;
  enabledOf(entry: Entry): boolean;
}

export const MANAGED_MARKER = 'rollcall-managed';
export const DISABLED_PREFIX = '{DISABLED}';

export function placeholderMember(groupsRoot: string): string {
  return `cn=rollcall-empty-group,${groupsRoot}`;
}

export function makeProfile(settings: LdapSettings): Profile {
  const anchor = settings.anchorAttribute;
  const common = ['givenName', 'sn', 'displayName', 'mail', anchor];
  if (settings.profile === 'active-directory') {
    return {
      kind: 'active-directory',
      accountFilter: '(&(objectCategory=person)(objectClass=user))',
      groupFilter: '(objectClass=group)',
      usernameAttr: 'sAMAccountName',
      idAttr: 'objectGUID',
      binaryAttrs: ['objectGUID'],
      accountAttrs: ['objectGUID', 'sAMAccountName', 'userPrincipalName', 'userAccountControl', 'proxyAddresses', ...common],
      groupAttrs: ['objectGUID', 'cn', 'description', 'member', 'adminDescription'],
      markerAttr: 'adminDescription',
      accountRdn: (u) => rdn('CN', u),
      groupRdn: (n) => rdn('CN', n),
      idOf: (e) => {
        const b = buffer(e, 'objectGUID');
        if (!b) throw new Error('entry without objectGUID');
        return guidToString(b);
      },
      idFilter: (id) => {
        if (!isGuid(id)) throw new TerminalProviderError('ldap.bad-object-id', 'object_id is neither an objectGUID nor a DN');
        return new EqualityFilter({ attribute: 'objectGUID', value: guidToBytes(id) });
      },
      enabledOf: (e) => uacEnabled(Number(first(e, 'userAccountControl') ?? '514')),
    };
  }
  return {
    kind: 'openldap',
    accountFilter: '(objectClass=inetOrgPerson)',
    groupFilter: '(objectClass=groupOfNames)',
    usernameAttr: 'uid',
    idAttr: 'entryUUID',
    binaryAttrs: [],
    accountAttrs: ['entryUUID', 'uid', 'cn', 'userPassword', ...common],
    groupAttrs: ['entryUUID', 'cn', 'description', 'member', 'businessCategory'],
    markerAttr: 'businessCategory',
    accountRdn: (u) => rdn('uid', u),
    groupRdn: (n) => rdn('cn', n),
    idOf: (e) => {
      const id = first(e, 'entryUUID');
      if (!id) throw new Error('entry without entryUUID');
      return id;
    },
    idFilter: (id) => new EqualityFilter({ attribute: 'entryUUID', value: id }),
    enabledOf: (e) => !values(e, 'userPassword').some((p) => p.startsWith(DISABLED_PREFIX)),
  };
}
