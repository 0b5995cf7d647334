import type { SourceRange } from '../model/diagnostics.js';

/**
 * Policy tests (`tests/*.yaml` in a policy repo), after parsing: an inline SIS fixture, the
 * prior state, and one expectation per person and field, each with the line it is written on
 * so a failure points at the exact expectation.
 */

export interface ClassFixture {
  id: string;
  code: string;
  title: string;
  school: string;
  source: SourceRange;
}

export interface PersonFixture {
  id: string;
  given: string;
  family: string;
  middle: string;
  preferredGiven: string;
  preferredFamily: string;
  identifier: string;
  sisUsername: string;
  email: string;
  role: string;
  school: string;
  grade: string;
  begin?: string;
  end?: string;
  enabledUser: boolean;
  classes: string[];
  source: SourceRange;
}

export interface RememberedFixture {
  username: string;
  role?: string;
  grade?: string;
  school?: string;
  gradYear?: string;
  firstSeen?: string;
  missingSince?: string;
  suspendedAt?: string;
  deleteAfter?: string;
  deletedAt?: string;
  source: SourceRange;
}

export type ExpectField = 'username' | 'email' | 'displayName' | 'path' | 'groups' | 'groupsInclude' | 'passwordRule' | 'lifecycle';

export const EXPECT_FIELDS: readonly ExpectField[] = ['username', 'email', 'displayName', 'path', 'groups', 'groupsInclude', 'passwordRule', 'lifecycle'];

export interface LifecycleExpectation {
  state: string;
  rule?: string;
  date?: string;
}

/** string | null for scalars; a list for groups; a map for per-target paths; lifecycle as written. */
export type ExpectedValue = string | null | string[] | Record<string, string | null> | LifecycleExpectation;

export interface Expectation {
  anchor: string;
  field: ExpectField;
  expected: ExpectedValue;
  source: SourceRange;
}

export interface PolicyTestCase {
  file: string;
  name: string;
  source: SourceRange;
  /** ISO date-time. */
  now: string;
  schoolYear: number | null;
  classes: ClassFixture[];
  people: PersonFixture[];
  state: { people: Record<string, RememberedFixture>; issued: Record<string, string> };
  unmanaged: string[];
  expectations: Expectation[];
}
