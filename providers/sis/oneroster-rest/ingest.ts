import type { Person, Roster } from '../../../engine/model/people.js';
import { Interner } from '../csv-util/intern.js';
import { BulkBuilder } from '../oneroster-csv/bulk-builder.js';
import { checkRoster } from '../oneroster-csv/checks.js';
import { RecordMaker } from '../oneroster-csv/record-maker.js';
import type { TableName } from '../oneroster-csv/columns.js';
import type { Ix, ParseCtx } from '../oneroster-csv/parse.js';
import type { Rec, RoleValue } from '../oneroster-csv/records.js';
import { classValue, courseValue, enrollmentValue, orgValue, roleValue, sessionValue, userValue } from '../oneroster-csv/row-values.js';
import { DateReader, statusValue, type Where } from '../oneroster-csv/values.js';
import { RecordDigest } from './digest.js';
import { CLASSES, COURSES, ENROLLMENTS, type Json, ORGS, ROLES, type RowMap, SESSIONS, USERS, userIdsOf } from './rows.js';
import { recordFile, RestDiagnosticSink } from './sink.js';
import type { RestVersion } from './settings.js';

/**
 * REST records -> Roster through the CSV reader's own machinery: the same field parsers
 * (row-values.ts), the same streaming BulkBuilder with its reference checks, and the same
 * whole-roster checks (checks.ts). Only the record envelope is handled here: sourcedId,
 * status, duplicates. Collections must arrive in reference order (see COLLECTIONS), so every
 * reference is checked against complete maps; pages are consumed as they arrive.
 */

export type Collection = 'orgs' | 'academicSessions' | 'courses' | 'classes' | 'users' | 'enrollments';
export const COLLECTIONS: readonly Collection[] = ['orgs', 'academicSessions', 'courses', 'classes', 'users', 'enrollments'];

export class RestIngest {
  readonly sink = new RestDiagnosticSink();
  readonly digest = new RecordDigest();
  private readonly ctx: ParseCtx;
  private readonly builder: BulkBuilder;
  private readonly seen = new Map<Collection, Map<string, number>>();
  private readonly roles: Rec<RoleValue>[] = [];
  private readonly values;

  constructor(private readonly version: RestVersion) {
    this.ctx = {
      sink: this.sink,
      intern: new Interner(),
      dates: new DateReader(this.sink),
      version,
      // 1.1 users carry `role` + `orgs[]`; 1.2 users carry `roles[]`, read in `user()` below.
      rolesFromUsers: version === '1.1',
      digests: new Map(),
      columns: new Map(),
      records: new RecordMaker(true),
      onProgress: () => undefined,
    };
    this.builder = new BulkBuilder(this.sink, this.ctx, version === '1.1' ? 'oneroster-rest-1.1' : 'oneroster-rest-1.2');
    this.values = {
      orgs: orgValue(this.ctx),
      academicSessions: sessionValue(this.ctx),
      courses: courseValue(this.ctx),
      classes: classValue(this.ctx),
      users: userValue(this.ctx),
      enrollments: enrollmentValue(this.ctx),
      roles: roleValue(this.ctx),
    };
  }

  /** One page of `collection`; `path` is the endpoint path, `offset` the page's first index. */
  page(collection: Collection, path: string, records: readonly unknown[], offset: number): void {
    records.forEach((raw, i) => this.record(collection, path, raw, offset + i));
  }

  /** The collection is complete (or, with `fetched` false, deliberately not read). */
  end(collection: Collection, fetched = true): void {
    if (collection === 'users' && this.version === '1.2') {
      this.builder.end('users', fetched ? 'bulk' : undefined);
      for (const r of this.roles.splice(0)) this.builder.role(r);
      this.builder.end('roles', fetched ? 'bulk' : undefined);
      return;
    }
    this.builder.end(collection, fetched ? 'bulk' : undefined);
    if (collection === 'users') this.builder.end('roles', undefined);
  }

  finish(): Roster {
    const roster = this.builder.finish();
    // No demographics are read over REST, so no birth facts for the duplicate-person warning.
    checkRoster(this.sink, roster, new Map(), true);
    return roster;
  }

  private record(collection: Collection, path: string, raw: unknown, index: number): void {
    const file = recordFile(path, index);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      this.sink.error('oneroster-rest.invalid-record', `${collection}: record ${index} is not a JSON object`, { file });
      return;
    }
    const rec = raw as Json;
    this.digest.add(collection, rec);
    const id = typeof rec.sourcedId === 'string' ? rec.sourcedId.trim() : '';
    if (id === '') {
      this.sink.error('oneroster.missing-value', `${collection}: record has no sourcedId`, { file });
      return;
    }
    const where = whereOf(file, collection, id);
    const status = statusValue(this.sink, where, typeof rec.status === 'string' ? rec.status.trim() : rec.status === undefined || rec.status === null ? '' : String(rec.status));
    const table = collection as TableName;
    if (status === undefined) {
      this.builder.invalid(table, id);
      return;
    }
    let seen = this.seen.get(collection);
    if (!seen) this.seen.set(collection, (seen = new Map()));
    const first = seen.get(id);
    if (first !== undefined) {
      this.sink.error('oneroster.duplicate-sourcedid', `${collection}: duplicate sourcedId "${id}" (first at ${recordFile(path, first)})`, { file });
      return;
    }
    seen.set(id, index);
    const source = { file };
    if (status === 'tobedeleted') {
      // As in a bulk CSV: left out of the roster, but known, so references to it say why.
      this.emit(collection, { sourcedId: id, status: 'tobedeleted', source });
      return;
    }
    const bad = (severity: 'error' | 'warning', _field: string, summary: string) =>
      severity === 'error' ? this.sink.error('oneroster-rest.invalid-field', `${collection} ${id}: ${summary}`, source) : this.sink.warn('oneroster-rest.field-shape', `${collection} ${id}: ${summary}`, source);
    const map: RowMap = collection === 'users' ? USERS[this.version] : MAPS[collection];
    const row = map.row(rec, bad);
    const ok = this.build(collection, row, where, map.ix, source, () => userIdsOf(rec, bad));
    if (!ok) {
      this.builder.invalid(table, id);
      return;
    }
    if (collection === 'users' && this.version === '1.2') this.rolesOf(rec, id, file, bad);
  }

  /** Field parsing and hand-off to the builder; false when the record was dropped (reported). */
  private build(collection: Collection, row: string[], w: Where, ix: Ix, source: { file: string }, userIds: () => Person['userIds']): boolean {
    const v = this.values;
    const b = this.builder;
    const rec = <T>(value: T | undefined, emit: (r: Rec<T>) => void): boolean => {
      if (value === undefined) return false;
      emit({ sourcedId: w.sourcedId, status: 'active', source, value });
      return true;
    };
    switch (collection) {
      case 'orgs':
        return rec(v.orgs(row, w, ix), (r) => b.org(r));
      case 'academicSessions':
        return rec(v.academicSessions(row, w, ix), (r) => b.session(r));
      case 'courses':
        return rec(v.courses(row, w, ix), (r) => b.course(r));
      case 'classes':
        return rec(v.classes(row, w, ix), (r) => b.cls(r));
      case 'enrollments':
        return rec(v.enrollments(row, w, ix), (r) => b.enrollment(r));
      case 'users': {
        const u = v.users(row, w, ix);
        if (u) {
          u.person.source = source;
          u.person.userIds = userIds();
        }
        return rec(u, (r) => b.user(r));
      }
    }
  }

  /** 1.2 `roles[]` (RoleDType) -> role records, fed to the builder once every user is known. */
  private rolesOf(rec: Json, userId: string, file: string, bad: (s: 'error' | 'warning', f: string, m: string) => void): void {
    const list = rec.roles;
    if (!Array.isArray(list)) {
      if (list !== undefined && list !== null) bad('error', 'roles', 'roles is not an array');
      else this.sink.error('oneroster.missing-value', `users ${userId}: roles is required in OneRoster 1.2`, { file });
      return;
    }
    list.forEach((r, k) => {
      const label = `users ${userId} roles[${k}]`;
      if (typeof r !== 'object' || r === null || Array.isArray(r)) {
        this.sink.error('oneroster-rest.invalid-field', `${label} is not a role object`, { file });
        return;
      }
      const w = whereOf(file, 'users', userId, label);
      const row = ROLES.row(r as Json, (sev, _f, m) => bad(sev, _f, `roles[${k}]: ${m}`));
      row[ROLES.ix.userSourcedId!] = userId;
      const v = this.values.roles(row, w, ROLES.ix);
      if (!v) return;
      // RoleDType has no sourcedId of its own (roles.csv rows do).
      delete v.role.sourcedId;
      this.roles.push({ sourcedId: `${userId} roles[${k}]`, status: 'active', source: { file }, value: v });
    });
  }

  /** A `tobedeleted` record: no value, only its id, so references to it are recognised. */
  private emit(collection: Collection, r: Rec<never>): void {
    const b = this.builder;
    if (collection === 'orgs') b.org(r);
    else if (collection === 'academicSessions') b.session(r);
    else if (collection === 'courses') b.course(r);
    else if (collection === 'classes') b.cls(r);
    else if (collection === 'users') b.user(r);
    else b.enrollment(r);
  }
}

const MAPS: Record<Exclude<Collection, 'users'>, RowMap> = { orgs: ORGS, academicSessions: SESSIONS, courses: COURSES, classes: CLASSES, enrollments: ENROLLMENTS };

/** The CSV parsers' `Where` for a JSON record: no line, no columns (see sink.ts). */
function whereOf(file: string, collection: string, sourcedId: string, label?: string): Where {
  return {
    file,
    line: 0,
    sourcedId,
    col: () => undefined,
    get id() {
      return label ?? `${collection} ${sourcedId}`;
    },
  };
}
