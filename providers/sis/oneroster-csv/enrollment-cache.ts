import type { ClassSection, Enrollment } from '../../../engine/model/people.js';
import type { Interner } from '../csv-util/intern.js';
import { CacheWriter, readCacheFile } from './cache-file.js';
import { makeEnrollment } from './row-values.js';
import { type RecordMaker, sharedEnrollment } from './record-maker.js';

/**
 * "Refresh once, plan many": the enrollments read from a clean bulk enrollments.csv (no
 * warning, no error), kept in a compact file (cache-file.ts) so the next read of the same
 * export skips parsing the biggest file. Reading enrollments.csv depends only on its bytes and
 * on the files read before it, so those digests make the key. Bump CACHE_VERSION whenever
 * reading enrollments changes meaning.
 *
 * Columns: person index (file position), class (position in the roster's classes, which the
 * files in the key decide), value combination (role, primary, dates); strings: the ids.
 */

const KIND = 'enrollments';
export const CACHE_FILE = `${KIND}.bin`;

interface Extra {
  rows: number;
  /** role, primary, beginDate, endDate */
  combos: [string, boolean, string | null, string | null][];
}

export interface CachedEnrollments {
  owners: Int32Array;
  list: Enrollment[];
}

/** The cached enrollments for `key`, or undefined (missing, stale, corrupt: then parse). */
export async function loadEnrollmentCache(
  dir: string,
  key: string,
  /** The roster's classes, in roster order. */
  classes: readonly ClassSection[],
  people: number,
  intern: Interner,
  records: RecordMaker,
): Promise<CachedEnrollments | undefined> {
  const c = await readCacheFile<Extra>(dir, CACHE_FILE, KIND, key);
  if (!c) return undefined;
  try {
    const { header: h, ints, strings } = c;
    const rows = h.rows;
    if (!Number.isInteger(rows) || ints.length !== 3 * rows || !Array.isArray(h.combos)) return undefined;
    const values = h.combos.map(([role, primary, begin, end]) => {
      if (typeof role !== 'string' || typeof primary !== 'boolean' || !optString(begin) || !optString(end)) throw new Error('combo');
      return { role: intern.get(role), primary, begin: begin === null ? undefined : intern.get(begin), end: end === null ? undefined : intern.get(end) };
    });
    const list = new Array<Enrollment>(rows);
    // Without ids, enrollments alike are one object (as records.enrollment makes them), found
    // here by class and combination index rather than by hashing the class id per row.
    const shared = records.keepIds ? undefined : new Array<Enrollment | undefined>(classes.length * values.length);
    for (let i = 0; i < rows; i++) {
      const o = ints[i]!;
      const cl = ints[rows + i]!;
      const combo = ints[2 * rows + i]!;
      const v = values[combo];
      if (o < 0 || o >= people || cl < 0 || cl >= classes.length || v === undefined) return undefined;
      if (shared) {
        const slot = cl * values.length + combo;
        list[i] = shared[slot] ??= sharedEnrollment(classes[cl]!.sourcedId, v.role, v.primary, v.begin, v.end);
        continue;
      }
      const id = strings.next();
      if (id === '') return undefined;
      list[i] = makeEnrollment(classes[cl]!.sourcedId, v.role, v.primary, id, v.begin, v.end);
    }
    if (shared ? strings.count() !== rows : !strings.done()) return undefined;
    return { owners: ints.slice(0, rows), list };
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
  const extra: Extra = { rows, combos: [] };
  const ints = new Int32Array(3 * rows);
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
        v = extra.combos.length;
        comboIndex.set(ck, v);
        extra.combos.push([e.role, e.primary, e.beginDate ?? null, e.endDate ?? null]);
      }
      last = e;
      lastCombo = v;
    }
    ints[i] = owners[i]!;
    ints[rows + i] = c;
    ints[2 * rows + i] = lastCombo;
    strings.add(id);
  }
  await strings.finish({ kind: KIND, key, size, ...extra }, ints);
}

function optString(v: unknown): boolean {
  return v === null || typeof v === 'string';
}
