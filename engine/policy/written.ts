/**
 * The policy as a district writes it (YAML or CUE), after schema validation has removed values
 * of the wrong shape: every key optional (a missing required key is already reported), list
 * slots possibly `undefined` (a removed bad item keeps the others' indices, so positions stay
 * right). schemas/*.schema.json is the authority; these types mirror it for the normalizer.
 */

import type { WrittenAdoption } from './written-adoption.js';

export type One<T> = T | T[];

export interface WrittenMatch {
  role?: One<string>;
  school?: One<string>;
  grade?: One<string | number>;
  gradYear?: One<number>;
  fields?: Record<string, One<string | number | boolean>>;
}

export interface WrittenRuleBase {
  id?: string;
  when?: WrittenMatch;
}

export interface WrittenUsernameRule extends WrittenRuleBase {
  templates?: (string | undefined)[];
  collision?: { strategy?: 'number'; minDigits?: number; start?: number };
  maxLength?: number;
}

export interface WrittenTemplateRule extends WrittenRuleBase {
  template?: string;
}

export interface WrittenNaming {
  usernames?: (WrittenUsernameRule | undefined)[];
  email?: (WrittenTemplateRule | undefined)[];
  displayName?: (WrittenTemplateRule | undefined)[];
  reserved?: (string | undefined)[];
  renames?: 'keep' | 'rename' | 'approve';
}

export interface WrittenPlacementRule extends WrittenRuleBase {
  path?: string;
  targets?: Record<string, string>;
}

export interface WrittenPlacement {
  rules?: (WrittenPlacementRule | undefined)[];
  protected?: (string | undefined)[];
}

export interface WrittenGroupRule extends WrittenRuleBase {
  name?: string;
  description?: string;
  forEach?: 'person' | 'class';
  membership?: 'authoritative' | 'additive';
  targets?: (string | undefined)[];
}

export interface WrittenGroups {
  groups?: (WrittenGroupRule | undefined)[];
}

export interface WrittenStage {
  suspendAfterDays?: number;
  deleteAfterDays?: number | null;
  path?: string;
}

export interface WrittenHold {
  id?: string;
  from?: string;
  to?: string;
  reason?: string;
  blocks?: ('disable' | 'delete' | undefined)[];
}

export interface WrittenLifecycle {
  preEnrollmentDays?: number;
  withdrawal?: WrittenStage;
  graduation?: WrittenStage;
  staffDeparture?: WrittenStage;
  holds?: (WrittenHold | undefined)[];
}

export interface WrittenLimit {
  count?: number | null;
  percent?: number | null;
}

export interface WrittenSafety {
  limits?: Record<string, WrittenLimit>;
  maxSisShrinkPercent?: number;
  protected?: { usernames?: (string | undefined)[]; paths?: (string | undefined)[]; groups?: (string | undefined)[] };
}

export interface WrittenPasswordRule extends WrittenRuleBase {
  kind?: 'words' | 'random';
  length?: number;
  changeAtNextLogin?: boolean;
}

export interface WrittenPasswords {
  rules?: (WrittenPasswordRule | undefined)[];
  keepDays?: number;
}

export interface WrittenTarget {
  provider?: string;
  [setting: string]: unknown;
}

export interface WrittenRoot {
  version?: number;
  district?: { name?: string; domain?: string };
  roles?: (string | undefined)[];
  schools?: ({ code?: string; name?: string } | undefined)[];
  sis?: { format?: 'oneroster-csv' | 'oneroster-rest' | 'sds-csv'; path?: string; [setting: string]: unknown };
  state?: { backend?: 'local' | 'postgres'; path?: string; connection?: string; connectionEnv?: string; schema?: string };
  targets?: Record<string, WrittenTarget | undefined>;
  adoption?: WrittenAdoption;
}
