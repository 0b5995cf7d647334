import type { SourceRange } from './diagnostics.js';

/**
 * The normalized people model every SIS source produces (OneRoster 1.1/1.2 CSV or REST,
 * Microsoft SDS). Resolve reads only this, never a source's own shapes.
 * Arrays are sorted by sourcedId so the model is independent of row order.
 */

export type OrgType = 'district' | 'school' | 'department' | 'local' | 'state' | 'national' | (string & {});

export interface Org {
  sourcedId: string;
  name: string;
  type: OrgType;
  /** Often the state school code: the stable key policy rules use (`school: MHS`). */
  identifier: string;
  parentSourcedId?: string;
}

/** One role of a person at one org, from roles.csv (1.2) or users.csv role+orgSourcedIds (1.1). */
export interface PersonRole {
  role: string;
  orgSourcedId: string;
  roleType: 'primary' | 'secondary';
  /** ISO dates (YYYY-MM-DD); endDate is exclusive, as in OneRoster. */
  beginDate?: string;
  endDate?: string;
  /** The role record's own id (OneRoster 1.2 roles.csv), so a delta can update or remove it. */
  sourcedId?: string;
}

export interface Enrollment {
  classSourcedId: string;
  role: string;
  primary: boolean;
  beginDate?: string;
  endDate?: string;
  /** The enrollment record's own id, so a delta can update or remove it. */
  sourcedId?: string;
}

export interface Person {
  sourcedId: string;
  /** false when the SIS says enabledUser=false: active record, access curtailed. */
  enabledUser: boolean;
  /** The SIS's own username column; policy may use it, or ignore it. */
  sisUsername: string;
  identifier: string;
  userIds: { type: string; identifier: string }[];
  givenName: string;
  familyName: string;
  middleName: string;
  preferredGivenName: string;
  preferredFamilyName: string;
  preferredMiddleName: string;
  email: string;
  /** CEDS grade codes as exported, normalized (`KG`, `01`..`12`, ...); first is the current grade. */
  grades: string[];
  /** All roles, sorted: primary first, then by org and role. */
  roles: PersonRole[];
  enrollments: Enrollment[];
  /** Where the record came from, for diagnostics and `explain`. */
  source: SourceRange;
}

export interface ClassSection {
  sourcedId: string;
  title: string;
  classCode: string;
  schoolSourcedId: string;
  courseSourcedId: string;
  termSourcedIds: string[];
}

export interface AcademicSession {
  sourcedId: string;
  title: string;
  type: string;
  startDate: string;
  endDate: string;
  /** The year named by its ending year, e.g. 2027 for 2026-27. */
  schoolYear: number;
  parentSourcedId?: string;
}

/** Everything ingested from one SIS export, already checked. */
export interface Roster {
  /** Which binding produced it, for the plan's inputs and diagnostics. */
  sourceFormat: 'oneroster-1.1-csv' | 'oneroster-1.2-csv' | 'oneroster-rest-1.1' | 'oneroster-rest-1.2' | 'sds-v1-csv' | 'sds-v2.1-csv';
  /** Whether users were delivered in bulk (absence means withdrawal) or as a delta. */
  mode: 'bulk' | 'delta';
  orgs: Org[];
  people: Person[];
  classes: ClassSection[];
  academicSessions: AcademicSession[];
}
