import { toAsciiName } from './transliterate.js';

/**
 * The template filters (`{given|first:1}`): what each accepts, checked once when the policy is
 * compiled, and what each does, applied on every render. Character counts are Unicode code
 * points of NFC text (renderTemplate normalizes), so `first:1` of `Łukasz` is `Ł`, not half
 * of a surrogate pair.
 */

export interface FilterSpec {
  /** How a person writes it, for messages: `pad:N[:char]`. */
  usage: string;
  minArgs: number;
  maxArgs: number;
  /** Why the argument at `arg` is wrong, or null when all are fine. Arity is checked before. */
  check(args: readonly string[]): { arg: number; message: string } | null;
  apply(value: string, args: readonly string[]): string;
}

const MAX_COUNT = 256;

function countArg(args: readonly string[], i: number, what: string): { arg: number; message: string } | null {
  const a = args[i] ?? '';
  if (!/^\d+$/.test(a) || Number(a) < 1 || Number(a) > MAX_COUNT) {
    return { arg: i, message: `${what} must be a whole number from 1 to ${MAX_COUNT}, got "${a}"` };
  }
  return null;
}

/** Fast path for the usual case: no surrogate pairs means code units are code points. */
const ASTRAL = /[\uD800-\uDFFF]/;

function firstN(value: string, n: number): string {
  if (!ASTRAL.test(value)) return value.slice(0, n);
  return Array.from(value).slice(0, n).join('');
}

function lastN(value: string, n: number): string {
  if (!ASTRAL.test(value)) return n >= value.length ? value : value.slice(value.length - n);
  const cps = Array.from(value);
  return cps.slice(Math.max(0, cps.length - n)).join('');
}

const WORD_BREAK = /[\s\-‐‑‒–—_.]+/u;
const NOT_ALNUM = /[^\p{L}\p{M}\p{N}]/gu;

const noArgs = (): null => null;

export const FILTER_SPECS: Readonly<Record<string, FilterSpec>> = {
  first: {
    usage: 'first:N',
    minArgs: 1,
    maxArgs: 1,
    check: (args) => countArg(args, 0, 'first:N: N'),
    apply: (v, args) => firstN(v, Number(args[0])),
  },
  last: {
    usage: 'last:N',
    minArgs: 1,
    maxArgs: 1,
    check: (args) => countArg(args, 0, 'last:N: N'),
    apply: (v, args) => lastN(v, Number(args[0])),
  },
  translit: { usage: 'translit', minArgs: 0, maxArgs: 0, check: noArgs, apply: (v) => toAsciiName(v) },
  lower: { usage: 'lower', minArgs: 0, maxArgs: 0, check: noArgs, apply: (v) => v.toLowerCase() },
  upper: { usage: 'upper', minArgs: 0, maxArgs: 0, check: noArgs, apply: (v) => v.toUpperCase() },
  alnum: { usage: 'alnum', minArgs: 0, maxArgs: 0, check: noArgs, apply: (v) => v.replace(NOT_ALNUM, '') },
  initials: {
    usage: 'initials',
    minArgs: 0,
    maxArgs: 0,
    check: noArgs,
    // "Mary-Kate van Dyke" -> "MKvD": the first character of each word; hyphens and dots split words.
    apply: (v) => {
      let out = '';
      for (const w of v.split(WORD_BREAK)) if (w !== '') out += firstN(w, 1);
      return out;
    },
  },
  pad: {
    usage: 'pad:N[:char]',
    minArgs: 1,
    maxArgs: 2,
    check: (args) => {
      const bad = countArg(args, 0, 'pad:N: N');
      if (bad) return bad;
      const ch = args[1];
      if (ch !== undefined && Array.from(ch).length !== 1) {
        return { arg: 1, message: `pad:N:char: char must be exactly one character, got "${ch}"` };
      }
      return null;
    },
    // Left-pads, as identifiers are padded: 42 -> 000042.
    apply: (v, args) => {
      const n = Number(args[0]);
      const ch = args[1] ?? '0';
      const len = Array.from(v).length;
      return len >= n ? v : ch.repeat(n - len) + v;
    },
  },
  default: {
    usage: 'default:value',
    minArgs: 1,
    maxArgs: 1,
    check: noArgs,
    apply: (v, args) => (v.trim() === '' ? (args[0] ?? '') : v),
  },
};

/** Filter names in the order the docs list them. */
export const FILTER_NAMES: readonly string[] = Object.freeze(Object.keys(FILTER_SPECS));

export function filterSpec(name: string): FilterSpec | undefined {
  return Object.hasOwn(FILTER_SPECS, name) ? FILTER_SPECS[name] : undefined;
}
