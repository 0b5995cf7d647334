import { hash } from 'node:crypto';

/**
 * Canonical JSON (object keys sorted, no whitespace) and its sha256, for digests that must
 * not depend on how a document was serialized or by whom. Pure: hashing is computation.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(obj).sort()) {
      const v = obj[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** One-shot: `plan --base` hashes every person of the roster twice, and a Hash object each cost 3x as much. */
export function sha256(text: string | Uint8Array): string {
  return hash('sha256', text, 'hex');
}

export function digestOf(value: unknown): string {
  return sha256(canonicalJson(value));
}
