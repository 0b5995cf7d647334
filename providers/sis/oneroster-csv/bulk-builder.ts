import type { AcademicSession, ClassSection, Org, Person, Roster } from '../../../engine/model/people.js';
import type { DiagnosticSink } from '../csv-util/diagnostic-sink.js';
import type { LaneTargets } from './enrollment-lane.js';
import type { TableName } from './columns.js';
import { sortPerson, valuesBySourcedId } from './order.js';
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
  private readonly classes = new Map<string, ClassSection>();
  private readonly users = new Map<string, Person>();
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
    const classes = this.classes;
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
        return present.has('classes') ? classes : undefined;
      },
      users: { has: (k: string) => this.person(k) !== undefined } as ReadonlySet<string>,
      deleted: this.deleted,
      broken: this.broken,
      col: colLookup(ctx),
    };
  }

  // roles.csv and enrollments.csv come grouped by user: look each user up once per run of rows.
  private lastUid: string | undefined;
  private lastPerson: Person | undefined;
  private person(id: string): Person | undefined {
    if (id !== this.lastUid) {
      this.lastUid = id;
      this.lastPerson = this.users.get(id);
    }
    return this.lastPerson;
  }

  laneTargets(): LaneTargets | undefined {
    if (!this.present.has('orgs') || !this.present.has('classes') || !this.present.has('users')) return undefined;
    const users = this.users;
    return { classes: this.classes, orgs: this.orgs, person: (id) => users.get(id) };
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
    this.users.set(r.sourcedId, r.value!.person);
    this.lastUid = undefined;
  }
  role(r: Rec<RoleValue>): void {
    if (this.gone('roles', r)) return;
    // The user may be missing because its own row was invalid (reported there): skip quietly.
    if (checkRole(this.sink, this.idx, r)) this.person(r.value!.userSourcedId)?.roles.push(r.value!.role);
  }
  enrollment(r: Rec<EnrollmentValue>): void {
    if (this.gone('enrollments', r)) return;
    if (!checkEnrollment(this.sink, this.idx, r)) return;
    const v = r.value!;
    if (this.present.has('classes') && !this.classes.has(v.enrollment.classSourcedId)) return;
    this.person(v.userSourcedId)?.enrollments.push(v.enrollment);
  }
  end(table: TableName, mode: 'bulk' | 'delta' | undefined): void {
    if (mode) this.present.add(table);
    if (table === 'orgs') for (const r of this.pending.splice(0)) checkOrg(this.sink, this.idx, r as Rec<Org>);
    if (table === 'academicSessions') for (const r of this.pending.splice(0)) checkSession(this.sink, this.idx, r as Rec<AcademicSession>);
  }

  finish(): Roster {
    const people = valuesBySourcedId(this.users);
    for (const p of people) sortPerson(p);
    return {
      sourceFormat: this.format,
      mode: 'bulk',
      orgs: valuesBySourcedId(this.orgs),
      people,
      classes: valuesBySourcedId(this.classes),
      academicSessions: valuesBySourcedId(this.sessions),
    };
  }
}

