import type { DiagnosticSink } from '../csv-util/diagnostic-sink.js';
import { parseDate, type SlashOrder } from '../csv-util/dates.js';
import { normalizeGrade } from '../csv-util/grades.js';
import type { Row } from './table.js';

/**
 * SDS value vocabularies. Microsoft matches enums case-insensitively and stores them in
 * camelCase ("Default list of values", learn.microsoft.com/schooldatasync); we do the same
 * and warn on a case variant, so an export that writes `Student` still ingests but is told.
 */

export const SDS_ROLES = [
  'principal', 'chair', 'professor', 'researcher', 'adjunct', 'affiliate', 'occupationalTherapist', 'physicalTherapist',
  'speechTherapist', 'visionTherapist', 'paraprofessional', 'specialServices', 'advisor', 'proctor', 'nurse', 'officeStaff',
  'lecturer', 'itAdmin', 'administrator', 'teacher', 'faculty', 'staff', 'teacherAssistant', 'aide', 'instructor', 'substitute',
  'coach', 'alumni', 'student', 'other',
  // OneRoster roles some SDS exports carry through (relationships, counselors, administrators).
  'counselor', 'districtAdministrator', 'siteAdministrator', 'guardian', 'parent', 'relative',
] as const;

export const SDS_ORG_TYPES = [
  'school', 'ministryOfEducation', 'localAuthority', 'department', 'university', 'region', 'district', 'college', 'division',
  'local', 'campus', 'province', 'state', 'adultEducation', 'researchCenter', 'national', 'municipality', 'program',
  'departmentOfEducation', 'academicTrust',
] as const;

export const SDS_SESSION_TYPES = ['schoolYear', 'semester', 'term', 'gradingPeriod', 'quarter', 'trimester'] as const;

function lookup(values: readonly string[]): Map<string, string> {
  return new Map(values.map((v) => [v.toLowerCase(), v]));
}
const ROLE_LOOKUP = lookup(SDS_ROLES);
const ORG_TYPE_LOOKUP = lookup(SDS_ORG_TYPES);
const SESSION_LOOKUP = lookup(SDS_SESSION_TYPES);

/**
 * An extensible enum: exact values pass; case variants are accepted with a warning; unknown
 * values are kept (lower camel case) with a warning, since the vocabularies may be extended.
 * Returns undefined only for a blank value.
 */
function enumValue(sink: DiagnosticSink, row: Row, key: string, what: string, table: Map<string, string>): string | undefined {
  const raw = row.get(key);
  if (raw === '') return undefined;
  const known = table.get(raw.toLowerCase());
  if (known !== undefined) {
    if (known !== raw) sink.warn('sds.enum-case', `${what} "${raw}" read as "${known}" (SDS stores enums in camelCase)`, row.at(key));
    return known;
  }
  const kept = raw.charAt(0).toLowerCase() + raw.slice(1);
  sink.warn(`sds.unknown-${what.replace(/ /g, '-')}`, `${what} "${raw}" is not in the SDS list of values; kept as "${kept}"`, row.at(key));
  return kept;
}

export const roleValue = (sink: DiagnosticSink, row: Row, key: string) => enumValue(sink, row, key, 'role', ROLE_LOOKUP);
export const orgTypeValue = (sink: DiagnosticSink, row: Row, key: string) => enumValue(sink, row, key, 'org type', ORG_TYPE_LOOKUP);
export const sessionTypeValue = (sink: DiagnosticSink, row: Row, key: string) => enumValue(sink, row, key, 'session type', SESSION_LOOKUP);

/** SDS booleans are case-insensitive `true`/`false`. Blank -> undefined; anything else is an error. */
export function boolValue(sink: DiagnosticSink, row: Row, key: string): boolean | undefined | null {
  const raw = row.get(key).toLowerCase();
  if (raw === '') return undefined;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  sink.error('sds.invalid-boolean', `${key} must be true or false, not "${row.get(key)}"`, row.at(key));
  return null;
}

/** v1 `Status`: Active (or blank) keeps access; Inactive curtails it. Anything else is an error. */
export function statusEnabled(sink: DiagnosticSink, row: Row, id: string): boolean | null {
  const raw = row.get('status');
  const v = raw.toLowerCase();
  if (v === '' || v === 'active') return true;
  if (v === 'inactive') return false;
  sink.error('sds.invalid-enum', `${id}: Status must be Active or Inactive, not "${raw}"`, row.at('status'));
  return null;
}

/**
 * Grade to a CEDS code where one applies (`9` -> `09`, `K` -> `KG`). SDS also uses
 * post-secondary levels (`PS1`..`PS6`, `undergraduate`, `postgraduate`), kept as written;
 * anything else unknown is kept with a warning.
 */
export function gradeValue(sink: DiagnosticSink, row: Row, key: string): string | undefined {
  const raw = row.get(key);
  if (raw === '') return undefined;
  if (/^ps\d$/i.test(raw)) return raw.toUpperCase();
  if (/^(undergraduate|postgraduate)$/i.test(raw)) return raw.toLowerCase();
  const g = normalizeGrade(raw);
  if (g === undefined) sink.warn('sds.grade', `grade "${raw}" is not a known grade code; kept as is`, row.at(key));
  return g ?? raw;
}

/** A date as ISO YYYY-MM-DD. Blank -> undefined; unreadable -> null after an error. */
export function dateValue(sink: DiagnosticSink, row: Row, key: string, order: SlashOrder): string | undefined | null {
  const raw = row.get(key);
  if (raw === '') return undefined;
  const d = parseDate(raw, order);
  if (!d.ok) {
    sink.error('sds.invalid-date', `${key} "${raw}" is not a date (use YYYY-MM-DD)`, row.at(key));
    return null;
  }
  if (d.ambiguous) sink.warn('sds.ambiguous-date', `date "${raw}" read as ${d.iso} (${order === 'day-first' ? 'day' : 'month'} first); SDS recommends YYYY-MM-DD`, row.at(key));
  return d.iso;
}

/** A quoted, comma-separated list of ids (`"10001,10002"`), blanks dropped. */
export function listValue(row: Row, key: string): string[] {
  const raw = row.get(key);
  return raw === '' ? [] : raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
}
