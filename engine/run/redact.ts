import type { AttrMap, Change } from '../model/plan.js';

/**
 * What the audit journal keeps of a change: before and after, minus anything secret.
 * Plans never hold passwords; this is a second line of defence for attribute names that
 * look secret, should a provider ever put one there.
 */
const SECRET = /pass(word)?|secret|token|credential|unicodepwd|hash/i;

function clean(m: AttrMap | undefined): Record<string, unknown> | undefined {
  if (!m) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m)) out[k] = SECRET.test(k) ? '[redacted]' : v;
  return out;
}

export function redactForJournal(c: Change): { before?: Record<string, unknown>; after?: Record<string, unknown> } {
  const before = clean(c.before);
  const after = clean(c.after);
  return { ...(before ? { before } : {}), ...(after ? { after } : {}) };
}
