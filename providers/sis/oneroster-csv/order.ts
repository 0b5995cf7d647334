import type { Enrollment, Person, PersonRole } from '../../../engine/model/people.js';

/**
 * The roster's canonical order, so the model does not depend on row order: everything by
 * sourcedId (code-unit order, not locale order, for byte-identical plans); roles primary first.
 */
export const byCode = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
export const bySourcedId = <T extends { sourcedId: string }>(a: T, b: T): number => byCode(a.sourcedId, b.sourcedId);

export function compareRoles(a: PersonRole, b: PersonRole): number {
  if (a.roleType !== b.roleType) return a.roleType === 'primary' ? -1 : 1;
  return byCode(a.orgSourcedId, b.orgSourcedId) || byCode(a.role, b.role) || byCode(a.sourcedId ?? '', b.sourcedId ?? '');
}

export function compareEnrollments(a: Enrollment, b: Enrollment): number {
  return byCode(a.classSourcedId, b.classSourcedId) || byCode(a.role, b.role) || byCode(a.sourcedId ?? '', b.sourcedId ?? '');
}

/**
 * Sort a person's roles and enrollments; also trims arrays grown by push (V8 over-allocates),
 * unless `enrollmentsExact` / `rolesExact` says that array was made at its final size.
 * `enrollmentsSorted`: they are in this order already (enrollment-cache.ts sorted them).
 */
export function sortPerson(p: Person, enrollmentsExact = false, rolesExact = false, enrollmentsSorted = false): void {
  if (p.roles.length > 1 && !inOrder(p.roles, compareRoles)) p.roles.sort(compareRoles);
  const e = p.enrollments;
  if (!enrollmentsSorted) {
    if (e.length > 1 && e.length <= 64) insertionSort(e, compareEnrollments);
    else if (e.length > 64 && !inOrder(e, compareEnrollments)) e.sort(compareEnrollments);
  }
  if (p.roles.length && !rolesExact) p.roles = p.roles.slice();
  if (p.enrollments.length && !enrollmentsExact) p.enrollments = p.enrollments.slice();
}

/**
 * Stable, in place, for the short lists a person has (a dozen enrollments): no call into the
 * built-in sort per person, and nearly no work when the list is already in order.
 */
function insertionSort<T>(xs: T[], cmp: (a: T, b: T) => number): void {
  for (let i = 1; i < xs.length; i++) {
    const x = xs[i]!;
    let j = i - 1;
    if (cmp(xs[j]!, x) <= 0) continue;
    while (j >= 0 && cmp(xs[j]!, x) > 0) {
      xs[j + 1] = xs[j]!;
      j--;
    }
    xs[j + 1] = x;
  }
}

/**
 * The values of a map keyed by sourcedId, in sourcedId order. Sorts the keys with the built-in
 * comparison (code-unit order, same as byCode, with no JS callback per comparison) and skips
 * the sort when the export was already sorted; measured ~25% faster at a million people.
 */
export function valuesBySourcedId<T>(map: ReadonlyMap<string, T>): T[] {
  const keys = [...map.keys()];
  let sorted = true;
  for (let i = 1; i < keys.length; i++) {
    if (!(keys[i - 1]! < keys[i]!)) {
      sorted = false;
      break;
    }
  }
  if (sorted) return [...map.values()];
  if (keys.length < 4096) {
    keys.sort();
    return keys.map((k) => map.get(k)!);
  }
  // Large and unsorted (UUID ids): a radix pass over the first characters, ~2x the built-in sort.
  const values = [...map.values()];
  const order = sortedOrder(keys);
  const out = new Array<T>(keys.length);
  for (let i = 0; i < keys.length; i++) out[i] = values[order[i]!]!;
  return out;
}

/** Characters ordered by radix passes; longer runs with the same prefix are sorted by comparison. */
const PREFIX = 6;

/**
 * The indices of `keys` in code-unit order of the keys (byCode): LSD radix passes on the first
 * PREFIX UTF-16 code units (a missing one sorts first), then each run of keys sharing that
 * prefix sorted by comparison. Random ids (UUIDs) leave runs of about one.
 */
export function sortedOrder(keys: readonly string[]): Int32Array {
  const n = keys.length;
  // Every key is read once, in order (keys scattered over the heap make each read a cache miss).
  const digits = new Int32Array(n * PREFIX);
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    const m = Math.min(PREFIX, k.length);
    for (let d = 0; d < m; d++) digits[i * PREFIX + d] = k.charCodeAt(d) + 1;
  }
  let perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  let tmp = new Int32Array(n);
  const count = new Int32Array(65538);
  for (let d = PREFIX - 1; d >= 0; d--) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[digits[i * PREFIX + d]! + 1]!++;
    for (let b = 1; b < count.length; b++) count[b]! += count[b - 1]!;
    for (let i = 0; i < n; i++) {
      const p = perm[i]!;
      tmp[count[digits[p * PREFIX + d]!]!++] = p;
    }
    [perm, tmp] = [tmp, perm];
  }
  const samePrefix = (a: number, b: number) => {
    for (let d = 0; d < PREFIX; d++) if (digits[a * PREFIX + d] !== digits[b * PREFIX + d]) return false;
    return true;
  };
  let start = 0;
  for (let i = 1; i <= n; i++) {
    if (i < n && samePrefix(perm[start]!, perm[i]!)) continue;
    if (i - start > 1) {
      const run = Array.from(perm.subarray(start, i)).sort((a, b) => byCode(keys[a]!, keys[b]!));
      perm.set(run, start);
    }
    start = i;
  }
  return perm;
}

/** Already in order (exports often are): then a sort, and its allocations, can be skipped. */
function inOrder<T>(xs: readonly T[], cmp: (a: T, b: T) => number): boolean {
  for (let i = 1; i < xs.length; i++) if (cmp(xs[i - 1]!, xs[i]!) > 0) return false;
  return true;
}
