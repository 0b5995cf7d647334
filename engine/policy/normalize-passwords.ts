import type { PasswordRule, PasswordsPolicy } from '../model/policy.js';
import type { SectionContext } from './context.js';
import { DEFAULTS } from './defaults.js';
import { normalizeMatch } from './normalize-match.js';
import type { WrittenPasswords } from './written.js';

/** Shorter random passwords are guessable; word passwords are for young grades only. */
const MIN_RANDOM_LENGTH = 8;

export function normalizePasswords(ctx: SectionContext, w: WrittenPasswords | undefined): PasswordsPolicy {
  if (!w?.rules) {
    return { rules: [{ origin: { id: 'passwords.rules[default]' }, when: {}, ...DEFAULTS.passwords.rule }], keepDays: w?.keepDays ?? DEFAULTS.passwords.keepDays };
  }
  const rules: PasswordRule[] = [];
  w.rules.forEach((r, i) => {
    if (!r) return;
    const origin = ctx.origin(['rules', i], r.id);
    const when = normalizeMatch(ctx, r.when, ['rules', i, 'when']);
    if (!r.kind) return;
    const length = r.length ?? DEFAULTS.passwords.length[r.kind];
    if (r.kind === 'random' && length < MIN_RANDOM_LENGTH) {
      ctx.error('policy.password-length', `A random password needs at least ${MIN_RANDOM_LENGTH} characters, got ${length}`, ['rules', i, 'length']);
    }
    rules.push({ origin, when, kind: r.kind, length, changeAtNextLogin: r.changeAtNextLogin ?? DEFAULTS.passwords.changeAtNextLogin });
  });
  return { rules, keepDays: w.keepDays ?? DEFAULTS.passwords.keepDays };
}
