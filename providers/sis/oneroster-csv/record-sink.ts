import type { AcademicSession, ClassSection, Org } from '../../../engine/model/people.js';
import type { TableName } from './columns.js';
import type { LaneTargets } from './enrollment-lane.js';
import type { ParseCtx } from './parse.js';
import type { CourseValue, EnrollmentValue, Rec, RoleValue, UserValue } from './records.js';
import type { RefIndex } from './refs.js';

/** Where parsed records go: straight into a roster (bulk) or into a change set (delta). */
export interface RecordSink {
  org(r: Rec<Org>, mode: 'bulk' | 'delta'): void;
  session(r: Rec<AcademicSession>, mode: 'bulk' | 'delta'): void;
  course(r: Rec<CourseValue>, mode: 'bulk' | 'delta'): void;
  cls(r: Rec<ClassSection>, mode: 'bulk' | 'delta'): void;
  user(r: Rec<UserValue>, mode: 'bulk' | 'delta'): void;
  role(r: Rec<RoleValue>, mode: 'bulk' | 'delta'): void;
  enrollment(r: Rec<EnrollmentValue>, mode: 'bulk' | 'delta'): void;
  /** A file is done (mode undefined: absent from the set). */
  end(table: TableName, mode: 'bulk' | 'delta' | undefined): void;
  /** A row of `table` had errors and was dropped. */
  invalid(table: TableName, sourcedId: string): void;
  /** Orgs dropped for errors: later checks stay quiet about them (no cascades). */
  brokenOrgs(): ReadonlySet<string>;
  /** What the enrollments fast lane needs, when it can be used (bulk, with orgs, classes and users read). */
  laneTargets?(): LaneTargets | undefined;
}

export function colLookup(ctx: ParseCtx): RefIndex['col'] {
  return (file, column) => {
    const i = ctx.columns.get(file)?.[column];
    return i !== undefined && i >= 0 ? i + 1 : undefined;
  };
}

