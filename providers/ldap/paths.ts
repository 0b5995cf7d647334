import { escapeDnValue, joinDn, normalizeDn, parseDn } from './dn.js';

/**
 * Logical placement paths <-> LDAP DNs.
 *
 * A logical path is `/`-separated, outermost first: `Students/MHS/2030`. It maps to nested
 * OUs below the users root (usersBase + baseDN), innermost first, as LDAP writes them:
 *   `Students/MHS/2030`  ->  `OU=2030,OU=MHS,OU=Students,<usersBase>,<baseDN>`
 * The empty path is the users root itself. Each segment is DN-escaped, so a segment may hold
 * any character except `/`. The way back accepts only chains of OUs below the users root.
 */

export function splitPath(path: string): string[] {
  return path.split('/').map((s) => s.trim()).filter((s) => s.length > 0);
}

export function pathToDn(path: string, usersRoot: string, ouType = 'OU'): string {
  const ous = splitPath(path).reverse().map((seg) => `${ouType}=${escapeDnValue(seg)}`);
  return joinDn(...ous, usersRoot);
}

/**
 * The logical path of a container DN, or null when the DN is not the users root or a chain of
 * OUs below it (e.g. `CN=Users`, a container that logical paths cannot name).
 */
export function dnToPath(dn: string, usersRoot: string): string | null {
  const rdns = parseDn(dn);
  const rootLen = parseDn(usersRoot).length;
  if (rdns.length < rootLen) return null;
  const tail = rdns.slice(rdns.length - rootLen);
  const head = rdns.slice(0, rdns.length - rootLen);
  if (normalizeDn(tail.map((r) => `${r.type}=${escapeDnValue(r.value)}`).join(',')) !== normalizeDn(usersRoot)) return null;
  if (head.some((r) => r.type.toLowerCase() !== 'ou')) return null;
  return head.map((r) => r.value).reverse().join('/');
}

/** The logical path of the container holding entry `dn`, or null (see dnToPath). */
export function entryPath(dn: string, usersRoot: string): string | null {
  const rdns = parseDn(dn);
  if (rdns.length === 0) return null;
  return dnToPath(rdns.slice(1).map((r) => `${r.type}=${escapeDnValue(r.value)}`).join(','), usersRoot);
}

/** Every ancestor path of `path`, outermost first, including itself: a/b/c -> a, a/b, a/b/c. */
export function pathAncestors(path: string): string[] {
  const segs = splitPath(path);
  return segs.map((_, i) => segs.slice(0, i + 1).join('/'));
}
