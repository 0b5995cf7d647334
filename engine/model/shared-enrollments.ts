import type { Enrollment } from './people.js';

/**
 * Enrollment lists a reader gave to more than one person: the parse cache's reader gives people
 * enrolled alike (a homeroom, a section of the same classes) one list. Kept beside the roster,
 * not in it, so nothing that copies or compares rosters sees it; resolve works out a marked
 * list's class groups once (engine/resolve/resolve-cache.ts). Nothing changes a roster's lists
 * after the read, so a list several people hold stays theirs alike. Not frozen: a frozen
 * array is another kind of array to V8, and every loop that meets both kinds ran slower (a
 * 50,000-person plan's resolve by 13%).
 */
const shared = new WeakSet<readonly Enrollment[]>();

export function markSharedEnrollments(list: readonly Enrollment[]): void {
  shared.add(list);
}

export function isSharedEnrollments(list: readonly Enrollment[]): boolean {
  return shared.has(list);
}
