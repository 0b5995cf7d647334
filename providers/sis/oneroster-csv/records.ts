import type { SourceRange } from '../../../engine/model/diagnostics.js';
import type { AcademicSession, ClassSection, Enrollment, Org, Person, PersonRole } from '../../../engine/model/people.js';

/**
 * One parsed row of a OneRoster file, before it is merged into a Roster. Bulk reads stream
 * these straight into the roster; delta reads collect them for `applyDelta`.
 */
export interface Rec<T> {
  sourcedId: string;
  /** Blank status (bulk files) is read as active. */
  status: 'active' | 'tobedeleted';
  /** ISO-8601 UTC; present in delta files. */
  dateLastModified?: string;
  source: SourceRange;
  /** Absent for `tobedeleted` rows, whose other fields are not needed. */
  value?: T;
}

export interface UserValue {
  /** roles are filled from users.csv in 1.1 sets (`rolesFromUsers`); enrollments are empty. */
  person: Person;
  primaryOrgSourcedId?: string;
}

export interface RoleValue {
  userSourcedId: string;
  role: PersonRole;
}

export interface EnrollmentValue {
  userSourcedId: string;
  schoolSourcedId: string;
  enrollment: Enrollment;
}

export interface CourseValue {
  orgSourcedId: string;
}

export interface TableChanges<T> {
  /** bulk: the records replace the whole collection; delta: they upsert/remove by sourcedId. */
  mode: 'bulk' | 'delta';
  records: Rec<T>[];
}

/** Everything one file set says, in record form: the input of the pure `applyDelta`. */
export interface RosterChanges {
  sourceFormat: 'oneroster-1.1-csv' | 'oneroster-1.2-csv';
  /** 1.1: a user's roles come with the user row (users.csv role + orgSourcedIds). */
  rolesFromUsers: boolean;
  orgs?: TableChanges<Org>;
  academicSessions?: TableChanges<AcademicSession>;
  classes?: TableChanges<ClassSection>;
  users?: TableChanges<UserValue>;
  roles?: TableChanges<RoleValue>;
  enrollments?: TableChanges<EnrollmentValue>;
}
