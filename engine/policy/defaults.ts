import type { LifecycleStage, PasswordRule, SafetyAction, SafetyLimit } from '../model/policy.js';

/**
 * Every default the normalizer fills in, in one place, so docs and schema descriptions can be
 * checked against it. Lifecycle and safety defaults are deliberately conservative: suspend,
 * never delete; halt mass suspensions and deletions.
 */
export const DEFAULTS = {
  naming: {
    /** Used when naming.usernames is absent. `{identifier}` always yields something. */
    usernameTemplates: ['{given|first:1}{family}', 'u{identifier}'],
    displayName: '{preferredGiven} {preferredFamily}',
    collision: { minDigits: 1, start: 2 },
    maxLength: 20,
    renames: 'keep',
  },
  groups: { forEach: 'person', membership: 'authoritative' },
  lifecycle: {
    preEnrollmentDays: 0,
    stage: { suspendAfterDays: 0, deleteAfterDays: null, path: null } satisfies Omit<LifecycleStage, 'origin'>,
    holdBlocks: ['disable', 'delete'],
  },
  passwords: {
    length: { words: 3, random: 16 },
    /** Long enough to print and hand out a term's sheets; short enough not to hoard passwords. */
    keepDays: 30,
    changeAtNextLogin: true,
    /** Used when passwords.rules is absent. */
    rule: { kind: 'random', length: 16, changeAtNextLogin: true } satisfies Omit<PasswordRule, 'origin' | 'when'>,
  },
  safety: {
    limits: {
      disable: { count: null, percent: 5 },
      delete: { count: null, percent: 2 },
      rename: { count: 50, percent: null },
    } satisfies Partial<Record<SafetyAction, SafetyLimit>>,
    maxSisShrinkPercent: 10,
  },
  state: { backend: 'local', path: '.rollcall/state.json', schema: 'rollcall' },
} as const;
