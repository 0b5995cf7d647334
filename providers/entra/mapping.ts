import type { ObservedAccount } from '../../engine/model/accounts.js';
import type { AttrAccess } from './attributes.js';
import type { EntraSettings } from './settings.js';

/** Translations between Graph users and rollcall's target-neutral account attributes. */

export interface Attrs {
  anchor: AttrAccess;
  path: AttrAccess;
}

/** Properties read for every user: only what the mapping needs. */
export function userSelect(a: Attrs): string {
  return [...new Set(['id', 'userPrincipalName', 'givenName', 'surname', 'displayName', 'mail', 'accountEnabled', 'otherMails', a.anchor.select, a.path.select])].join(',');
}

export function upnFor(username: string, s: EntraSettings): string {
  return `${username}@${s.upnDomain}`;
}

/** The administrative unit a logical path places an account in, or null (no AU at that depth). */
export function adminUnitFor(path: string, s: EntraSettings): string | null {
  if (s.adminUnitFromPathSegment === null) return null;
  const seg = path.split('/').filter(Boolean)[s.adminUnitFromPathSegment];
  return seg ?? null;
}

export function inScope(user: Record<string, unknown>, s: EntraSettings): boolean {
  const upn = typeof user['userPrincipalName'] === 'string' ? user['userPrincipalName'].toLowerCase() : '';
  return !s.upnDomain || upn.endsWith(`@${s.upnDomain}`);
}

export function toObserved(user: Record<string, unknown>, a: Attrs): ObservedAccount {
  const upn = String(user['userPrincipalName'] ?? '');
  const at = upn.lastIndexOf('@');
  const str = (k: string): string => (typeof user[k] === 'string' ? (user[k] as string) : '');
  const mail = str('mail') || upn;
  return {
    id: String(user['id']),
    anchor: a.anchor.get(user),
    username: (at > 0 ? upn.slice(0, at) : upn).toLowerCase(),
    givenName: str('givenName'),
    familyName: str('surname'),
    displayName: str('displayName'),
    email: mail.toLowerCase(),
    path: a.path.get(user) ?? '',
    enabled: user['accountEnabled'] !== false,
    aliases: (Array.isArray(user['otherMails']) ? (user['otherMails'] as unknown[]).filter((m): m is string => typeof m === 'string').map((m) => m.toLowerCase()) : []).sort(),
  };
}

/**
 * Containers that exist, as logical paths: every prefix of an account's path whose
 * administrative unit (if that depth has one) exists. Entra has no folders; the AU is the
 * only real container, so a path "exists" when its AU does.
 */
export function containersOf(accounts: readonly ObservedAccount[], adminUnits: ReadonlySet<string>, s: EntraSettings): string[] {
  const out = new Set<string>();
  for (const acc of accounts) {
    const segs = acc.path.split('/').filter(Boolean);
    for (let i = 1; i <= segs.length; i++) {
      const prefix = segs.slice(0, i).join('/');
      const au = adminUnitFor(prefix, s);
      if (au === null || adminUnits.has(au.toLowerCase())) out.add(prefix);
    }
  }
  return [...out].sort();
}

/** A security group's mailNickname: allowed characters only, rollcall's prefix, <= 64. */
export function groupMailNickname(name: string, s: EntraSettings): string {
  const body = name.normalize('NFKD').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'group';
  return (s.groupMailNicknamePrefix + body).slice(0, 64);
}
