import type { SourceRange } from '../../../engine/model/diagnostics.js';
import type { DiagnosticSink } from '../csv-util/diagnostic-sink.js';
import { parseDate, parseDateTime, type SlashOrder, slashOrderOf } from '../csv-util/dates.js';

/**
 * Field-level parsing for OneRoster values: enums, booleans, lists, userIds and dates.
 * Each function reports into the sink with file:line:column and returns a usable value or
 * undefined (the record is then dropped, since an error already stops the run).
 */

export const ROLES_12 = [
  'aide', 'counselor', 'districtAdministrator', 'guardian', 'parent', 'principal', 'proctor', 'relative',
  'siteAdministrator', 'student', 'systemAdministrator', 'teacher',
] as const;
/** 1.1 users.csv roles not in 1.2 (`administrator`) are kept for 1.1 sets. */
export const USER_ROLES = [...ROLES_12, 'administrator'] as const;
export const ENROLLMENT_ROLES = ['administrator', 'proctor', 'student', 'teacher', 'aide'] as const;
export const ORG_TYPES = ['department', 'school', 'district', 'local', 'state', 'national'] as const;
export const SESSION_TYPES = ['gradingPeriod', 'semester', 'schoolYear', 'term'] as const;
export const CLASS_TYPES = ['homeroom', 'scheduled'] as const;

export interface Where {
  file: string;
  line: number;
  /** Row index of the column -> 1-based column. */
  col(name: string): number | undefined;
  /** The row's sourcedId (already trimmed and copied out of the parser's chunk). */
  sourcedId: string;
  /** `table sourcedId`, for messages; computed only when a message is made. */
  readonly id: string;
}

export function at(w: Where, column?: string): SourceRange {
  const c = column ? w.col(column) : undefined;
  return { file: w.file, line: w.line, ...(c !== undefined ? { column: c } : {}) };
}

/**
 * An enumerated value. Exact spec values pass; a case variant (`Scheduled`, `TRUE`) is accepted
 * with a warning; `ext:`-prefixed extensions pass (the vocabularies "may be extended");
 * anything else is an error naming the permitted values.
 */
export function enumValue(sink: DiagnosticSink, w: Where, column: string, raw: string, allowed: readonly string[], extensible: boolean): string | undefined {
  if (allowed.includes(raw)) return raw;
  const hit = allowed.find((a) => a.toLowerCase() === raw.toLowerCase());
  if (hit) {
    sink.warn('oneroster.enum-case', `${column} "${raw}" read as "${hit}" (values are case-sensitive)`, at(w, column));
    return hit;
  }
  if (extensible && /^ext:\S+$/.test(raw)) return raw;
  sink.error('oneroster.invalid-enum', `${w.id}: invalid ${column} "${raw}"; permitted: ${allowed.join(', ')}${extensible ? ', or ext:...' : ''}`, at(w, column));
  return undefined;
}

export type Status = 'active' | 'tobedeleted' | '';

export function statusValue(sink: DiagnosticSink, w: Where, raw: string): Status | undefined {
  if (raw === '' || raw === 'active' || raw === 'tobedeleted') return raw;
  const v = enumValue(sink, w, 'status', raw, ['active', 'tobedeleted'], false);
  return v as Status | undefined;
}

/** true/false; `TRUE`/`False` pass silently (common spreadsheet output); 1/0 pass with a warning. */
export function boolValue(sink: DiagnosticSink, w: Where, column: string, raw: string, whenEmpty: boolean): boolean | undefined {
  // Fast path: the spelling almost every row uses (no trim/lower-case copies).
  if (raw === 'false') return false;
  if (raw === 'true') return true;
  const v = raw.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (v === '') return whenEmpty;
  if (v === '1' || v === '0') {
    sink.warn('oneroster.boolean-numeric', `${column} is "${raw}"; read as ${v === '1'}; the spec allows only true/false`, at(w, column));
    return v === '1';
  }
  sink.error('oneroster.invalid-enum', `${w.id}: invalid ${column} "${raw}"; permitted: true, false`, at(w, column));
  return undefined;
}

/** A comma list (`"a,b"`); empty items dropped. */
export function listValue(raw: string): string[] {
  if (raw === '') return [];
  if (!raw.includes(',')) return [raw.trim()];
  const out: string[] = [];
  for (const p of raw.split(',')) {
    const t = p.trim();
    if (t) out.push(t);
  }
  return out;
}

/** `{LDAP:12},{LTI:15}` -> [{type, identifier}]. A bare value is kept with an empty type and a warning. */
export function userIdsValue(sink: DiagnosticSink, w: Where, raw: string, intern: (s: string) => string = (x) => x): { type: string; identifier: string }[] {
  if (raw.trim() === '') return [];
  const out: { type: string; identifier: string }[] = [];
  const re = /\{([^:{}]*):([^{}]*)\}/g;
  let rest = raw;
  for (let m = re.exec(raw); m; m = re.exec(raw)) {
    out.push({ type: intern(m[1]!.trim()), identifier: m[2]!.trim() });
    rest = rest.replace(m[0], '');
  }
  if (rest.replace(/[,\s]/g, '') !== '') {
    // Not quoted: a value out of form is often an address or a login, and warnings reach CI logs.
    sink.warn('oneroster.userids-format', 'userIds is not in the {type:id} form; kept with an empty type', at(w, 'userIds'));
    if (out.length === 0) out.push({ type: '', identifier: raw.trim() });
  }
  // push() over-allocates; a kept array should be exactly as long as its contents.
  return out.slice();
}

/** Per-file-column memory of the slash-date order, so `1/05/2023` follows `15/06/2023`'s lead. */
export class DateReader {
  private readonly order = new Map<string, SlashOrder>();
  private readonly guessed = new Set<string>();
  constructor(private readonly sink: DiagnosticSink) {}

  /** ISO date, undefined for empty, null for invalid (error reported). */
  /** Year-first values do not depend on the learned order; enrollment files repeat a few of them millions of times. */
  private readonly cache = new Map<string, string>();

  /** The ISO date of a year-first value already read once (no learning, no diagnostics), or undefined. */
  known(raw: string): string | undefined {
    return this.cache.get(raw);
  }

  date(w: Where, column: string, raw: string): string | undefined | null {
    if (raw === '') return undefined;
    const hit = this.cache.get(raw);
    if (hit !== undefined) return hit;
    if (this.cache.size < 4096 && /^\d{4}/.test(raw)) {
      const r = parseDate(raw);
      if (r.ok) {
        this.cache.set(raw, r.iso);
        return r.iso;
      }
    }
    const key = `${w.file}\0${column}`;
    const learned = slashOrderOf(raw);
    if (learned) this.order.set(key, learned);
    const r = parseDate(raw, this.order.get(key) ?? 'month-first');
    if (!r.ok) {
      this.sink.error('oneroster.invalid-date', `${w.id}: ${column} "${raw}" is not a date (expected YYYY-MM-DD)`, at(w, column));
      return null;
    }
    if (r.ambiguous && !this.order.has(key) && !this.guessed.has(key)) {
      this.guessed.add(key);
      this.sink.warn('oneroster.ambiguous-date', `${column} "${raw}" could be month/day or day/month; read as month/day (${r.iso})`, at(w, column));
    }
    return r.iso;
  }

  dateTime(w: Where, column: string, raw: string): string | undefined | null {
    if (raw === '') return undefined;
    const key = `${w.file}\0${column}`;
    const learned = slashOrderOf(raw);
    if (learned) this.order.set(key, learned);
    const v = parseDateTime(raw, this.order.get(key) ?? 'month-first');
    if (v === undefined) {
      this.sink.error('oneroster.invalid-date', `${w.id}: ${column} "${raw}" is not a date-time (expected e.g. 2026-08-20T13:45:00.000Z)`, at(w, column));
      return null;
    }
    return v;
  }
}
