import { warningDiag, type Diagnostic, type SourceRange } from '../model/diagnostics.js';
import { globToRegExp } from './glob.js';
import type { DriftCategory, DriftItem } from './model.js';

/**
 * Expected drift, written down in the policy repo (`policy/drift-allow.yaml`) with a reason
 * and an expiry, so an auditor sees why each exception exists and until when. An entry
 * covers an item when its category matches and every selector it gives matches (AND).
 * Expired entries stop applying (the item is reported again) and each yields a warning.
 */

export interface DriftAllowEntry {
  /** Position in the file's `allow` list. */
  index: number;
  category: DriftCategory;
  /** Globs (see glob.ts); absent = any. */
  target?: string;
  anchor?: string;
  username?: string;
  group?: string;
  path?: string;
  reason: string;
  /** Last day the entry applies (YYYY-MM-DD, UTC), inclusive. */
  expires: string;
  source?: SourceRange;
}

export interface DriftAllowPolicy {
  /** Repo-relative file it came from; null when the repo has none. */
  file: string | null;
  /** Groups treated like safety.protected.groups for drift: every member needs a grant. */
  privilegedGroups: string[];
  allow: DriftAllowEntry[];
}

export const EMPTY_ALLOW: DriftAllowPolicy = Object.freeze({ file: null, privilegedGroups: [], allow: [] });

const SELECTORS = ['target', 'anchor', 'username', 'group', 'path'] as const;

interface Compiled {
  entry: DriftAllowEntry;
  tests: { key: (typeof SELECTORS)[number]; re: RegExp }[];
  expired: boolean;
  used: boolean;
}

export interface AllowOutcome {
  items: DriftItem[];
  allowed: DriftItem[];
  warnings: Diagnostic[];
}

/** Splits items into reported and allow-listed; `now` decides expiry. Pure. */
export function applyAllowList(items: readonly DriftItem[], allow: DriftAllowPolicy, now: string): AllowOutcome {
  const today = now.slice(0, 10);
  const compiled: Compiled[] = allow.allow.map((entry) => ({
    entry,
    tests: SELECTORS.filter((k) => entry[k] !== undefined).map((k) => ({ key: k, re: globToRegExp(entry[k] ?? '') })),
    expired: entry.expires < today,
    used: false,
  }));
  const out: AllowOutcome = { items: [], allowed: [], warnings: [] };
  const expiredHits = new Map<number, number>();
  for (const item of items) {
    let hit: Compiled | undefined;
    for (const c of compiled) {
      if (c.entry.category !== item.category) continue;
      if (!c.tests.every((t) => t.re.test(item[t.key] ?? ''))) continue;
      if (c.expired) {
        expiredHits.set(c.entry.index, (expiredHits.get(c.entry.index) ?? 0) + 1);
        continue;
      }
      hit = c;
      break;
    }
    if (hit) {
      hit.used = true;
      const { index, reason, expires, source } = hit.entry;
      out.allowed.push({ ...item, allow: { index, reason, expires, ...(source ? { source } : {}) } });
    } else out.items.push(item);
  }
  for (const c of compiled) {
    const where = c.entry.source ? { source: c.entry.source } : {};
    if (c.expired) {
      const n = expiredHits.get(c.entry.index) ?? 0;
      out.warnings.push(warningDiag('drift.allow-expired', `drift allow-list entry ${c.entry.index} (${c.entry.category}) expired on ${c.entry.expires}; it no longer applies${n ? ` and ${n} item(s) it covered are reported` : ''}`, { ...where, path: `/allow/${c.entry.index}/expires` }));
    } else if (!c.used) {
      out.warnings.push(warningDiag('drift.allow-unused', `drift allow-list entry ${c.entry.index} (${c.entry.category}) matches nothing; remove it if the exception is over`, { ...where, path: `/allow/${c.entry.index}` }));
    }
  }
  return out;
}
