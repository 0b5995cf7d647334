import { formatSource, type SourceRange } from '../../../engine/model/diagnostics.js';
import type { AcademicSession, ClassSection, Enrollment, Org, Person, PersonRole, Roster } from '../../../engine/model/people.js';
import type { DiagnosticSink } from '../csv-util/diagnostic-sink.js';
import type { Interner } from '../csv-util/intern.js';

/**
 * Collects SDS records into the normalized Roster: rejects duplicate ids (pointing at the
 * first occurrence), checks references as rows arrive (files are read parents first), and
 * sorts everything at the end so the Roster does not depend on row order.
 */
export class RosterBuilder {
  readonly orgs = new Map<string, Org & { where: SourceRange }>();
  readonly people = new Map<string, Person>();
  /** Which file family each person came from (student, teacher, user). */
  readonly kinds = new Map<string, string>();
  readonly classes = new Map<string, ClassSection & { where: SourceRange }>();
  readonly sessions = new Map<string, AcademicSession & { where: SourceRange }>();
  readonly courses = new Map<string, SourceRange>();
  /**
   * Record kinds whose file could not be read whole (encoding, header, quoting errors). References
   * to them are not checked: every one would fail and bury the real error under cascades.
   */
  readonly broken = new Set<'org' | 'user' | 'class' | 'session'>();

  constructor(
    readonly sink: DiagnosticSink,
    readonly intern: Interner,
  ) {}

  /** False (after an error) when `id` was already defined in `map`. */
  private unique(map: Map<string, { where?: SourceRange; source?: SourceRange }>, what: string, id: string, where: SourceRange, column?: number): boolean {
    const prev = map.get(id);
    if (!prev) return true;
    const first = prev.where ?? prev.source;
    this.sink.error('sds.duplicate-sourcedid', `duplicate ${what} id "${id}" (first defined at ${formatSource(first)})`, { ...where, ...(column ? { column } : {}) });
    return false;
  }

  addOrg(org: Org, where: SourceRange): void {
    if (this.unique(this.orgs, 'org', org.sourcedId, where)) this.orgs.set(org.sourcedId, { ...org, where });
  }

  addSession(s: AcademicSession, where: SourceRange): void {
    if (this.unique(this.sessions, 'academic session', s.sourcedId, where)) this.sessions.set(s.sourcedId, { ...s, where });
  }

  addCourse(id: string, where: SourceRange): void {
    if (this.courses.has(id)) this.sink.error('sds.duplicate-sourcedid', `duplicate course id "${id}" (first defined at ${formatSource(this.courses.get(id))})`, where);
    else this.courses.set(id, where);
  }

  addClass(c: ClassSection, where: SourceRange): void {
    if (this.unique(this.classes, 'class', c.sourcedId, where)) this.classes.set(c.sourcedId, { ...c, where });
  }

  /** `kind` names the file family (student, teacher, user) for cross-file duplicate messages. */
  addPerson(p: Person, kind: string, column?: number): boolean {
    const prev = this.people.get(p.sourcedId);
    if (prev) {
      const prevKind = this.kinds.get(p.sourcedId);
      const also = prevKind !== kind ? ` as a ${prevKind}` : '';
      this.sink.error('sds.duplicate-sourcedid', `duplicate user id "${p.sourcedId}" (first defined${also} at ${formatSource(prev.source)})`, { ...p.source, ...(column ? { column } : {}) });
      return false;
    }
    this.people.set(p.sourcedId, p);
    this.kinds.set(p.sourcedId, kind);
    return true;
  }

  /** Error unless `id` names a known org. */
  orgRef(id: string, where: SourceRange, what: string): boolean {
    if (this.orgs.has(id)) return true;
    if (this.broken.has('org')) return false;
    this.sink.error('sds.dangling-reference', `${what} refers to org "${id}", which is not in the org file`, where);
    return false;
  }

  addRole(userId: string, role: PersonRole, where: SourceRange): void {
    const p = this.people.get(userId);
    if (!p) {
      if (this.broken.has('user')) return;
      this.sink.error('sds.dangling-reference', `role refers to user "${userId}", which is not in the user file`, where);
      return;
    }
    if (!this.orgRef(role.orgSourcedId, where, `role of user "${userId}"`)) return;
    const dup = p.roles.find((r) => r.orgSourcedId === role.orgSourcedId && r.role === role.role);
    if (dup) {
      this.sink.warn('sds.duplicate-role', `user "${userId}" has role ${role.role} at org "${role.orgSourcedId}" twice; kept once`, where);
      return;
    }
    p.roles.push(role);
  }

  /** `kinds`: which person kinds may hold this enrollment (v1 keeps students and teachers apart). */
  addEnrollment(userId: string, e: Enrollment, where: SourceRange, kinds?: readonly string[]): void {
    const p = this.people.get(userId);
    const pKind = this.kinds.get(userId) ?? '';
    const cls = this.classes.has(e.classSourcedId);
    if (!cls && !this.broken.has('class')) this.sink.error('sds.dangling-reference', `enrollment refers to class "${e.classSourcedId}", which is not in the class file`, where);
    if (!p && this.broken.has('user')) return;
    if (!p || (kinds && !kinds.includes(pKind))) {
      const what = kinds ? kinds.join(' or ') : 'user';
      const other = p ? ` (it is a ${pKind})` : '';
      this.sink.error('sds.dangling-reference', `enrollment refers to ${what} "${userId}", which is not in the ${what} file${other}`, where);
      return;
    }
    if (!cls) return;
    if (p.enrollments.some((x) => x.classSourcedId === e.classSourcedId && x.role === e.role)) {
      this.sink.warn('sds.duplicate-enrollment', `user "${userId}" is enrolled in class "${e.classSourcedId}" as ${e.role} twice; kept once`, where);
      return;
    }
    p.enrollments.push(e);
  }

  /** Whether an org is a school (or campus, college, university) or sits under one. */
  private inSchool(id: string, schoolish: ReadonlySet<string>): boolean {
    let cur = this.orgs.get(id);
    for (let depth = 0; cur && depth < 16; depth++) {
      if (schoolish.has(cur.type)) return true;
      cur = cur.parentSourcedId ? this.orgs.get(cur.parentSourcedId) : undefined;
    }
    return false;
  }

  /** Whole-roster checks, then the sorted Roster. */
  finish(sourceFormat: Roster['sourceFormat']): Roster {
    const schoolish = new Set(['school', 'campus', 'college', 'university']);
    let roleless = 0;
    let firstRoleless: Person | undefined;
    for (const p of this.people.values()) {
      if (p.roles.length === 0) {
        roleless++;
        firstRoleless ??= p;
        continue;
      }
      // Exactly one primary role: SDS v2.1 may leave isPrimary blank; promote the first role.
      if (!p.roles.some((r) => r.roleType === 'primary')) p.roles[0]!.roleType = 'primary';
      const studentOrgs = p.roles.filter((r) => r.role === 'student').map((r) => r.orgSourcedId);
      if (studentOrgs.length && !studentOrgs.some((id) => this.inSchool(id, schoolish))) {
        const types = studentOrgs.map((id) => `"${id}" (${this.orgs.get(id)?.type ?? 'missing'})`).join(', ');
        this.sink.error('sds.student-without-school', `user "${p.sourcedId}" is a student with no school: only at ${types}`, p.source);
      }
    }
    if (roleless > 0 && firstRoleless) {
      this.sink.warn('sds.user-without-role', `${roleless} user(s) have no role at any org (e.g. "${firstRoleless.sourcedId}"; guardians often do); they get no accounts`, firstRoleless.source);
    }
    const byId = <T extends { sourcedId: string }>(a: T, b: T) => (a.sourcedId < b.sourcedId ? -1 : a.sourcedId > b.sourcedId ? 1 : 0);
    // Sorted in place: at a million people, copying every record would double the peak.
    const people: Person[] = [...this.people.values()];
    for (const p of people) {
      p.roles.sort(compareRoles);
      p.enrollments.sort(compareEnrollments);
    }
    return {
      sourceFormat,
      mode: 'bulk',
      orgs: [...this.orgs.values()].map(({ where: _w, ...o }) => o).sort(byId),
      people: people.sort(byId),
      classes: [...this.classes.values()].map(({ where: _w, ...c }) => c).sort(byId),
      academicSessions: [...this.sessions.values()].map(({ where: _w, ...s }) => s).sort(byId),
    };
  }
}

function compareEnrollments(a: Enrollment, b: Enrollment): number {
  if (a.classSourcedId !== b.classSourcedId) return a.classSourcedId < b.classSourcedId ? -1 : 1;
  return a.role < b.role ? -1 : a.role > b.role ? 1 : 0;
}

/** Primary first, then by org and role (the Roster contract). */
function compareRoles(a: PersonRole, b: PersonRole): number {
  if (a.roleType !== b.roleType) return a.roleType === 'primary' ? -1 : 1;
  if (a.orgSourcedId !== b.orgSourcedId) return a.orgSourcedId < b.orgSourcedId ? -1 : 1;
  return a.role < b.role ? -1 : a.role > b.role ? 1 : 0;
}
