import type { Person } from '../model/people.js';

/**
 * Every anchor to consider, sorted and unique, each with its SIS record (undefined when not in
 * the SIS). The roster arrives sorted by sourcedId, so it is only checked; the other anchors
 * (state, accounts) are sorted and merged in, rather than the whole union re-sorted.
 */
export function consideredAnchors(roster: readonly Person[], others: string[][]): { anchors: string[]; people: (Person | undefined)[] } {
  let extra: string[] = [];
  for (const list of others) extra = mergeUnique(extra, sortedUnique(list));
  // The roster nearly always arrives sorted: merged as it is, its order checked on the way
  // (one pass over a million records, not three), and sorted only when the check fails.
  const merged = mergeRoster(roster, (k) => roster[k]!.sourcedId, extra);
  if (merged) return merged;
  // Of two records with one sourcedId the later wins, as it always has.
  const byAnchor = new Map<string, Person>();
  for (const p of roster) byAnchor.set(p.sourcedId, p);
  const rosterAnchors = [...byAnchor.keys()].sort();
  const rosterPeople = rosterAnchors.map((a) => byAnchor.get(a)!);
  return mergeRoster(rosterPeople, (k) => rosterAnchors[k]!, extra)!;
}

/**
 * The roster's people merged with the other anchors (sorted, unique) into one sorted list,
 * or null when the roster's anchors are not strictly ascending.
 */
function mergeRoster(roster: readonly Person[], anchorAt: (k: number) => string, extra: readonly string[]): { anchors: string[]; people: (Person | undefined)[] } | null {
  const anchors: string[] = [];
  const people: (Person | undefined)[] = [];
  let i = 0;
  let j = 0;
  let prev: string | undefined;
  let a: string | undefined = roster.length > 0 ? anchorAt(0) : undefined;
  while (a !== undefined || j < extra.length) {
    const b = extra[j];
    const same = a === b;
    if (a !== undefined && (b === undefined || same || a < b)) {
      // The same text, but the other list's string when both have it: state's anchors are
      // property keys (internalized), so looking one up in state.people skips hashing it
      // and probing V8's string table, a cache miss each at a million people (profile).
      anchors.push(same ? b! : a);
      people.push(roster[i]);
      if (same) j++;
      prev = a;
      i++;
      a = i < roster.length ? anchorAt(i) : undefined;
      if (a !== undefined && !(prev < a)) return null;
    } else {
      anchors.push(b!);
      people.push(undefined);
      j++;
    }
  }
  return { anchors, people };
}

/** `list` sorted without duplicates; sorted in place only when it is not already. */
function sortedUnique(list: string[]): string[] {
  let ok = true;
  for (let i = 1; i < list.length; i++) {
    if (!(list[i - 1]! < list[i]!)) {
      ok = false;
      break;
    }
  }
  if (ok) return list;
  list.sort();
  let n = 0;
  for (let i = 0; i < list.length; i++) if (n === 0 || list[i] !== list[n - 1]) list[n++] = list[i]!;
  list.length = n;
  return list;
}

/** The union of two sorted, duplicate-free lists. */
function mergeUnique(a: string[], b: string[]): string[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    // Equality first: the lists mostly hold the same anchors (state and accounts), and a
    // match then costs one comparison of the two texts instead of two.
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) {
      out.push(x);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}
