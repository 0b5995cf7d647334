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
 * Columns: person index (file position) and pair of each row, then for each pair (a class and
 * a value combination: role, primary, dates; a few hundred thousand in a district of nine million
 * rows) its class (position in the roster's classes, which the files in the key decide) and its
 * combination; strings: the ids.
 */

const KIND = 'enrollments';
export const CACHE_FILE = `${KIND}.bin`;

interface Extra {
  rows: number;
  pairs: number;
  /** role, primary, beginDate, endDate */
  combos: [string, boolean, string | null, string | null][];
}

export interface CachedEnrollments {
  /**
   * Each person's enrollments (by file position; undefined: none), in one exactly-sized array
   * already in the roster's order (order.ts compareEnrollments, a stable sort of the file's order).
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
    if (!Number.isInteger(rows) || !Number.isInteger(pairs) || pairs < 0 || ints.length !== 2 * rows + 2 * pairs || !Array.isArray(h.combos)) return undefined;
    const values = h.combos.map(([role, primary, begin, end]) => {
      if (typeof role !== 'string' || typeof primary !== 'boolean' || !optString(begin) || !optString(end)) throw new Error('combo');
      return { role: intern.get(role), primary, begin: begin === null ? undefined : intern.get(begin), end: end === null ? undefined : intern.get(end) };
    });
    const roleNames = [...new Set(values.map((v) => v.role))].sort(byCode);
    const roleRank = values.map((v) => roleNames.indexOf(v.role));
    const pair = ints.subarray(rows, 2 * rows);
    const pairClass = ints.subarray(2 * rows, 2 * rows + pairs);
    const pairCombo = ints.subarray(2 * rows + pairs);
    const pairRole = new Int32Array(pairs);
    for (let q = 0; q < pairs; q++) {
      const cl = pairClass[q]!;
      const v = pairCombo[q]!;
      if (cl < 0 || cl >= classes.length || v < 0 || v >= values.length) return undefined;
      pairRole[q] = roleRank[v]!;
    }
    const count = new Int32Array(people);
    for (let i = 0; i < rows; i++) {
      const o = ints[i]!;
      const q = pair[i]!;
      if (o < 0 || o >= people || q < 0 || q >= pairs) return undefined;
      count[o]!++;
    }
    const make = (q: number, id: string | undefined): Enrollment => {
      const v = values[pairCombo[q]!]!;
      const cls = classes[pairClass[q]!]!.sourcedId;
      return id === undefined ? sharedEnrollment(cls, v.role, v.primary, v.begin, v.end) : makeEnrollment(cls, v.role, v.primary, id, v.begin, v.end);
    };
    // With ids, every enrollment is its own object, made in row order as the ids come. Without,
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
        const ca = pairClass[qa]!;
        const cb = pairClass[qb]!;
        if (ca !== cb) return ca < cb;
        const ra = pairRole[qa]!;
        const rb = pairRole[qb]!;
        if (ra !== rb) return ra < rb;
      }
      return list !== undefined && list[a]!.sourcedId! < list[b]!.sourcedId!;
    };
    // Rows of each person, in file order, one person after another.
    const start = new Int32Array(people + 1);
    for (let k = 0; k < people; k++) start[k + 1] = start[k]! + count[k]!;
    const at = start.slice(0, people);
    const byRow = new Int32Array(rows);
    for (let i = 0; i < rows; i++) byRow[at[ints[i]!]!++] = i;
    const out = new Array<Enrollment[] | undefined>(people);
    // Without ids, people enrolled alike (a homeroom, a section of the same classes) share one
    // list, found by a hash of its pairs, and it is marked shared: resolve works out its class
    // groups once (engine/model/shared-enrollments.ts). The rare list whose hash another list
    // took first is not shared.
    const lists = shared ? new Map<number, Enrollment[]>() : undefined;
    for (let k = 0; k < people; k++) {
      const from = start[k]!;
      const n = count[k]!;
      if (n === 0) continue;
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
      // The hash this list is kept under for the people after; undefined: not kept.
      let keepAs: number | undefined;
      if (lists) {
        let hash = n;
        for (let j = from; j < from + n; j++) hash = Math.imul(hash ^ pair[byRow[j]!]!, 0x9e3779b1);
        const prior = lists.get(hash);
        if (prior === undefined) keepAs = hash;
        else {
          // One object per pair here (`shared`): the same pairs are the same objects.
          let same = prior.length === n;
          for (let j = 0; same && j < n; j++) same = prior[j] === shared![pair[byRow[from + j]!]!];
          if (same) {
            markSharedEnrollments(prior);
            out[k] = prior;
            continue;
          }
        }
      }
      const arr = new Array<Enrollment>(n);
      for (let j = 0; j < n; j++) arr[j] = made(byRow[from + j]!);
      if (keepAs !== undefined) lists!.set(keepAs, arr);
      out[k] = arr;
    }
    return { byPerson: out, rows };
  } catch {
    return undefined;
  }
}

/** Write the cache for `key` (replacing any other); failures are ignored. `classes`: the roster's, in roster order. */
export async function saveEnrollmentCache(dir: string, key: string, size: number, owners: Int32Array, list: readonly Enrollment[], classes: readonly ClassSection[]): Promise<void> {
  const rows = list.length;
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
  for (let i = 0; i < rows; i++) {
    const e = list[i]!;
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
    rowPair[i] = q;
    strings.add(id);
  }
  const pairs = pairClass.length;
  const ints = new Int32Array(2 * rows + 2 * pairs);
  ints.set(owners.subarray(0, rows), 0);
  ints.set(rowPair, rows);
  ints.set(pairClass, 2 * rows);
  ints.set(pairCombo, 2 * rows + pairs);
  const extra: Extra = { rows, pairs, combos };
  await strings.finish({ kind: KIND, key, size, ...extra }, ints);
}

function optString(v: unknown): boolean {
  return v === null || typeof v === 'string';
}
