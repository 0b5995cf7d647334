import type { ClassSection, Enrollment } from '../../../engine/model/people.js';
import type { Interner } from '../csv-util/intern.js';
import { CacheWriter, readCacheFile } from './cache-file.js';
import { makeEnrollment } from './row-values.js';
import { type RecordMaker, sharedEnrollment } from './record-maker.js';
import { byCode } from './order.js';
import { markSharedEnrollments } from '../../../engine/model/shared-enrollments.js';

/**
 * "Refresh once, plan many": the enrollments read from a clean bulk enrollments.csv (no
 * warning, no error), kept in a compact file (cache-file.ts) so the next read of the same
 * export skips parsing the biggest file. Reading enrollments.csv depends only on its bytes and
 * on what it sees of the files read before it, which makes the key (table-cache.ts): classes
 * and users by their ids, roles not at all, the rest by their digests. Bump CACHE_VERSION
 * whenever reading enrollments changes meaning, or starts to look at more of an earlier file.
 *
 * Columns: person (position in roster order, which the users.csv ids in the key decide) and
 * pair of each row, then for each pair (a class and a value combination: role, primary, dates;
 * a few hundred thousand in a district of nine million rows) its class (position in the
 * roster's classes, which the files in the key decide) and its combination; then for each
 * person (roster order) `like`: the first person whose rows, sorted as the read sorts them,
 * hold the same pairs (themselves when none before does, -1 with no rows); strings: the ids.
 * Rows are stored person by person in roster order (each person's in file order), the order a
 * read makes the lists in: the read is one pass front to back, and the lists sit in memory in
 * the order resolve walks people (people-cache.ts makes people in that order too).
 */

const KIND = 'enrollments';
export const CACHE_FILE = `${KIND}.bin`;

interface Extra {
  rows: number;
  pairs: number;
  /** People (the length of the `like` column). */
  people: number;
  /** role, primary, beginDate, endDate */
  combos: [string, boolean, string | null, string | null][];
}

export interface CachedEnrollments {
  /**
   * Each person's enrollments (by position in roster order; undefined: none), in one exactly-sized
   * array already in the roster's order (order.ts compareEnrollments, a stable sort of the file's order).
   */
  byPerson: (Enrollment[] | undefined)[];
  rows: number;
}

/**
 * The cached enrollments for `key`, or undefined (missing, stale, corrupt: then parse).
 *
 * Each person's list is sorted here on numbers rather than by comparing strings later: a class
 * by its roster position (the classes are in sourcedId order, so positions compare as the ids
 * do), a role by its rank among the roles, then (only when ids are kept) by id, the way
 * compareEnrollments orders them; a stable sort of the rows in file order, as sortPerson's.
 */
export async function loadEnrollmentCache(
  dir: string,
  key: string,
  /** The roster's classes, in roster order. */
  classes: readonly ClassSection[],
  people: number,
  intern: Interner,
  records: RecordMaker,
): Promise<CachedEnrollments | undefined> {
  const c = await readCacheFile<Extra>(dir, CACHE_FILE, KIND, key, { strings: records.keepIds });
  if (!c) return undefined;
  try {
    const { header: h, ints, strings } = c;
    const rows = h.rows;
    const pairs = h.pairs;
    if (!Number.isInteger(rows) || !Number.isInteger(pairs) || pairs < 0 || h.people !== people || ints.length !== 2 * rows + 2 * pairs + people || !Array.isArray(h.combos)) return undefined;
    const values = h.combos.map(([role, primary, begin, end]) => {
      if (typeof role !== 'string' || typeof primary !== 'boolean' || !optString(begin) || !optString(end)) throw new Error('combo');
      return { role: intern.get(role), primary, begin: begin === null ? undefined : intern.get(begin), end: end === null ? undefined : intern.get(end) };
    });
    const pair = ints.subarray(rows, 2 * rows);
    const pairClass = ints.subarray(2 * rows, 2 * rows + pairs);
    const pairCombo = ints.subarray(2 * rows + pairs, 2 * rows + 2 * pairs);
    const like = ints.subarray(2 * rows + 2 * pairs);
    for (let q = 0; q < pairs; q++) {
      const cl = pairClass[q]!;
      const v = pairCombo[q]!;
      if (cl < 0 || cl >= classes.length || v < 0 || v >= values.length) return undefined;
    }
    const rankOf = pairRanks(values.map((v) => v.role), pairClass, pairCombo);
    const count = new Int32Array(people);
    let prev = 0;
    for (let i = 0; i < rows; i++) {
      const o = ints[i]!;
      const q = pair[i]!;
      // Person by person, as the writer stores them.
      if (o < prev || o >= people || q < 0 || q >= pairs) return undefined;
      prev = o;
      count[o]!++;
    }
    const make = (q: number, id: string | undefined): Enrollment => {
      const v = values[pairCombo[q]!]!;
      const cls = classes[pairClass[q]!]!.sourcedId;
      return id === undefined ? sharedEnrollment(cls, v.role, v.primary, v.begin, v.end) : makeEnrollment(cls, v.role, v.primary, id, v.begin, v.end);
    };
    // With ids, every enrollment is its own object, made in stored order as the ids come. Without,
    // enrollments alike are one object (as records.enrollment makes them): one per pair.
    let list: Enrollment[] | undefined;
    let shared: (Enrollment | undefined)[] | undefined;
    if (records.keepIds) {
      list = new Array<Enrollment>(rows);
      for (let i = 0; i < rows; i++) {
        const id = strings.next();
        if (id === '') return undefined;
        list[i] = make(pair[i]!, id);
      }
      if (!strings.done()) return undefined;
    } else {
      if (strings.count() !== rows) return undefined;
      shared = new Array<Enrollment | undefined>(pairs).fill(undefined);
    }
    const made = (r: number): Enrollment => {
      if (list) return list[r]!;
      const q = pair[r]!;
      return (shared![q] ??= make(q, undefined));
    };
    const before = (a: number, b: number): boolean => {
      const qa = pair[a]!;
      const qb = pair[b]!;
      if (qa !== qb) {
        const ra = rankOf[qa]!;
        const rb = rankOf[qb]!;
        if (ra !== rb) return ra < rb;
      }
      return list !== undefined && list[a]!.sourcedId! < list[b]!.sourcedId!;
    };
    // Rows of each person, in file order, one person after another (as stored).
    const start = new Int32Array(people + 1);
    for (let k = 0; k < people; k++) start[k + 1] = start[k]! + count[k]!;
    const byRow = new Int32Array(rows);
    for (let i = 0; i < rows; i++) byRow[i] = i;
    const out = new Array<Enrollment[] | undefined>(people);
    const marked = new Uint8Array(shared ? people : 0);
    // Without ids, people enrolled alike (a homeroom, a section of the same classes) share one
    // list, and it is marked shared: resolve works out its class groups once
    // (engine/model/shared-enrollments.ts). The writer found them (`like`): the read only
    // follows its pointer back to the first of them.
    for (let k = 0; k < people; k++) {
      const from = start[k]!;
      const n = count[k]!;
      const first = like[k]!;
      if (n === 0) {
        if (first !== -1) return undefined;
        continue;
      }
      if (shared && first !== k) {
        const prior = first >= 0 && first < k ? out[first] : undefined;
        if (prior === undefined || count[first] !== n) return undefined;
        if (marked[first] === 0) {
          markSharedEnrollments(prior);
          marked[first] = 1;
        }
        out[k] = prior;
        continue;
      }
      if (first < 0 || first > k) return undefined;
      if (n > 64) {
        // Array sort is stable too.
        const run = Array.from(byRow.subarray(from, from + n)).sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
        byRow.set(run, from);
      }
      // Stable insertion sort of the person's rows (a dozen, and usually in order already).
      else for (let i = from + 1; i < from + n; i++) {
        const x = byRow[i]!;
        let j = i - 1;
        if (!before(x, byRow[j]!)) continue;
        while (j >= from && before(x, byRow[j]!)) {
          byRow[j + 1] = byRow[j]!;
          j--;
        }
        byRow[j + 1] = x;
      }
      const arr = new Array<Enrollment>(n);
      for (let j = 0; j < n; j++) arr[j] = made(byRow[from + j]!);
      out[k] = arr;
    }
    return { byPerson: out, rows };
  } catch {
    return undefined;
  }
}

/**
 * Write the cache for `key` (replacing any other); failures are ignored. `owners`: each row's
 * person by file position; `order`: the file positions of people in roster order; `classes`:
 * the roster's, in roster order.
 */
export async function saveEnrollmentCache(dir: string, key: string, size: number, owners: Int32Array, list: readonly Enrollment[], order: ArrayLike<number>, classes: readonly ClassSection[]): Promise<void> {
  const rows = list.length;
  // Rows person by person in roster order, each person's in file order (a stable counting sort).
  const rank = new Int32Array(order.length);
  for (let k = 0; k < order.length; k++) rank[order[k]!] = k;
  const start = new Int32Array(order.length + 1);
  for (let i = 0; i < rows; i++) start[rank[owners[i]!]! + 1]!++;
  for (let k = 0; k < order.length; k++) start[k + 1]! += start[k]!;
  const stored = new Int32Array(rows);
  const holder = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const k = rank[owners[i]!]!;
    const at = start[k]!++;
    stored[at] = i;
    holder[at] = k;
  }
  const classIndex = new Map<string, number>();
  for (let k = 0; k < classes.length; k++) classIndex.set(classes[k]!.sourcedId, k);
  const comboIndex = new Map<string, number>();
  const combos: Extra['combos'] = [];
  // Per class, its pairs so far as [combination, pair, ...]: a class has a few. The last pair
  // found per class answers most rows without leaving two small typed arrays.
  const pairsOfClass = new Array<number[] | undefined>(classes.length).fill(undefined);
  const lastComboOf = new Int32Array(classes.length).fill(-1);
  const lastPairOf = new Int32Array(classes.length);
  const pairClass: number[] = [];
  const pairCombo: number[] = [];
  const rowPair = new Int32Array(rows);
  const strings = CacheWriter.open(dir, CACHE_FILE);
  if (!strings) return;
  let last: Pick<Enrollment, 'role' | 'primary' | 'beginDate' | 'endDate'> = { role: '\u0000', primary: false };
  let lastCombo = -1;
  for (let r = 0; r < rows; r++) {
    const e = list[stored[r]!]!;
    const id = e.sourcedId ?? '';
    if (id === '') return strings.abort(); // only lane-shaped enrollments (every one has its id) are cached
    const c = classIndex.get(e.classSourcedId);
    if (c === undefined) return strings.abort();
    // Rows repeat the previous row's values far more often than not: build a key only on change.
    if (e.role !== last.role || e.primary !== last.primary || e.beginDate !== last.beginDate || e.endDate !== last.endDate) {
      const ck = `${e.role}\0${e.primary}\0${e.beginDate ?? '\u0001'}\0${e.endDate ?? '\u0001'}`;
      let v = comboIndex.get(ck);
      if (v === undefined) {
        v = combos.length;
        comboIndex.set(ck, v);
        combos.push([e.role, e.primary, e.beginDate ?? null, e.endDate ?? null]);
      }
      last = e;
      lastCombo = v;
    }
    let q = -1;
    if (lastComboOf[c] === lastCombo) q = lastPairOf[c]!;
    else {
      const known = (pairsOfClass[c] ??= []);
      for (let k = 0; k < known.length; k += 2) {
        if (known[k] === lastCombo) {
          q = known[k + 1]!;
          break;
        }
      }
      if (q < 0) {
        q = pairClass.length;
        pairClass.push(c);
        pairCombo.push(lastCombo);
        known.push(lastCombo, q);
      }
      lastComboOf[c] = lastCombo;
      lastPairOf[c] = q;
    }
    rowPair[r] = q;
    strings.add(id);
  }
  const pairs = pairClass.length;
  const people = order.length;
  const like = sameRows(start, rowPair, people, pairRanks(combos.map((c) => c[0]), pairClass, pairCombo));
  const ints = new Int32Array(2 * rows + 2 * pairs + people);
  ints.set(holder, 0);
  ints.set(rowPair, rows);
  ints.set(pairClass, 2 * rows);
  ints.set(pairCombo, 2 * rows + pairs);
  ints.set(like, 2 * rows + 2 * pairs);
  const extra: Extra = { rows, pairs, people, combos };
  await strings.finish({ kind: KIND, key, size, ...extra }, ints);
}

/**
 * Each pair's place in the order a read sorts a person's rows (order.ts compareEnrollments,
 * ids aside): by class position, then by the role's rank among the roles (`roles`: each
 * combination's). The reader and the writer (the `like` column) sort by the same numbers.
 */
function pairRanks(roles: readonly string[], pairClass: ArrayLike<number>, pairCombo: ArrayLike<number>): Int32Array {
  const names = [...new Set(roles)].sort(byCode);
  const roleRank = roles.map((r) => names.indexOf(r));
  const rank = new Int32Array(pairClass.length);
  for (let q = 0; q < rank.length; q++) rank[q] = pairClass[q]! * names.length + roleRank[pairCombo[q]!]!;
  return rank;
}

/**
 * For each person, the first person whose rows hold the same pairs once in roster order (what
 * the read sorts them into): themselves when none before does, -1 with no rows. `end[k]`: where
 * person k's rows end in `rowPair` (the counting sort's starts, each moved to its person's
 * end); `rank`: each pair's place in that order (pairRanks; ties keep file order).
 * Each person's pairs are sorted in place in a copy and found by a hash, checked pair by pair:
 * no string or array per person (a million people at refresh).
 */
function sameRows(end: Int32Array, rowPair: Int32Array, people: number, rank: Int32Array): Int32Array {
  const like = new Int32Array(people).fill(-1);
  const sorted = rowPair.slice();
  // Hash -> the first person with it; a person whose hash another list took first is compared
  // against that one only, and keeps its own list when they differ (rare, and only a missed share).
  const firstOf = new Map<number, number>();
  for (let k = 0; k < people; k++) {
    const from = k === 0 ? 0 : end[k - 1]!;
    const to = end[k]!;
    if (to === from) continue;
    // Stable insertion sort: ties keep the file order, as the read's sort does.
    for (let i = from + 1; i < to; i++) {
      const x = sorted[i]!;
      const rx = rank[x]!;
      let j = i - 1;
      while (j >= from && rank[sorted[j]!]! > rx) {
        sorted[j + 1] = sorted[j]!;
        j--;
      }
      sorted[j + 1] = x;
    }
    let hash = to - from;
    for (let i = from; i < to; i++) hash = Math.imul(hash ^ sorted[i]!, 0x9e3779b1);
    const first = firstOf.get(hash);
    if (first === undefined) {
      firstOf.set(hash, k);
      like[k] = k;
      continue;
    }
    const f0 = first === 0 ? 0 : end[first - 1]!;
    let same = end[first]! - f0 === to - from;
    for (let i = 0; same && i < to - from; i++) same = sorted[f0 + i] === sorted[from + i];
    like[k] = same ? first : k;
  }
  return like;
}

function optString(v: unknown): boolean {
  return v === null || typeof v === 'string';
}
