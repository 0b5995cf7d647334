import type { TargetConstraints } from '../../engine/model/provider.js';

/**
 * The UPN rules Graph documents for create-user: the local part may hold only
 * `A-Z a-z 0-9 ' . - _ ! # ^ ~` (no accents); 64 characters at most before the `@`.
 * Dots may not start or end the local part or repeat.
 */

const LOCAL = /^[A-Za-z0-9'._!#^~-]+$/;
export const UPN_LOCAL_MAX = 64;

/** Why a UPN local part is refused, or null when it is fine. */
export function upnLocalProblem(local: string): string | null {
  if (local.length === 0) return 'is empty';
  if (local.length > UPN_LOCAL_MAX) return `is longer than ${UPN_LOCAL_MAX} characters`;
  if (!LOCAL.test(local)) return "contains characters outside A-Z a-z 0-9 ' . - _ ! # ^ ~";
  if (local.startsWith('.') || local.endsWith('.')) return 'starts or ends with a dot';
  if (local.includes('..')) return 'contains two dots in a row';
  return null;
}

export function isValidUpn(upn: string): boolean {
  const at = upn.lastIndexOf('@');
  return at > 0 && upnLocalProblem(upn.slice(0, at)) === null && /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(upn.slice(at + 1));
}

/** What the pure core needs to compute usernames Entra accepts (lower-case by convention). */
export const entraConstraints: TargetConstraints = {
  maxUsernameLength: UPN_LOCAL_MAX,
  usernameCharset: "a-z0-9'._!#^~-",
  dotEdgesAllowed: false,
};
