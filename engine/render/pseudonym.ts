import { createHmac } from 'node:crypto';

/**
 * Stable pseudonymous ids for people in PR comments, CI logs and auditor reports: a keyed
 * hash of the sourcedId, so the same person reads the same across runs but cannot be
 * looked up without the key. The key comes from the caller (env or state), never a constant.
 */
export function pseudonym(key: string, anchor: string): string {
  return 'p-' + createHmac('sha256', key).update(anchor).digest('hex').slice(0, 10);
}

/** Attributes whose values identify a person. */
export const PII_ATTRS: ReadonlySet<string> = new Set(['username', 'givenName', 'familyName', 'displayName', 'email', 'aliases', 'member', 'anchor']);

export interface PrivacyOptions {
  showPii: boolean;
  pseudonymKey: string;
}
