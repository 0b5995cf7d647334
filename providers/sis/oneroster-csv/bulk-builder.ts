import { createHash } from 'node:crypto';
import type { AcademicSession, ClassSection, Enrollment, Org, Person, PersonRole, Roster } from '../../../engine/model/people.js';
import type { DiagnosticSink } from '../csv-util/diagnostic-sink.js';
import type { LaneTargets } from './enrollment-lane.js';
import type { PeopleTargets } from './people-lane.js';
import type { ClassTargets } from './class-lane.js';
import type { TableName } from './columns.js';
import { sortPerson, valuesBySourcedId } from './order.js';
import { ENROLLMENTS_TO_COME, ROLES_TO_COME } from './people-cache.js';
import type { ParseCtx } from './parse.js';
import { colLookup, type RecordSink } from './record-sink.js';
import type { CourseValue, EnrollmentValue, Rec, RoleValue, UserValue } from './records.js';
import { checkClass, checkCourse, checkEnrollment, checkOrg, checkRole, checkSession, checkUser, type RefIndex } from './refs.js';

/**
 * Bulk: one pass, no intermediate arrays. Files arrive in reference order, so every
 * reference can be checked the moment its row is read, against maps that are complete.
 */
export class BulkBuilder implements RecordSink {
  private readonly orgs = new Map<string, Org>();
  private readonly sessions = new Map<string, AcademicSession>();
  private readonly courses = new Set<string>();
  /** sourcedId -> class; made on first use when the classes came from the parse cache. */
  private classIndex: Map<string, ClassSection> | undefined;
  /** The classes in roster order, once classes.csv is read (from the parse cache, or sorted on first use). */
  private classList: ClassSection[] | undefined;
  /**
   * sourcedId -> index in `people` (the lane stages enrollments by that index). Made on first
   * use: a read whose users, roles and enrollments all come from the parse cache never needs it.
   */
  private userIndex: Map<string, number> | undefined;
  private people: Person[] = [];
  /** People from the parse cache in roster order, with the file position of each. */
  private cachedOrder: { sorted: Person[]; at: Int32Array } | undefined;
  /** File positions in roster order, as finish() made the roster (for the users cache). */
  private order: ArrayLike<number> | undefined;
  /** Enrollments taken by the fast lane, and the index of their person. */
  private staged: Enrollment[] = [];
  private owners: Int32Array = new Int32Array(1024);
  private readonly deleted = new Set<string>();
  private readonly broken = new Set<string>();
  private readonly pending: Rec<Org | AcademicSession>[] = [];
  private readonly present = new Set<TableName>();
  private readonly idx: RefIndex;

  constructor(
    private readonly sink: DiagnosticSink,
    ctx: ParseCtx,
    private readonly format: Roster['sourceFormat'],
  ) {
    const present = this.present;
    const orgs = this.orgs;
    const sessions = this.sessions;
    const courses = this.courses;
    const classes = () => this.classes;
    // Getters: a file absent from the set means its references cannot be checked.
    this.idx = {
      get orgs() {
        return present.has('orgs') ? orgs : undefined;
      },
      get sessions() {
        return present.has('academicSessions') ? sessions : undefined;
      },
      get courses() {
        return present.has('courses') ? courses : undefined;
      },
      get classes() {
        return present.has('classes') ? classes() : undefined;
      },
      users: { has: (k: string) => this.person(k) !== undefined } as ReadonlySet<string>,
      deleted: this.deleted,
      broken: this.broken,
      col: colLookup(ctx),
    };
  }

  private get classes(): Map<string, ClassSection> {
    if (this.classIndex === undefined) {
      const map = new Map<string, ClassSection>();
      for (const c of this.classList ?? []) map.set(c.sourcedId, c);
      this.classIndex = map;
    }
    return this.classIndex;
  }

  /** The classes in roster order (sourcedId); call only once classes.csv is read. */
  rosterClasses(): readonly ClassSection[] {
    return (this.classList ??= valuesBySourcedId(this.classes));
  }

  /** Classes from the parse cache, in roster order (what cls() would have added). Only in place of classes.csv. */
  restoreClasses(sorted: ClassSection[]): void {
    if (this.classIndex !== undefined || this.classList !== undefined) throw new Error('restoreClasses: classes already read');
    this.classList = sorted;
  }

  private get users(): Map<string, number> {
    if (this.userIndex === undefined) {
      const map = new Map<string, number>();
      for (let i = 0; i < this.people.length; i++) map.set(this.people[i]!.sourcedId, i);
      this.userIndex = map;
    }
    return this.userIndex;
  }

  // roles.csv and enrollments.csv come grouped by user: look each user up once per run of rows.
  private lastUid: string | undefined;
  private lastIndex: number | undefined;
  private index(id: string): number | undefined {
    if (id !== this.lastUid) {
      this.lastUid = id;
      this.lastIndex = this.users.get(id);
    }
    return this.lastIndex;
  }
  private person(id: string): Person | undefined {
    const i = this.index(id);
    return i === undefined ? undefined : this.people[i];
  }

  /** Roles read from roles.csv, with the index of their person, in file order (for the parse cache). */
  private roleLog: { owners: number[]; roles: PersonRole[] } | undefined;
  logRoles(): { owners: number[]; roles: PersonRole[] } {
    return (this.roleLog ??= { owners: [], roles: [] });
  }

  /**
   * People from the parse cache (what user() would have added): `inFile` in file order, and
   * the same people in roster order with their file positions. Only in place of users.csv.
   */
  restoreUsers(inFile: Person[], sorted: Person[], at: Int32Array): void {
    if (this.people.length !== 0) throw new Error('restoreUsers: people already read');
    this.people = inFile;
    this.userIndex = undefined;
    this.cachedOrder = { sorted, at };
    this.lastUid = undefined;
  }

  /** People whose roles array was made at its final size (restoreRoles), by file position. */
  private rolesExact: Uint8Array | undefined;

  /**
   * Roles from the parse cache, in file order (what role() would have added), each person's in
   * one exactly-sized array: no growth by push (a first push makes room for 16) and no
   * trimming copy when the roster is built.
   */
  restoreRoles(owners: Int32Array, roles: readonly PersonRole[]): void {
    this.rolesExact = appendExactly(this.people, 'roles', owners, roles, roles.length, this.memoryOrder());
  }

  /**
   * The file positions of people in the order they were made, when that is not file order:
   * people from the parse cache are made in roster order (people-cache.ts), and what is made
   * for each of them (their lists) is made in the same order, so it sits beside them.
   */
  private memoryOrder(): Int32Array | undefined {
    return this.cachedOrder?.at;
  }

  /** The orgs read, when orgs.csv was in the set. */
  orgIndex(): ReadonlyMap<string, Org> | undefined {
    return this.present.has('orgs') ? this.orgs : undefined;
  }

  /** People in file order (for the parse cache). */
  peopleInFileOrder(): readonly Person[] {
    return this.people;
  }

  /** After finish(): the file position of each person in roster order (for the users cache). */
  rosterOrder(): ArrayLike<number> | undefined {
    return this.order;
  }

  laneTargets(): LaneTargets | undefined {
    if (!this.present.has('orgs') || !this.present.has('classes') || !this.present.has('users')) return undefined;
    const classes = () => this.classes;
    return {
      // Only a parse of enrollments.csv looks classes up by id: a read from the cache never makes the map.
      get classes() {
        return classes();
      },
      orgs: this.orgs,
      person: (id) => this.users.get(id) ?? -1,
      stage: (owner, e) => this.stage(owner, e),
    };
  }

  /** What the classes lane needs (orgs.csv read; courses and terms checked when their files are in the set). */
  classTargets(): ClassTargets | undefined {
    if (!this.present.has('orgs')) return undefined;
    return {
      orgs: this.orgs,
      courses: this.idx.courses,
      sessions: this.idx.sessions,
      addClass: (c) => this.classes.set(c.sourcedId, c),
    };
  }

  /** What the users and roles lanes need (orgs.csv read: references to orgs can be checked). */
  peopleTargets(): PeopleTargets | undefined {
    if (!this.present.has('orgs')) return undefined;
    return {
      orgs: this.orgs,
      addPerson: (p) => this.addPerson(p),
      person: (id) => this.users.get(id) ?? -1,
      addRole: (owner, r) => this.addRole(owner, r),
    };
  }

  /**
   * What the files read after `table` can see of it, hashed, for their cache keys
   * (table-cache.ts): the ids it gave, in the order later files index them, and the ids it
   * deleted or dropped as broken (refs.ts). Later files look at courses, classes and users by
   * id only: classes.csv checks a course exists; enrollments.csv checks a class exists and the
   * enrollments cache holds classes by their position in roster order (sorted ids); roles.csv
   * and enrollments.csv look users up by id, and their caches hold people by file position
   * (roles.bin) or by position in roster order (enrollments.bin), both decided by the ids in
   * file order. So a
   * new class title, or a new name in users.csv, gives the same value, and the caches of the
   * files after it still serve.
   */
  references(table: 'courses' | 'classes' | 'users'): string {
    const ids = table === 'users' ? this.people.map((p) => p.sourcedId) : table === 'classes' ? this.rosterClasses().map((c) => c.sourcedId) : [...this.courses].sort();
    const own = (set: ReadonlySet<string>): string[] => [...set].filter((k) => k.startsWith(`${table}:`)).sort();
    const h = createHash('sha256');
    h.update(`rollcall ${table}.csv references 1\n`);
    h.update(JSON.stringify(ids));
    h.update(JSON.stringify([own(this.deleted), own(this.broken)]));
    return h.digest('hex');
  }

  invalid(table: TableName, id: string): void {
    this.broken.add(`${table}:${id}`);
  }

  brokenOrgs(): ReadonlySet<string> {
    return new Set([...this.broken].filter((k) => k.startsWith('orgs:')).map((k) => k.slice(5)));
  }

  private gone(table: string, r: Rec<unknown>): boolean {
    if (r.status !== 'tobedeleted') return false;
    this.deleted.add(`${table}:${r.sourcedId}`);
    return true;
  }

  org(r: Rec<Org>): void {
    if (this.gone('orgs', r)) return;
    this.orgs.set(r.sourcedId, r.value!);
    if (r.value!.parentSourcedId) this.pending.push(r);
  }
  session(r: Rec<AcademicSession>): void {
    if (this.gone('academicSessions', r)) return;
    this.sessions.set(r.sourcedId, r.value!);
    if (r.value!.parentSourcedId) this.pending.push(r);
  }
  course(r: Rec<CourseValue>): void {
    if (this.gone('courses', r)) return;
    // A record dropped for a bad reference is marked broken, so its dependants do not cascade errors.
    if (checkCourse(this.sink, this.idx, r)) this.courses.add(r.sourcedId);
    else this.invalid('courses', r.sourcedId);
  }
  cls(r: Rec<ClassSection>): void {
    if (this.gone('classes', r)) return;
    if (checkClass(this.sink, this.idx, r)) this.classes.set(r.sourcedId, r.value!);
    else this.invalid('classes', r.sourcedId);
  }
  user(r: Rec<UserValue>): void {
    if (this.gone('users', r)) return;
    checkUser(this.sink, this.idx, r);
    this.addPerson(r.value!.person);
  }
  /** The reference checks `user` makes of a row, reported to `sink` (a patched row, users-patch.ts). */
  userRowOk(r: Rec<UserValue>, sink: DiagnosticSink): boolean {
    return checkUser(sink, this.idx, r);
  }
  private addPerson(p: Person): void {
    this.users.set(p.sourcedId, this.people.length);
    this.people.push(p);
    this.lastUid = undefined;
  }
  role(r: Rec<RoleValue>): void {
    if (this.gone('roles', r)) return;
    // The user may be missing because its own row was invalid (reported there): skip quietly.
    if (!checkRole(this.sink, this.idx, r)) return;
    const i = this.index(r.value!.userSourcedId);
    if (i === undefined) return;
    this.addRole(i, r.value!.role);
  }
  private addRole(i: number, role: PersonRole): void {
    const p = this.people[i]!;
    if (p.roles === ROLES_TO_COME) p.roles = [];
    p.roles.push(role);
    if (this.roleLog) {
      this.roleLog.owners.push(i);
      this.roleLog.roles.push(role);
    }
  }
  enrollment(r: Rec<EnrollmentValue>): void {
    if (this.gone('enrollments', r)) return;
    if (!checkEnrollment(this.sink, this.idx, r)) return;
    const v = r.value!;
    if (this.present.has('classes') && !this.classes.has(v.enrollment.classSourcedId)) return;
    // Staged like the lane's, so every enrollment of the file is kept in file order (enrollment-cache.ts).
    const owner = this.users.get(v.userSourcedId);
    if (owner !== undefined) this.stage(owner, v.enrollment);
  }

  private stage(owner: number, e: Enrollment): void {
    const n = this.staged.length;
    if (n === this.owners.length) {
      const grown = new Int32Array(n * 2);
      grown.set(this.owners);
      this.owners = grown;
    }
    this.owners[n] = owner;
    this.staged.push(e);
  }

  /** The enrollments read so far, in file order, with the index of their person (for the parse cache). */
  stagedEnrollments(): { owners: Int32Array; list: readonly Enrollment[]; people: readonly Person[] } {
    return { owners: this.owners.subarray(0, this.staged.length), list: this.staged, people: this.people };
  }

  /** People whose enrollments came from the parse cache, exactly sized and already in order, by file position. */
  private enrollmentsPlaced: Uint8Array | undefined;

  /**
   * A cached enrollments file: each person's enrollments (by position in roster order), exactly
   * sized and in roster order. Only in place of enrollments.csv, which is then the only source of them.
   */
  restoreEnrollments(byRoster: readonly (Enrollment[] | undefined)[]): void {
    const people = this.people;
    if (byRoster.length !== people.length || this.staged.length !== 0) throw new Error('restoreEnrollments: enrollments already read');
    const order = this.peopleOrder();
    const placed = new Uint8Array(people.length);
    for (let k = 0; k < people.length; k++) {
      const e = byRoster[k];
      if (e === undefined) continue;
      const i = order[k]!;
      const p = people[i]!;
      if (p.enrollments.length !== 0) throw new Error('restoreEnrollments: enrollments already read');
      p.enrollments = e;
      placed[i] = 1;
    }
    this.enrollmentsPlaced = placed;
  }

  /** The file positions of people in roster order: as cached, or sorted once (finish() reuses it). */
  private peopleOrder(): ArrayLike<number> {
    const cached = this.cachedOrder;
    if (cached && cached.sorted.length === this.people.length) return cached.at;
    return (this.order ??= valuesBySourcedId(this.users));
  }

  end(table: TableName, mode: 'bulk' | 'delta' | undefined): void {
    if (mode) this.present.add(table);
    if (table === 'orgs') for (const r of this.pending.splice(0)) checkOrg(this.sink, this.idx, r as Rec<Org>);
    if (table === 'academicSessions') for (const r of this.pending.splice(0)) checkSession(this.sink, this.idx, r as Rec<AcademicSession>);
  }

  /**
   * Give each person its lane-read enrollments in one exactly-sized array (after any read the
   * general way): no growth by push, and no trimming copy afterwards.
   */
  private placeStaged(): Uint8Array {
    const exact = appendExactly(this.people, 'enrollments', this.owners, this.staged, this.staged.length, this.memoryOrder());
    this.staged = [];
    this.owners = new Int32Array(0);
    return exact;
  }

  finish(): Roster {
    const exact = this.placeStaged();
    const all = this.people;
    // In the order people sit in memory: far fewer cache misses at 1M.
    const rolesExact = this.rolesExact;
    const placed = this.enrollmentsPlaced;
    const visit = this.memoryOrder();
    for (let j = 0; j < all.length; j++) {
      const i = visit ? visit[j]! : j;
      const p = all[i]!;
      if (p.roles === ROLES_TO_COME) p.roles = [];
      if (p.enrollments === ENROLLMENTS_TO_COME) p.enrollments = [];
      const sorted = placed !== undefined && placed[i] === 1;
      sortPerson(p, sorted || exact[i] === 1, rolesExact !== undefined && rolesExact[i] === 1, sorted);
    }
    let people: Person[];
    const cached = this.cachedOrder;
    const order = this.peopleOrder();
    if (cached && order === cached.at) people = cached.sorted;
    else {
      people = new Array<Person>(order.length);
      for (let k = 0; k < order.length; k++) people[k] = all[order[k]!]!;
    }
    this.order = order;
    return {
      sourceFormat: this.format,
      mode: 'bulk',
      orgs: valuesBySourcedId(this.orgs),
      people,
      classes: this.rosterClasses() as ClassSection[],
      academicSessions: valuesBySourcedId(this.sessions),
    };
  }
}

/**
 * Append items[i] (i < n) to the `field` list of people[owners[i]], in order. Each list that
 * receives any is replaced once by an array of its final size: no growth by push (a first
 * push makes room for 16) and no trimming copy later. Returns which people got a new list.
 */
function appendExactly<F extends 'roles' | 'enrollments'>(people: readonly Person[], field: F, owners: Int32Array, items: readonly Person[F][number][], n: number, visit: Int32Array | undefined): Uint8Array {
  const exact = new Uint8Array(people.length);
  if (n === 0) return exact;
  const count = new Int32Array(people.length);
  for (let i = 0; i < n; i++) count[owners[i]!]!++;
  const fill = new Int32Array(people.length);
  // The new lists are made in `visit` order (BulkBuilder.memoryOrder), beside their people.
  for (let j = 0; j < people.length; j++) {
    const k = visit ? visit[j]! : j;
    if (count[k] === 0) continue;
    const p = people[k]!;
    const had = p[field];
    const arr = new Array<Person[F][number]>(had.length + count[k]!);
    for (let j = 0; j < had.length; j++) arr[j] = had[j]!;
    fill[k] = had.length;
    p[field] = arr as Person[F];
    exact[k] = 1;
  }
  for (let i = 0; i < n; i++) {
    const k = owners[i]!;
    (people[k]![field] as Person[F][number][])[fill[k]!++] = items[i]!;
  }
  return exact;
}
