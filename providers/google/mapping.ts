import type { admin_directory_v1 } from '@googleapis/admin';
import type { ObservedAccount } from '../../engine/model/accounts.js';
import { EXTERNAL_ID_TYPES, type GoogleSettings } from './settings.js';

/**
 * Translations between rollcall's target-neutral model and Google's resources: logical
 * paths <-> orgUnitPath under the managed root, the anchor <-> an externalIds entry,
 * usernames and group names <-> email addresses. Pure functions; no SDK at run time.
 */
type User = admin_directory_v1.Schema$User;

export interface ExternalId {
  type: string;
  customType?: string;
  value: string;
}

/** `Students/MHS/2030` -> `/<root>/Students/MHS/2030`; `` -> the root itself (or `/`). */
export function toOrgUnitPath(s: GoogleSettings, logical: string): string {
  const parts = logical.split('/').filter(Boolean);
  const full = s.orgUnitRoot + (parts.length ? '/' + parts.join('/') : '');
  return full || '/';
}

/**
 * orgUnitPath -> logical path. Org units outside the managed root keep their absolute path
 * (leading `/`), which no logical path has, so they never compare equal to a desired path.
 */
export function fromOrgUnitPath(s: GoogleSettings, ou: string | null | undefined): string {
  const path = ou || '/';
  if (!s.orgUnitRoot) return path.split('/').filter(Boolean).join('/');
  if (path === s.orgUnitRoot) return '';
  if (path.startsWith(s.orgUnitRoot + '/')) return path.slice(s.orgUnitRoot.length + 1);
  return path;
}

export function anchorEntry(s: GoogleSettings, value: string): ExternalId {
  return EXTERNAL_ID_TYPES.includes(s.anchorType) ? { type: s.anchorType, value } : { type: 'custom', customType: s.anchorType, value };
}

function isAnchorEntry(s: GoogleSettings, e: unknown): e is ExternalId {
  if (!e || typeof e !== 'object') return false;
  const x = e as Partial<ExternalId>;
  if (typeof x.value !== 'string') return false;
  return EXTERNAL_ID_TYPES.includes(s.anchorType) ? x.type === s.anchorType : x.type === 'custom' && x.customType === s.anchorType;
}

/** The anchor carried in a user's externalIds, or null. */
export function anchorOf(s: GoogleSettings, externalIds: unknown): string | null {
  if (!Array.isArray(externalIds)) return null;
  const hit = externalIds.find((e) => isAnchorEntry(s, e));
  return hit ? (hit as ExternalId).value : null;
}

/** externalIds with our anchor set to `value`, other entries kept (update replaces arrays). */
export function withAnchor(s: GoogleSettings, externalIds: unknown, value: string): ExternalId[] {
  const others = (Array.isArray(externalIds) ? externalIds : []).filter((e) => !isAnchorEntry(s, e)) as ExternalId[];
  return [...others, anchorEntry(s, value)];
}

/** A username or group name becomes an address in the target's domain unless it is one. */
export function toEmail(s: GoogleSettings, name: string): string {
  return name.includes('@') ? name : `${name}@${s.domain}`;
}

export function localPart(email: string): string {
  const at = email.lastIndexOf('@');
  return at < 0 ? email : email.slice(0, at);
}

/** Only the fields read() maps, so a 100,000-user read moves as few bytes as possible. */
export const USER_FIELDS = 'id,primaryEmail,name(givenName,familyName,fullName,displayName),orgUnitPath,suspended,archived,externalIds,aliases';

export function toObserved(s: GoogleSettings, u: User): ObservedAccount {
  const email = u.primaryEmail ?? '';
  const given = u.name?.givenName ?? '';
  const family = u.name?.familyName ?? '';
  return {
    id: u.id ?? '',
    anchor: anchorOf(s, u.externalIds),
    username: localPart(email).toLowerCase(),
    givenName: given,
    familyName: family,
    displayName: u.name?.displayName || u.name?.fullName || `${given} ${family}`.trim(),
    email: email.toLowerCase(),
    path: fromOrgUnitPath(s, u.orgUnitPath),
    // Archived accounts are inactive too (an archived user cannot sign in).
    enabled: u.suspended !== true && u.archived !== true,
    aliases: [...(u.aliases ?? [])].map((a) => a.toLowerCase()).sort(),
  };
}

/** Groups rollcall created carry this suffix in their description; read() strips it. */
export const MANAGED_MARK = ' [managed by rollcall]';
