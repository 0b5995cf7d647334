import type { ClassSection } from '../../../engine/model/people.js';
import type { Interner } from '../csv-util/intern.js';
import { CacheWriter, readCacheFile, valueIndexer } from './cache-file.js';

/**
 * The parse cache for a clean bulk classes.csv: the classes the read kept, in roster order
 * (sourcedId, code-unit order), rebuilt with the object shape the parse makes (row-values.ts
 * classValue, class-lane.ts). What a class row gives depends on the file and on orgs, courses
 * and terms read before it, which the key holds (table-cache.ts): orgs and terms by their
 * digests, courses by their ids (a class only checks its course exists).
 *
 * Columns: school, course (indexes into the header's values), term count, then every term
 * index; strings: sourcedId, title, classCode of each class.
 */

export const CLASSES_KIND = 'classes';

interface ClassesExtra {
  rows: number;
  values: string[];
  termCount: number;
}

/** Classes in roster order; undefined when the cache is not usable. */
export async function loadClassesCache(dir: string, key: string, intern: Interner): Promise<ClassSection[] | undefined> {
  const c = await readCacheFile<ClassesExtra>(dir, `${CLASSES_KIND}.bin`, CLASSES_KIND, key);
  if (!c) return undefined;
  try {
    const { header: h, ints, strings } = c;
    const n = h.rows;
    if (!Number.isInteger(n) || !Number.isInteger(h.termCount) || !Array.isArray(h.values) || ints.length !== 3 * n + h.termCount) return undefined;
    const values = h.values.map((v) => intern.get(String(v)));
    const classes = new Array<ClassSection>(n);
    let ti = 3 * n;
    let prev = '';
    for (let i = 0; i < n; i++) {
      const sourcedId = strings.next();
      // Made in roster order, so the order is checked as they come: each id above the one before.
      if (i > 0 && !(prev < sourcedId)) return undefined;
      prev = sourcedId;
      const school = values[ints[i]!];
      const course = values[ints[n + i]!];
      const nt = ints[2 * n + i]!;
      if (school === undefined || course === undefined || nt < 0) return undefined;
      const terms = new Array<string>(nt);
      for (let k = 0; k < nt; k++) {
        const t = values[ints[ti++]!];
        if (t === undefined) return undefined;
        terms[k] = t;
      }
      // The literal of row-values.ts classValue, field for field and in its order.
      classes[i] = {
        sourcedId,
        title: strings.next(),
        classCode: strings.next(),
        schoolSourcedId: school,
        courseSourcedId: course,
        termSourcedIds: terms,
      };
    }
    if (ti !== ints.length || !strings.done()) return undefined;
    return classes;
  } catch {
    return undefined;
  }
}

/** `classes` in roster order (as the roster has them); nothing is written unless ids strictly rise. */
export async function saveClassesCache(dir: string, key: string, size: number, classes: readonly ClassSection[]): Promise<void> {
  const n = classes.length;
  const extra: ClassesExtra = { rows: n, values: [], termCount: 0 };
  for (const c of classes) extra.termCount += c.termSourcedIds.length;
  const value = valueIndexer(extra.values);
  const ints = new Int32Array(3 * n + extra.termCount);
  const strings = CacheWriter.open(dir, `${CLASSES_KIND}.bin`);
  if (!strings) return;
  let ti = 3 * n;
  for (let i = 0; i < n; i++) {
    const c = classes[i]!;
    if (i > 0 && !(classes[i - 1]!.sourcedId < c.sourcedId)) return strings.abort();
    ints[i] = value(c.schoolSourcedId);
    ints[n + i] = value(c.courseSourcedId);
    ints[2 * n + i] = c.termSourcedIds.length;
    for (const t of c.termSourcedIds) ints[ti++] = value(t);
    strings.add(c.sourcedId);
    strings.add(c.title);
    strings.add(c.classCode);
  }
  await strings.finish({ kind: CLASSES_KIND, key, size, ...extra }, ints);
}
