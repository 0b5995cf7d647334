/**
 * The adoption policy files as written (after schema validation removed bad values): see
 * schemas/correlation, exclusions, overrides and decisions .schema.json, the authority.
 */

export interface WrittenMatcher {
  id?: string;
  match?: 'anchor' | 'attribute' | 'email' | 'username' | 'name';
  confidence?: 'strong' | 'weak';
  attribute?: string;
  field?: string;
  template?: string;
  with?: 'school' | 'grade' | 'gradYear';
  targets?: (string | undefined)[];
}

export interface WrittenCorrelation {
  scope?: (string | undefined)[];
  matchers?: (WrittenMatcher | undefined)[];
}

export interface WrittenExclusion {
  id?: string;
  username?: string;
  account?: string;
  path?: string;
  person?: string;
  targets?: (string | undefined)[];
  reason?: string;
}

export interface WrittenExclusions {
  accounts?: (WrittenExclusion | undefined)[];
}

export interface WrittenOverride {
  id?: string;
  person?: string;
  attribute?: 'username' | 'givenName' | 'familyName' | 'displayName' | 'email' | 'path';
  value?: string;
  targets?: (string | undefined)[];
  reason?: string;
  expires?: string;
}

export interface WrittenOverrides {
  overrides?: (WrittenOverride | undefined)[];
}

export interface WrittenDecision {
  target?: string;
  account?: string | null;
  person?: string;
  notAPerson?: boolean;
  reason?: string;
  candidates?: (string | undefined)[];
}

export interface WrittenDecisions {
  decisions?: (WrittenDecision | undefined)[];
  renames?: ({ person?: string; to?: string; reason?: string } | undefined)[];
}

export type WrittenAdoption = boolean | { enabled?: boolean; renames?: 'keep' | 'rename'; allowDisable?: boolean };
