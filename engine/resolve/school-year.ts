import type { AcademicSession } from '../model/people.js';

/**
 * Grades and graduation years. US exports use CEDS codes (KG, 01..12) but local variants
 * appear; the SIS reader normalizes them, this module only interprets them.
 */

const GRADE_NUMBERS: Readonly<Record<string, number>> = {
  IT: -3, PR: -2, PK: -1, TK: 0, KG: 0,
  '01': 1, '02': 2, '03': 3, '04': 4, '05': 5, '06': 6, '07': 7, '08': 8, '09': 9, '10': 10, '11': 11, '12': 12,
  '13': 13,
};

/** The numeric grade of a CEDS code, or null for codes with no place in the sequence (UG, PS, Other). */
export function gradeNumber(grade: string): number | null {
  const n = GRADE_NUMBERS[grade];
  return n === undefined ? null : n;
}

/** Graduation year ("cohort") = school year end + (12 - grade). A 9th grader in 2026-27 graduates in 2030. */
export function gradYearFor(grade: string, schoolYear: number): number | null {
  const n = gradeNumber(grade);
  if (n === null || n > 12) return null;
  return schoolYear + (12 - n);
}

/**
 * The school year (named by its ending year) that `now` falls in: the schoolYear session
 * that contains it; else the latest one that started before it; else by the calendar, with
 * years turning over on July 1st.
 */
export function schoolYearFor(sessions: readonly AcademicSession[], nowIso: string): number {
  const day = nowIso.slice(0, 10);
  let containing: number | null = null;
  let latestStarted: number | null = null;
  for (const s of sessions) {
    if (s.type !== 'schoolYear' || !s.schoolYear) continue;
    if (s.startDate <= day && day < s.endDate) containing = Math.max(containing ?? 0, s.schoolYear);
    if (s.startDate <= day) latestStarted = Math.max(latestStarted ?? 0, s.schoolYear);
  }
  if (containing !== null) return containing;
  if (latestStarted !== null) {
    const calendar = calendarSchoolYear(day);
    // Summer: the last year ended, the next has not started: the next one is coming.
    return Math.max(latestStarted, calendar);
  }
  return calendarSchoolYear(day);
}

/** The school year a date falls in by the calendar (years turn over on July 1st). */
export function calendarSchoolYear(day: string): number {
  const year = Number(day.slice(0, 4));
  const month = Number(day.slice(5, 7));
  return month >= 7 ? year + 1 : year;
}

/** Add whole days to an ISO date-time or date; returns an ISO date (YYYY-MM-DD). */
export function addDays(iso: string, days: number): string {
  const d = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
