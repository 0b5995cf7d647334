import type { ColumnSpec, HeaderSpec } from '../csv-util/header.js';

/**
 * Column tables of the OneRoster CSV binding (1.2 text in the spec; 1.1 differs only in
 * users.csv, which carried `orgSourcedIds` and `role` before roles.csv existed). Aliases map
 * misspellings and legacy names seen in real exports; each use is reported as a warning.
 */

const meta: ColumnSpec[] = [
  { name: 'sourcedId', required: true },
  { name: 'status', required: 'delta' },
  { name: 'dateLastModified', required: 'delta' },
];

const commonAliases: Record<string, string> = {
  datalastmodified: 'dateLastModified',
  datelastmodifed: 'dateLastModified',
  lastmodified: 'dateLastModified',
  sourceid: 'sourcedId',
  sourcedid: 'sourcedId',
};

export type TableName = 'orgs' | 'academicSessions' | 'courses' | 'classes' | 'users' | 'roles' | 'enrollments' | 'demographics';

export function tableSpec(table: TableName, version: '1.1' | '1.2'): HeaderSpec {
  switch (table) {
    case 'orgs':
      return {
        columns: [...meta, { name: 'name', required: true }, { name: 'type', required: true }, { name: 'identifier' }, { name: 'parentSourcedId' }],
        aliases: { ...commonAliases, parentsourcedids: 'parentSourcedId', parentid: 'parentSourcedId' },
      };
    case 'academicSessions':
      return {
        columns: [
          ...meta,
          { name: 'title', required: true },
          { name: 'type', required: true },
          { name: 'startDate', required: true },
          { name: 'endDate', required: true },
          { name: 'parentSourcedId' },
          // Required by both specs, but 1.0-era exports lack it; derived from endDate with a warning.
          { name: 'schoolYear' },
        ],
        aliases: commonAliases,
      };
    case 'courses':
      return {
        columns: [
          ...meta,
          { name: 'schoolYearSourcedId' },
          { name: 'title', required: true },
          { name: 'courseCode' },
          { name: 'grades' },
          { name: 'orgSourcedId', required: true },
          { name: 'subjects' },
          { name: 'subjectCodes' },
        ],
        aliases: { ...commonAliases, schoolyearid: 'schoolYearSourcedId', schoolyearsourcedids: 'schoolYearSourcedId', grade: 'grades' },
      };
    case 'classes':
      return {
        columns: [
          ...meta,
          { name: 'title', required: true },
          { name: 'grades' },
          { name: 'courseSourcedId', required: true },
          { name: 'classCode' },
          { name: 'classType', required: true },
          { name: 'location' },
          { name: 'schoolSourcedId', required: true },
          { name: 'termSourcedIds', required: true },
          { name: 'subjects' },
          { name: 'subjectCodes' },
          { name: 'periods' },
        ],
        aliases: { ...commonAliases, grade: 'grades', termsourcedid: 'termSourcedIds', termids: 'termSourcedIds' },
      };
    case 'users': {
      const v11 = version === '1.1';
      return {
        columns: [
          ...meta,
          { name: 'enabledUser', required: true },
          // 1.1 only; a 1.2 set without roles.csv falls back to them (see read.ts).
          { name: 'orgSourcedIds', required: v11 },
          { name: 'role', required: v11 },
          { name: 'username', required: true },
          { name: 'userIds' },
          { name: 'givenName', required: true },
          { name: 'familyName', required: true },
          { name: 'middleName' },
          { name: 'identifier' },
          { name: 'email' },
          { name: 'sms' },
          { name: 'phone' },
          { name: 'agentSourcedIds' },
          { name: 'grades' },
          { name: 'password' },
          { name: 'userMasterIdentifier' },
          { name: 'resourceSourcedIds' },
          { name: 'preferredGivenName' },
          { name: 'preferredMiddleName' },
          { name: 'preferredFamilyName' },
          { name: 'primaryOrgSourcedId' },
          { name: 'pronouns' },
        ],
        aliases: {
          ...commonAliases,
          prefferedgivenname: 'preferredGivenName',
          prefferedmiddlename: 'preferredMiddleName',
          prefferedfamilyname: 'preferredFamilyName',
          preferedgivenname: 'preferredGivenName',
          preferedmiddlename: 'preferredMiddleName',
          preferedfamilyname: 'preferredFamilyName',
          preferredfirstname: 'preferredGivenName',
          preferredlastname: 'preferredFamilyName',
          preferredname: 'preferredGivenName',
          firstname: 'givenName',
          lastname: 'familyName',
          userid: 'userIds',
          agents: 'agentSourcedIds',
          agentsourcedid: 'agentSourcedIds',
          orgsourcedid: 'orgSourcedIds',
          grade: 'grades',
          enabled: 'enabledUser',
        },
      };
    }
    case 'roles':
      return {
        columns: [
          ...meta,
          { name: 'userSourcedId', required: true },
          { name: 'roleType', required: true },
          { name: 'role', required: true },
          { name: 'beginDate' },
          { name: 'endDate' },
          { name: 'orgSourcedId', required: true },
          { name: 'userProfileSourcedId' },
        ],
        aliases: commonAliases,
      };
    case 'enrollments':
      return {
        columns: [
          ...meta,
          { name: 'classSourcedId', required: true },
          { name: 'schoolSourcedId', required: true },
          { name: 'userSourcedId', required: true },
          { name: 'role', required: true },
          { name: 'primary' },
          { name: 'beginDate' },
          { name: 'endDate' },
        ],
        aliases: commonAliases,
      };
    case 'demographics':
      // Read only for birth facts (duplicate-person warning); every other column is ignored quietly.
      return {
        columns: [{ name: 'sourcedId', required: true }, { name: 'status' }, { name: 'dateLastModified' }, { name: 'birthDate' }, { name: 'sex' }, { name: 'cityOfBirth' }],
        aliases: { ...commonAliases, usersourcedid: 'sourcedId', birthdate: 'birthDate' },
        extensionPrefixes: [''],
      };
  }
}

/** Data files this reader uses, in the order they are read (references point backwards). */
export const READ_ORDER: readonly TableName[] = ['orgs', 'academicSessions', 'courses', 'classes', 'users', 'roles', 'enrollments', 'demographics'];
