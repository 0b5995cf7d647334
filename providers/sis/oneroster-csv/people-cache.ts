import type { Enrollment, Org, Person, PersonRole } from '../../../engine/model/people.js';
import type { Interner } from '../csv-util/intern.js';
import { CacheWriter, readCacheFile, valueIndexer } from './cache-file.js';
import type { RecordMaker } from './record-maker.js';

/**
 * The parse cache for a clean bulk users.csv (1.2 layout: roles come from roles.csv) and
 * roles.csv: what the reader made of each row, rebuilt with the very object shapes the parse
 * makes (row-values.ts userValue and roleValue), so a cached roster is the parsed one.
 */

export const USERS_KIND = 'users';

/**
 * What people from the cache hold for roles and enrollments until their own lists are made
 * (BulkBuilder makes every person's own array before the roster is built): two million empty
 * arrays fewer for the young-generation GC to copy at a million people. Frozen, so a push onto
 * one fails loudly instead of reaching everyone.
 */
export const ROLES_TO_COME: PersonRole[] = Object.freeze([]) as unknown as PersonRole[];
export const ENROLLMENTS_TO_COME: Enrollment[] = Object.freeze([]) as unknown as Enrollment[];
export const ROLES_KIND = 'roles';

interface UsersExtra {
  rows: number;
  file: string;
  /** BulkBuilder.references('users') of the read that wrote the cache. */
  refs: string;
  grades: string[];
  types: string[];
  gradeCount: number;
  idCount: number;
  /**
   * Lines of the users.csv it was read from, when each row sat on a line of its own, with a
   * hash of each stored after the other columns (line-hashes.ts); absent or 0: none stored.
   */
  lines?: number;
  /** The key without the file's digest (`base` in table-cache.ts throughCache): what a patch must match. */
  base?: string;
}

/** What refresh keeps of the export's lines for a later patch (users-patch.ts). */
export interface UsersLines {
  hashes: Int32Array;
  base: string;
}

/**
 * People from the cache, without roles or enrollments: `inFile` in file order (roles name
 * people by file position), `sorted` the same objects in roster order (sourcedId, code-unit
 * order, as order.ts sorts them), and `at`, the file position of each in `sorted`. People are
 * made in roster order, the order resolve and the diff walk them: with ids in no particular
 * order in the file (GUIDs), people made in file order sat at random places in memory for
 * those walks (a million-person plan's resolve and diff took 4-6 s longer).
 */
export interface CachedPeople {
  sorted: Person[];
  inFile: Person[];
  at: Int32Array;
  /** What the files after users.csv see of it (BulkBuilder.references), as the parse worked it out. */
  refs: string;
}

/**
 * The roster order is stored (file positions in sourcedId order, the first column; every
 * other column, and the strings, per person in that order), so a read from the cache needs no
 * sort and no map of a million ids. The writer checked that order id by id; here it must hold
 * every position once, and the CRC and the key stand for the rest. Undefined when the cache
 * is not usable. `byBase`: `key` is the cache's base (a read to be patched, users-patch.ts);
 * `accept` then sees the stored line hashes before any person is made, and can turn the cache
 * down.
 */
export async function loadUsersCache(dir: string, key: string, intern: Interner, opts: { byBase?: boolean; accept?: (lines: Int32Array) => boolean } = {}): Promise<CachedPeople | undefined> {
  const c = await readCacheFile<UsersExtra>(dir, `${USERS_KIND}.bin`, USERS_KIND, key, opts.byBase ? { keyField: 'base' } : {});
  if (!c) return undefined;
  try {
    const { header: h, ints, strings } = c;
    const n = h.rows;
    if (!Number.isInteger(n) || typeof h.file !== 'string' || typeof h.refs !== 'string' || !Array.isArray(h.grades) || !Array.isArray(h.types)) return undefined;
    const lines = h.lines ?? 0;
    if (!Number.isInteger(h.gradeCount) || !Number.isInteger(h.idCount) || !Number.isInteger(lines) || lines < 0) return undefined;
    const columns = 5 * n + h.gradeCount + h.idCount;
    if (ints.length !== columns + 2 * lines) return undefined;
    if (opts.accept && !opts.accept(ints.subarray(columns))) return undefined;
    const grades = h.grades.map((g) => intern.get(String(g)));
    const types = h.types.map((t) => intern.get(String(t)));
    const file = h.file;
    const at = ints.slice(0, n);
    const placed = new Uint8Array(n);
    for (let k = 0; k < n; k++) {
      const i = at[k]!;
      if (!(i >= 0 && i < n) || placed[i] === 1) return undefined;
      placed[i] = 1;
    }
    let gi = 5 * n;
    let ti = 5 * n + h.gradeCount;
    const inFile = new Array<Person>(n);
    const sorted = new Array<Person>(n);
    // In roster order (see CachedPeople); strings and columns are stored in that order.
    for (let k = 0; k < n; k++) {
      const sourcedId = strings.next();
      const sisUsername = strings.next();
      const identifier = strings.next();
      const ng = ints[3 * n + k]!;
      const nu = ints[4 * n + k]!;
      if (ng < 0 || nu < 0) return undefined;
      const userIds = new Array<{ type: string; identifier: string }>(nu);
      for (let j = 0; j < nu; j++) {
        const type = types[ints[ti++]!];
        if (type === undefined) return undefined;
        userIds[j] = { type, identifier: strings.next() };
      }
      const g = new Array<string>(ng);
      for (let j = 0; j < ng; j++) {
        const v = grades[ints[gi++]!];
        if (v === undefined) return undefined;
        g[j] = v;
      }
      const enabled = ints[2 * n + k];
      if (enabled !== 0 && enabled !== 1) return undefined;
      // The literal of row-values.ts userValue, field for field and in its order.
      const p: Person = {
        sourcedId,
        enabledUser: enabled === 1,
        sisUsername,
        identifier,
        userIds,
        givenName: strings.next(),
        familyName: strings.next(),
        middleName: strings.next(),
        preferredGivenName: strings.next(),
        preferredFamilyName: strings.next(),
        preferredMiddleName: strings.next(),
        email: strings.next(),
        grades: g,
        roles: ROLES_TO_COME,
        enrollments: ENROLLMENTS_TO_COME,
        source: { file, line: ints[n + k]! },
      };
      sorted[k] = p;
      inFile[at[k]!] = p;
    }
    if (gi !== 5 * n + h.gradeCount || ti !== columns || !strings.done()) return undefined;
    return { sorted, inFile, at, refs: h.refs };
  } catch {
    return undefined;
  }
}

/**
 * `people` in file order; `order`, their file positions in sourcedId order (what the roster
 * was built with). Nothing is written unless `order` holds every position once with ids
 * strictly rising (a users.csv with a repeated id is never cached anyway).
 */
export async function saveUsersCache(dir: string, key: string, size: number, file: string, people: readonly Person[], order: ArrayLike<number>, refs: string, lines?: UsersLines): Promise<void> {
  const n = people.length;
  if (order.length !== n) return;
  const extra: UsersExtra = { rows: n, file, refs, grades: [], types: [], gradeCount: 0, idCount: 0 };
  for (const p of people) {
    extra.gradeCount += p.grades.length;
    extra.idCount += p.userIds.length;
  }
  const columns = 5 * n + extra.gradeCount + extra.idCount;
  const ints = new Int32Array(columns + (lines ? lines.hashes.length : 0));
  if (lines) {
    extra.lines = lines.hashes.length / 2;
    extra.base = lines.base;
    ints.set(lines.hashes, columns);
  }
  const strings = CacheWriter.open(dir, `${USERS_KIND}.bin`);
  if (!strings) return;
  let gi = 5 * n;
  let ti = 5 * n + extra.gradeCount;
  const typeOf = valueIndexer(extra.types);
  const gradeOf = valueIndexer(extra.grades);
  for (let k = 0; k < n; k++) {
    const p = people[order[k]!];
    if (p === undefined || (k > 0 && !(people[order[k - 1]!]!.sourcedId < p.sourcedId))) return strings.abort();
    ints[k] = order[k]!;
  }
  for (let k = 0; k < n; k++) {
    const p = people[order[k]!]!;
    ints[n + k] = p.source.line ?? 0;
    ints[2 * n + k] = p.enabledUser ? 1 : 0;
    ints[3 * n + k] = p.grades.length;
    ints[4 * n + k] = p.userIds.length;
    strings.add(p.sourcedId);
    strings.add(p.sisUsername);
    strings.add(p.identifier);
    for (const u of p.userIds) {
      ints[ti++] = typeOf(u.type);
      strings.add(u.identifier);
    }
    for (const g of p.grades) ints[gi++] = gradeOf(g);
    strings.add(p.givenName);
    strings.add(p.familyName);
    strings.add(p.middleName);
    strings.add(p.preferredGivenName);
    strings.add(p.preferredFamilyName);
    strings.add(p.preferredMiddleName);
    strings.add(p.email);
  }
  await strings.finish({ kind: USERS_KIND, key, size, ...extra }, ints);
}

interface RolesExtra {
  rows: number;
  values: string[];
}

export interface CachedRoles {
  owners: Int32Array;
  roles: PersonRole[];
}

/** Roles in file order with the index of their person; undefined when the cache is not usable. */
export async function loadRolesCache(dir: string, key: string, people: number, orgs: ReadonlyMap<string, Org> | undefined, intern: Interner, records: RecordMaker): Promise<CachedRoles | undefined> {
  const c = await readCacheFile<RolesExtra>(dir, `${ROLES_KIND}.bin`, ROLES_KIND, key, { strings: records.keepIds });
  if (!c) return undefined;
  try {
    const { header: h, ints, strings } = c;
    const n = h.rows;
    if (!Number.isInteger(n) || ints.length !== 6 * n || !Array.isArray(h.values)) return undefined;
    const values = h.values.map((v) => intern.get(String(v)));
    const roles = new Array<PersonRole>(n);
    for (let i = 0; i < n; i++) {
      const owner = ints[i]!;
      const role = values[ints[n + i]!];
      const org = values[ints[2 * n + i]!];
      const type = ints[3 * n + i];
      const b = ints[4 * n + i]!;
      const e = ints[5 * n + i]!;
      if (owner < 0 || owner >= people || role === undefined || org === undefined || (type !== 0 && type !== 1)) return undefined;
      if (orgs && !orgs.has(org)) return undefined;
      const begin = b >= 0 ? values[b] : undefined;
      const end = e >= 0 ? values[e] : undefined;
      if ((b >= 0 && begin === undefined) || (e >= 0 && end === undefined)) return undefined;
      // Without ids (a read that keeps none) the id strings are not even cut out of the chunks.
      roles[i] = records.role(role, org, type === 0 ? 'primary' : 'secondary', records.keepIds ? strings.next() : '', begin, end);
    }
    if (records.keepIds ? !strings.done() : strings.count() !== n) return undefined;
    return { owners: ints.slice(0, n), roles };
  } catch {
    return undefined;
  }
}

export async function saveRolesCache(dir: string, key: string, size: number, owners: readonly number[], roles: readonly PersonRole[]): Promise<void> {
  const n = roles.length;
  const extra: RolesExtra = { rows: n, values: [] };
  const value = valueIndexer(extra.values);
  const ints = new Int32Array(6 * n);
  const strings = CacheWriter.open(dir, `${ROLES_KIND}.bin`);
  if (!strings) return;
  for (let i = 0; i < n; i++) {
    const r = roles[i]!;
    if (r.sourcedId === undefined) return strings.abort();
    ints[i] = owners[i]!;
    ints[n + i] = value(r.role);
    ints[2 * n + i] = value(r.orgSourcedId);
    ints[3 * n + i] = r.roleType === 'primary' ? 0 : 1;
    ints[4 * n + i] = r.beginDate ? value(r.beginDate) : -1;
    ints[5 * n + i] = r.endDate ? value(r.endDate) : -1;
    strings.add(r.sourcedId);
  }
  await strings.finish({ kind: ROLES_KIND, key, size, ...extra }, ints);
}
