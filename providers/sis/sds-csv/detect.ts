import type { Diagnostic } from '../../../engine/model/diagnostics.js';
import { errorDiag, warningDiag } from '../../../engine/model/diagnostics.js';
import type { FileSet } from '../csv-util/file-set.js';
import { V1_FILES } from './columns.js';

/**
 * Which SDS format a folder holds, from its file names:
 * - v1: School.csv, Section.csv, Student.csv, Teacher.csv, StudentEnrollment.csv, TeacherRoster.csv;
 * - v2.1: orgs.csv, users.csv, roles.csv (+ classes, enrollments, academicSessions, ...);
 * - v2: orgs.csv, users.csv without roles.csv (role is a users.csv column).
 * Names are matched case-insensitively, with a warning where the case differs from Microsoft's.
 */
export type SdsVersion = 'v1' | 'v2' | 'v2.1';

export interface Detection {
  version?: SdsVersion;
  diagnostics: Diagnostic[];
}

const V1_NAMES = Object.values(V1_FILES);
const V2_REQUIRED = ['orgs.csv', 'users.csv'];
const V2_KNOWN = ['orgs.csv', 'users.csv', 'roles.csv', 'classes.csv', 'enrollments.csv', 'academicSessions.csv', 'courses.csv', 'demographics.csv', 'relationships.csv', 'userFlags.csv'];

export function detectVersion(set: FileSet): Detection {
  const diagnostics: Diagnostic[] = [];
  const has = (name: string) => set.files.has(name.toLowerCase());
  const v1Present = V1_NAMES.filter(has);
  const v2Present = V2_REQUIRED.filter(has);
  if (has('manifest.csv') && !v1Present.length) {
    // A OneRoster set (manifest.csv) is not SDS; say so rather than misread it.
    diagnostics.push(errorDiag('sds.not-sds', `${set.location} has a manifest.csv: it looks like a OneRoster set; use sis.format oneroster-csv`, { source: { file: 'manifest.csv' } }));
    return { diagnostics };
  }
  let version: SdsVersion | undefined;
  let expected: string[] = [];
  if (v1Present.length && v2Present.length) {
    diagnostics.push(errorDiag('sds.mixed-format', `${set.location} holds both SDS v1 files (${v1Present.join(', ')}) and v2 files (${v2Present.join(', ')}); keep one format per folder`, { source: { file: set.location } }));
    return { diagnostics };
  } else if (v1Present.length) {
    version = 'v1';
    expected = V1_NAMES;
  } else if (v2Present.length || has('roles.csv')) {
    version = has('roles.csv') ? 'v2.1' : 'v2';
    expected = version === 'v2.1' ? ['orgs.csv', 'users.csv', 'roles.csv'] : V2_REQUIRED;
  } else {
    diagnostics.push(
      errorDiag('sds.detect', `${set.location} holds no SDS files`, {
        source: { file: set.location },
        detail: `Expected SDS v1 (${V1_NAMES.join(', ')}) or SDS v2.1 (orgs.csv, users.csv, roles.csv, classes.csv, enrollments.csv).`,
      }),
    );
    return { diagnostics };
  }
  for (const name of expected) {
    if (!has(name)) diagnostics.push(errorDiag('sds.missing-file', `${name} is required for SDS ${version} but is not in ${set.location}`, { source: { file: name } }));
  }
  for (const name of version === 'v1' ? V1_NAMES : V2_KNOWN) {
    const actual = set.files.get(name.toLowerCase())?.name;
    if (actual && actual !== name) diagnostics.push(warningDiag('sds.file-name-case', `${actual} should be named ${name} (SDS file names are exact)`, { source: { file: actual } }));
  }
  return { version, diagnostics };
}
