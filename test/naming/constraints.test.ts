import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TargetConstraints } from '../../engine/model/provider.js';
import {
  AD_CONSTRAINTS,
  ENTRA_CONSTRAINTS,
  GOOGLE_CONSTRAINTS,
  mergeConstraints,
  normalizeUsername,
  SANDBOX_CONSTRAINTS,
} from '../../engine/resolve/naming/constraints.js';
import { HOSTILE } from './fixtures.js';

const ALL = mergeConstraints([AD_CONSTRAINTS, GOOGLE_CONSTRAINTS, ENTRA_CONSTRAINTS, SANDBOX_CONSTRAINTS], 64);

/** An independent check of a class body, via the RegExp engine rather than the parser under test. */
const fitsCharset = (name: string, c: TargetConstraints): boolean => new RegExp(`^[${c.usernameCharset}]*$`).test(name);

describe('target presets', () => {
  it('encode the published limits', () => {
    expect(AD_CONSTRAINTS.maxUsernameLength).toBe(20);
    expect(GOOGLE_CONSTRAINTS.maxUsernameLength).toBe(64);
    expect(ENTRA_CONSTRAINTS.maxUsernameLength).toBe(64);
    expect(SANDBOX_CONSTRAINTS.maxUsernameLength).toBe(64);
    for (const ch of '"/\\[]:;|=,+*?<>@') expect(fitsCharset(ch, AD_CONSTRAINTS)).toBe(false);
    for (const ch of "!#$%&'().^_`{}~-") expect(fitsCharset(ch, AD_CONSTRAINTS)).toBe(true);
    for (const ch of ".-_'") expect(fitsCharset(ch, GOOGLE_CONSTRAINTS)).toBe(true);
    for (const ch of '!#+$') expect(fitsCharset(ch, GOOGLE_CONSTRAINTS)).toBe(false);
    for (const ch of "'.-_!#^~") expect(fitsCharset(ch, ENTRA_CONSTRAINTS)).toBe(true);
    for (const ch of '$%&(){}`') expect(fitsCharset(ch, ENTRA_CONSTRAINTS)).toBe(false);
  });
});

describe('mergeConstraints', () => {
  it('takes the strictest length, the common charset and the strictest dot rule', () => {
    const m = mergeConstraints([AD_CONSTRAINTS, GOOGLE_CONSTRAINTS], 30);
    expect(m.maxUsernameLength).toBe(20);
    expect(m.dotEdgesAllowed).toBe(false);
    for (const ch of 'abcxyz0189._-') expect(fitsCharset(ch, m)).toBe(true);
    // ' is allowed by both targets but never issued; ! only by AD.
    for (const ch of "'!#A \\]^") expect(fitsCharset(ch, m)).toBe(false);
  });

  it('the policy maximum can be the strictest', () => {
    expect(mergeConstraints([GOOGLE_CONSTRAINTS], 12).maxUsernameLength).toBe(12);
  });

  it('with no targets, gives the sandbox rules and the policy maximum', () => {
    const m = mergeConstraints([], 40);
    expect(m.maxUsernameLength).toBe(40);
    expect(m.dotEdgesAllowed).toBe(false);
    expect(fitsCharset('a.b_c-9', m)).toBe(true);
  });

  it('serializes a charset that needs escapes as a valid class body', () => {
    const odd: TargetConstraints = { maxUsernameLength: 64, usernameCharset: 'a-c\\-\\]\\\\', dotEdgesAllowed: true };
    const m = mergeConstraints([odd], 64);
    expect(fitsCharset('abc-', m)).toBe(true);
    expect(fitsCharset('d', m)).toBe(false);
    expect(fitsCharset(']', m)).toBe(false); // not in the safe set
  });

  it('a target that forbids dots removes them from usernames', () => {
    const noDots: TargetConstraints = { maxUsernameLength: 30, usernameCharset: 'a-z0-9', dotEdgesAllowed: false };
    const m = mergeConstraints([GOOGLE_CONSTRAINTS, noDots], 64);
    expect(normalizeUsername('Mary.Smith-Jones', m)).toBe('marysmithjones');
  });
});

describe('normalizeUsername', () => {
  it.each([
    ['José', 'jose'],
    ['Nguyễn', 'nguyen'],
    ['Łukasz', 'lukasz'],
    ['Straße', 'strasse'],
    ["O'Brien", 'obrien'],
    ['Zoë', 'zoe'],
    ['Þórður', 'thordur'],
    ['王菲', 'wangfei'],
    ['Mary Ann', 'maryann'],
    ['john..smith', 'john.smith'],
    ['.john.', 'john'],
    ['-rf', 'rf'],
    ['--.-x', 'x'],
    ['*)(uid=*', 'uid'],
    ['Smith,OU=Admins', 'smithouadmins'],
  ])('%s -> %s (all targets)', (raw, expected) => {
    expect(normalizeUsername(raw, ALL)).toBe(expected);
  });

  it('cuts to the maximum length and leaves no trailing dot after the cut', () => {
    expect(normalizeUsername('Christopher.Montgomery-Smith', AD_CONSTRAINTS)).toBe('christopher.montgome');
    expect(normalizeUsername('abcdefghijklmnopqrs.tuv', AD_CONSTRAINTS)).toBe('abcdefghijklmnopqrs');
  });

  it('where dot edges are allowed, keeps them but still drops leading hyphens', () => {
    const lenient: TargetConstraints = { maxUsernameLength: 10, usernameCharset: 'a-z.-', dotEdgesAllowed: true };
    expect(normalizeUsername('.x.', lenient)).toBe('.x.');
    expect(normalizeUsername('-x', lenient)).toBe('x');
    expect(normalizeUsername('.x.', SANDBOX_CONSTRAINTS)).toBe('x');
  });

  it('may return an empty string', () => {
    expect(normalizeUsername('😀', ALL)).toBe('');
    expect(normalizeUsername('', ALL)).toBe('');
  });

  it('hostile strings always give a safe name for every target', () => {
    for (const c of [AD_CONSTRAINTS, GOOGLE_CONSTRAINTS, ENTRA_CONSTRAINTS, SANDBOX_CONSTRAINTS, ALL]) {
      for (const s of HOSTILE) {
        const u = normalizeUsername(s, c);
        expect(u).toMatch(/^[a-z0-9._-]*$/);
        expect(fitsCharset(u, c)).toBe(true);
        expect(u.length).toBeLessThanOrEqual(c.maxUsernameLength);
        expect(u).not.toMatch(/^-|\.\./);
        if (!c.dotEdgesAllowed) expect(u).not.toMatch(/^\.|\.$/);
        // Normalizing is idempotent: an issued name is its own normal form.
        expect(normalizeUsername(u, c)).toBe(u);
      }
    }
  });
});

describe('normalizeUsername properties', () => {
  const targetsArb = fc.subarray([AD_CONSTRAINTS, GOOGLE_CONSTRAINTS, ENTRA_CONSTRAINTS, SANDBOX_CONSTRAINTS], { minLength: 1 });
  const textArb = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.constantFrom(...HOSTILE));

  it('the merged result fits every target, is safe and is its own normal form', () => {
    fc.assert(
      fc.property(textArb, targetsArb, fc.integer({ min: 1, max: 70 }), (raw, targets, policyMax) => {
        const m = mergeConstraints(targets, policyMax);
        const u = normalizeUsername(raw, m);
        expect(u).toMatch(/^[a-z0-9._-]*$/);
        expect(u).not.toMatch(/^[-.]|\.\.|\.$/);
        expect(u.length).toBeLessThanOrEqual(policyMax);
        for (const t of targets) {
          expect(u.length).toBeLessThanOrEqual(t.maxUsernameLength);
          expect(fitsCharset(u, t)).toBe(true);
          expect(normalizeUsername(u, t)).toBe(u);
        }
        expect(normalizeUsername(u, m)).toBe(u);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('normalizeUsername on already-plain names', () => {
  // The rules spelled out one by one, as normalizeUsername applied them before its fast path
  // for names of allowed characters without dots or hyphens; ASCII input only, so
  // transliteration is the identity here.
  function reference(raw: string, c: TargetConstraints, allowedChar: (ch: string) => boolean): string {
    let s = [...raw.toLowerCase()].filter(allowedChar).join('').replace(/\.{2,}/g, '.');
    s = c.dotEdgesAllowed ? s.replace(/^-+/, '') : s.replace(/^[-.]+/, '').replace(/^\.+|\.+$/g, '');
    if (s.length > c.maxUsernameLength) {
      s = s.slice(0, Math.max(0, c.maxUsernameLength));
      if (!c.dotEdgesAllowed) s = s.replace(/\.+$/, '');
    }
    return s;
  }

  it('gives what the full rules give, with or without dots, hyphens and disallowed characters', () => {
    const lenient: TargetConstraints = { maxUsernameLength: 6, usernameCharset: 'a-z0-9.-', dotEdgesAllowed: true };
    const strict: TargetConstraints = { maxUsernameLength: 6, usernameCharset: 'a-z0-9.', dotEdgesAllowed: false };
    const allowedIn = (c: TargetConstraints) => (ch: string): boolean => new RegExp(`^[${c.usernameCharset}]$`).test(ch);
    fc.assert(
      fc.property(fc.stringMatching(/^[a-zA-Z0-9.\- _]{0,10}$/), fc.constantFrom(lenient, strict), (raw, c) => {
        expect(normalizeUsername(raw, c)).toBe(reference(raw, c, allowedIn(c)));
      }),
      { numRuns: 3000 },
    );
  });
});
