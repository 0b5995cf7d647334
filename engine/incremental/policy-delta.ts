import { createHash } from 'node:crypto';
import type { Policy } from '../model/policy.js';

/**
 * Policy changes a plan base can take without re-planning anyone: the safety valve's limits
 * (they judge the plan's changes, made the same either way; the protected lists stay, since they
 * decide what the diff touches), and reserved usernames when the base plan issues and renames
 * no username (reserved names only steer the names picked for newcomers and renames; a name
 * someone holds stays theirs). Comments and layout that leave the normalized policy as it was
 * change only the policy digest.
 */

/**
 * A digest of the policy with safety's limits and the reserved list left out; null when the
 * policy is not plain data (the digest could then miss a change, so nothing is taken as equal).
 */
export function policyRestDigest(policy: Policy): string | null {
  const rest = {
    ...policy,
    naming: { ...policy.naming, reserved: [] },
    safety: { ...policy.safety, origin: null, limits: {}, maxSisShrinkPercent: 0 },
  };
  return isPlain(rest) ? createHash('sha256').update(JSON.stringify(rest)).digest('hex') : null;
}

/** The reserved usernames as allocation compares them (lower case), sorted. */
export function reservedNames(policy: Policy): string[] {
  return [...new Set(policy.naming.reserved.map((r) => r.toLowerCase()))].sort();
}

/** JSON shows it whole: no Map, Set, RegExp, function, class instance or undefined in an array. */
function isPlain(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((x) => x !== undefined && isPlain(x));
  if (typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(v as Record<string, unknown>).every((x) => x === undefined || isPlain(x));
}
