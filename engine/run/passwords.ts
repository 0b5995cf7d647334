import { randomInt } from 'node:crypto';
import type { Change } from '../model/plan.js';
import type { PasswordRule, Policy } from '../model/policy.js';
import type { ApplySecrets } from '../model/provider.js';
import { WORDS } from './words.js';

/**
 * Initial passwords are made at apply time, in the shell, from a CSPRNG: they never enter a
 * plan, a log or a PR comment. The plan names only the rule (`password_rule`).
 */

export interface CredentialSink {
  /** Keep the initial credential for the teacher's printable sheet (see engine/secrets). */
  record(change: Change, password: string): Promise<void>;
  /** Drop credentials recorded before `cutoff` (ISO time); returns how many went. */
  purgeBefore?(cutoff: string): number;
}

const RANDOM_ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function generatePassword(rule: Pick<PasswordRule, 'kind' | 'length'>): string {
  if (rule.kind === 'words') {
    // Young students: short words they can type, plus two digits for directory complexity rules.
    const words: string[] = [];
    for (let i = 0; i < Math.max(1, rule.length); i++) {
      const w = WORDS[randomInt(WORDS.length)]!;
      words.push(w.charAt(0).toUpperCase() + w.slice(1));
    }
    return `${words.join('')}${randomInt(10, 100)}`;
  }
  // Random: ensure a lower, an upper and a digit so AD's complexity policy accepts it.
  const len = Math.max(12, rule.length);
  for (;;) {
    let s = '';
    for (let i = 0; i < len; i++) s += RANDOM_ALPHABET[randomInt(RANDOM_ALPHABET.length)];
    if (/[a-z]/.test(s) && /[A-Z]/.test(s) && /[0-9]/.test(s)) return s;
  }
}

export function initialPasswordFor(change: Change, policy: Policy): ApplySecrets {
  const rule = policy.passwords.rules.find((r) => r.origin.id === change.password_rule)
    ?? { kind: 'random' as const, length: 16, changeAtNextLogin: true };
  return { initialPassword: generatePassword(rule), changeAtNextLogin: rule.changeAtNextLogin };
}
