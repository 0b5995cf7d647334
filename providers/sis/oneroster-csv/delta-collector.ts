import type { SourceRange } from '../../../engine/model/diagnostics.js';
import type { AcademicSession, ClassSection, Org, Roster } from '../../../engine/model/people.js';
import type { DiagnosticSink } from '../csv-util/diagnostic-sink.js';
import type { TableName } from './columns.js';
import { applyDelta, latest } from './delta.js';
import type { ParseCtx } from './parse.js';
import { colLookup, type RecordSink } from './record-sink.js';
import type { CourseValue, EnrollmentValue, Rec, RoleValue, RosterChanges, TableChanges, UserValue } from './records.js';
import { checkClass, checkCourse, checkEnrollment, checkOrg, checkRole, checkSession, checkUser, type RefIndex } from './refs.js';

/**
 * Sets with delta files: collect the records, merge them into the base with the pure
 * applyDelta, then check references against the merged roster (a delta may point at records
 * that only the base holds, and may delete records the base still points at).
 */
export class DeltaCollector implements RecordSink {
  private readonly changes: RosterChanges & { courses?: TableChanges<CourseValue> };
  constructor(
    private readonly sink: DiagnosticSink,
    private readonly ctx: ParseCtx,
    format: RosterChanges['sourceFormat'],
    private readonly base: Roster,
  ) {
    this.changes = { sourceFormat: format, rolesFromUsers: ctx.rolesFromUsers };
  }
  private push<K extends 'orgs' | 'academicSessions' | 'classes' | 'users' | 'roles' | 'enrollments' | 'courses'>(key: K, r: NonNullable<(typeof this.changes)[K]>['records'][number], mode: 'bulk' | 'delta'): void {
    if (mode === 'bulk' && r.status === 'tobedeleted') return;
    const t = (this.changes[key] ??= { mode, records: [] } as never) as TableChanges<unknown>;
    t.records.push(r);
  }
  invalid(): void {
    // The run fails anyway; references are checked only on a clean merge.
  }
  brokenOrgs(): ReadonlySet<string> {
    return new Set();
  }
  org(r: Rec<Org>, m: 'bulk' | 'delta'): void {
    this.push('orgs', r, m);
  }
  session(r: Rec<AcademicSession>, m: 'bulk' | 'delta'): void {
    this.push('academicSessions', r, m);
  }
  course(r: Rec<CourseValue>, m: 'bulk' | 'delta'): void {
    this.push('courses', r, m);
  }
  cls(r: Rec<ClassSection>, m: 'bulk' | 'delta'): void {
    this.push('classes', r, m);
  }
  user(r: Rec<UserValue>, m: 'bulk' | 'delta'): void {
    this.push('users', r, m);
  }
  role(r: Rec<RoleValue>, m: 'bulk' | 'delta'): void {
    this.push('roles', r, m);
  }
  enrollment(r: Rec<EnrollmentValue>, m: 'bulk' | 'delta'): void {
    this.push('enrollments', r, m);
  }
  end(table: TableName, mode: 'bulk' | 'delta' | undefined): void {
    const key = table === 'academicSessions' ? 'academicSessions' : table;
    if (mode && key !== 'demographics' && !this.changes[key]) (this.changes as unknown as Record<string, unknown>)[key] = { mode, records: [] };
  }

  finish(): Roster {
    const c = this.changes;
    c.rolesFromUsers = this.ctx.rolesFromUsers;
    const roster = applyDelta(this.base, c);
    const orgs = new Map(roster.orgs.map((o) => [o.sourcedId, o]));
    const classes = new Map(roster.classes.map((x) => [x.sourcedId, x]));
    const sessions = new Map(roster.academicSessions.map((x) => [x.sourcedId, x]));
    const users = new Set(roster.people.map((p) => p.sourcedId));
    const idx: RefIndex = {
      orgs,
      sessions: c.academicSessions || this.base.academicSessions.length ? sessions : undefined,
      courses: c.courses?.mode === 'bulk' ? new Set(c.courses.records.map((r) => r.sourcedId)) : undefined,
      classes,
      users,
      deleted: new Set(),
      col: colLookup(this.ctx),
    };
    const active = <T>(t: TableChanges<T> | undefined) => (t ? latest(t.records).filter((r) => r.status === 'active' && r.value) : []);
    for (const r of active(c.orgs)) checkOrg(this.sink, idx, r);
    for (const r of active(c.academicSessions)) checkSession(this.sink, idx, r);
    for (const r of active(c.courses)) checkCourse(this.sink, idx, r);
    for (const r of active(c.classes)) checkClass(this.sink, idx, r);
    if (c.rolesFromUsers) for (const r of active(c.users)) checkUser(this.sink, idx, r);
    for (const r of active(c.roles)) checkRole(this.sink, idx, r);
    for (const r of active(c.enrollments)) checkEnrollment(this.sink, idx, r);
    this.checkLeftovers(roster, orgs, classes);
    return roster;
  }

  /** Records kept from the base that now point at something this delta removed. */
  private checkLeftovers(roster: Roster, orgs: Map<string, Org>, classes: Map<string, ClassSection>): void {
    const removedAt = new Map<string, SourceRange>();
    for (const [key, t] of [['orgs', this.changes.orgs], ['classes', this.changes.classes]] as const) {
      for (const r of t?.records ?? []) if (r.status === 'tobedeleted') removedAt.set(`${key}:${r.sourcedId}`, r.source);
    }
    const where = (key: string, fallback: SourceRange) => removedAt.get(key) ?? fallback;
    for (const p of roster.people) {
      for (const role of p.roles) {
        if (!orgs.has(role.orgSourcedId)) {
          const k = `orgs:${role.orgSourcedId}`;
          if (removedAt.has(k)) this.sink.error('oneroster.dangling-ref', `org "${role.orgSourcedId}" is removed but user ${p.sourcedId} still has a ${role.role} role there`, where(k, p.source));
        }
      }
      for (const e of p.enrollments) {
        if (!classes.has(e.classSourcedId)) {
          const k = `classes:${e.classSourcedId}`;
          if (removedAt.has(k)) this.sink.error('oneroster.dangling-ref', `class "${e.classSourcedId}" is removed but user ${p.sourcedId} is still enrolled in it`, where(k, p.source));
        }
      }
    }
    for (const cl of roster.classes) {
      const k = `orgs:${cl.schoolSourcedId}`;
      if (!orgs.has(cl.schoolSourcedId) && removedAt.has(k)) this.sink.error('oneroster.dangling-ref', `org "${cl.schoolSourcedId}" is removed but class ${cl.sourcedId} still belongs to it`, where(k, { file: 'classes.csv' }));
    }
  }
}
