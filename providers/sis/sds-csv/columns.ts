import type { HeaderSpec } from '../csv-util/header.js';

/**
 * Column layouts of the Microsoft School Data Sync CSV formats, as Microsoft documents and
 * samples them (github.com/OfficeDev/O365-EDU-Tools "CSV Samples"; learn.microsoft.com
 * schooldatasync "SDS V2.1 CSV file format"). Readers look columns up by a stable key, so
 * the v1 UK variant (`ID`, `School DfE Number`, ...) binds to the same keys as the US one.
 */

export interface Column {
  key: string;
  /** Header in the SDS (US) v1 format, or the only header in v2/v2.1. */
  name: string;
  /** Header in the v1 UK format, where it differs. */
  uk?: string;
  required?: boolean;
}

export type Variant = 'us' | 'uk';

const c = (key: string, name: string, required = false, uk?: string): Column => ({ key, name, required, ...(uk ? { uk } : {}) });

export const V1 = {
  school: [
    c('id', 'SIS ID', true, 'DfE Number'), c('name', 'Name', true), c('number', 'School Number'), c('nces', 'School NCES_ID'),
    c('stateId', 'State ID'), c('gradeLow', 'Grade Low'), c('gradeHigh', 'Grade High'), c('principalId', 'Principal SIS ID'),
    c('principalName', 'Principal Name'), c('principalEmail', 'Principal Secondary Email'), c('address', 'Address'), c('city', 'City'),
    c('state', 'State'), c('country', 'Country'), c('zip', 'Zip', false, 'Postal Code'), c('phone', 'Phone'), c('zone', 'Zone'),
  ],
  section: [
    c('id', 'SIS ID', true, 'ID'), c('school', 'School SIS ID', true, 'School DfE Number'), c('name', 'Section Name', true),
    c('number', 'Section Number'), c('termId', 'Term SIS ID'), c('termName', 'Term Name'), c('termStart', 'Term StartDate'),
    c('termEnd', 'Term EndDate'), c('courseId', 'Course SIS ID'), c('courseName', 'Course Name'), c('courseNumber', 'Course Number'),
    c('courseDescription', 'Course Description'), c('courseSubject', 'Course Subject'), c('periods', 'Periods'), c('status', 'Status'),
  ],
  student: [
    c('id', 'SIS ID', true, 'ID'), c('school', 'School SIS ID', true, 'School DfE Number'), c('first', 'First Name'), c('last', 'Last Name'),
    c('username', 'Username', true), c('password', 'Password'), c('stateId', 'State ID'), c('secondaryEmail', 'Secondary Email'),
    c('number', 'Student Number'), c('middle', 'Middle Name'), c('grade', 'Grade'), c('status', 'Status'), c('birthdate', 'Birthdate'),
    c('graduationYear', 'Graduation Year'),
  ],
  teacher: [
    c('id', 'SIS ID', true, 'ID'), c('school', 'School SIS ID', true, 'School DfE Number'), c('first', 'First Name'), c('last', 'Last Name'),
    c('username', 'Username', true), c('password', 'Password'), c('stateId', 'State ID'), c('number', 'Teacher Number'), c('status', 'Status'),
    c('middle', 'Middle Name'), c('secondaryEmail', 'Secondary Email'), c('title', 'Title'), c('qualification', 'Qualification'),
  ],
  studentEnrollment: [c('section', 'Section SIS ID', true, 'Section ID'), c('user', 'SIS ID', true, 'ID')],
  teacherRoster: [c('section', 'Section SIS ID', true, 'Section ID'), c('user', 'SIS ID', true, 'ID')],
} as const satisfies Record<string, readonly Column[]>;

export const V1_FILES = {
  school: 'School.csv',
  section: 'Section.csv',
  student: 'Student.csv',
  teacher: 'Teacher.csv',
  studentEnrollment: 'StudentEnrollment.csv',
  teacherRoster: 'TeacherRoster.csv',
} as const;

/** Optional name columns some exporters add to v2.1 users.csv; bound when present. */
const NAME_EXTRAS = [c('middleName', 'middleName'), c('preferredGivenName', 'preferredGivenName'), c('preferredFamilyName', 'preferredFamilyName'), c('preferredMiddleName', 'preferredMiddleName')];

export const V2 = {
  orgs: [c('sourcedId', 'sourcedId', true), c('name', 'name', true), c('type', 'type', true), c('parentSourcedId', 'parentSourcedId')],
  /** SDS v2 (before 2.1): the role and orgs are columns of users.csv, as in OneRoster 1.1. */
  usersV2: [
    c('sourcedId', 'sourcedId', true), c('orgSourcedIds', 'orgSourcedIds', true), c('givenName', 'givenName'), c('familyName', 'familyName'),
    c('username', 'username', true), c('password', 'password'), c('role', 'role', true), c('grade', 'grade'), c('email', 'email'),
    c('activeDirectoryMatchId', 'activeDirectoryMatchId'), ...NAME_EXTRAS,
  ],
  users: [
    c('sourcedId', 'sourcedId', true), c('username', 'username', true), c('givenName', 'givenName'), c('familyName', 'familyName'),
    c('password', 'password'), c('activeDirectoryMatchId', 'activeDirectoryMatchId'), c('email', 'email'), c('phone', 'phone'), c('sms', 'sms'),
    ...NAME_EXTRAS,
  ],
  roles: [
    c('userSourcedId', 'userSourcedId', true), c('orgSourcedId', 'orgSourcedId', true), c('role', 'role', true), c('sessionSourcedId', 'sessionSourcedId'),
    c('grade', 'grade'), c('isPrimary', 'isPrimary'), c('roleStartDate', 'roleStartDate'), c('roleEndDate', 'roleEndDate'),
  ],
  classes: [
    c('sourcedId', 'sourcedId', true), c('orgSourcedId', 'orgSourcedId', true), c('title', 'title', true), c('sessionSourcedIds', 'sessionSourcedIds'),
    c('courseSourcedId', 'courseSourcedId'), c('code', 'code'), c('subject', 'subject'), c('periods', 'periods'),
  ],
  enrollments: [c('classSourcedId', 'classSourcedId', true), c('userSourcedId', 'userSourcedId', true), c('role', 'role', true)],
  academicSessions: [
    c('sourcedId', 'sourcedId', true), c('title', 'title', true), c('type', 'type', true), c('schoolYear', 'schoolYear', true),
    c('startDate', 'startDate', true), c('endDate', 'endDate', true), c('parentSourcedId', 'parentSourcedId'),
  ],
  courses: [
    c('sourcedId', 'sourcedId', true), c('orgSourcedId', 'orgSourcedId', true), c('title', 'title', true), c('code', 'code'),
    c('schoolYearSourcedId', 'schoolYearSourcedId'), c('subject', 'subject'), c('grade', 'grade'),
  ],
} as const satisfies Record<string, readonly Column[]>;

/** The header spec csv-util binds against, in the variant's names. */
export function headerSpec(columns: readonly Column[], variant: Variant): HeaderSpec {
  return { columns: columns.map((col) => ({ name: variant === 'uk' ? (col.uk ?? col.name) : col.name, required: col.required ?? false })), extensionPrefixes: [] };
}

/** A v1 file is in the UK variant when its first (id) column uses the UK name. */
export function variantOf(columns: readonly Column[], header: readonly string[]): Variant {
  const names = new Set(header.map((h) => h.trim().toLowerCase()));
  const ukOnly = columns.filter((col) => col.uk && !names.has(col.name.toLowerCase()) && names.has(col.uk.toLowerCase()));
  return ukOnly.length > 0 ? 'uk' : 'us';
}
