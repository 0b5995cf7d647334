import type { TargetConstraints } from '../../model/provider.js';
import { toAsciiName } from './transliterate.js';

/**
 * What a username may look like. A district username is shared by every target (the same
 * login in AD, Google and Entra), so the rules in force are the strictest of all targets.
 *
 * Beyond any target's rules, rollcall only ever issues lower-case ASCII letters, digits and
 * `.`, `_`, `-`, with no leading hyphen (it would read as an option in scripts). Targets
 * allow more (AD allows `#$%&'(){}~`), but those characters need escaping in LDAP filters,
 * DNs, shells, CSV exports or mail, and no name needs them after transliteration.
 */

/** The characters rollcall issues at most, whatever targets allow. */
export const SAFE_CHARSET = 'a-z0-9._-';

/**
 * Never issued, whatever the policy's `reserved` list says: Windows device names, which
 * cannot be a home folder or profile directory (`\\server\home\con` fails).
 */
export const ALWAYS_RESERVED: readonly string[] = Object.freeze([
  'con', 'prn', 'aux', 'nul',
  ...Array.from({ length: 9 }, (_, i) => `com${i + 1}`),
  ...Array.from({ length: 9 }, (_, i) => `lpt${i + 1}`),
]);

/** AD sAMAccountName: at most 20; not `"/\[]:;|=,+*?<>@`; no trailing dot. */
export const AD_CONSTRAINTS: TargetConstraints = Object.freeze({
  maxUsernameLength: 20,
  usernameCharset: "A-Za-z0-9!#$%&'().^_`{}~-",
  dotEdgesAllowed: false,
});

/** Google local part: letters, digits, `.`, `-`, `_`, `'`; at most 64; no leading or trailing period. */
export const GOOGLE_CONSTRAINTS: TargetConstraints = Object.freeze({
  maxUsernameLength: 64,
  usernameCharset: "a-z0-9._'-",
  dotEdgesAllowed: false,
});

/** Entra UPN prefix (Graph: `A-Z a-z 0-9 ' . - _ ! # ^ ~`, no accents); at most 64; no edge period. */
export const ENTRA_CONSTRAINTS: TargetConstraints = Object.freeze({
  maxUsernameLength: 64,
  usernameCharset: "A-Za-z0-9'._!#^~-",
  dotEdgesAllowed: false,
});

/**
 * The local file-backed sandbox: lenient on length, but it stands in for real directories,
 * so no edge dots (`jsmith.` would break the day the district adds AD).
 */
export const SANDBOX_CONSTRAINTS: TargetConstraints = Object.freeze({
  maxUsernameLength: 64,
  usernameCharset: SAFE_CHARSET,
  dotEdgesAllowed: false,
});

/**
 * A character-class body (`a-z0-9._-`) as a table over ASCII. `\` escapes the next character;
 * `-` between two characters is a range, elsewhere itself. Non-ASCII is ignored: usernames
 * are transliterated to ASCII before the charset applies.
 */
function parseCharset(body: string): Uint8Array {
  const table = new Uint8Array(128);
  const chars: { ch: number; escaped: boolean }[] = [];
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '\\' && i + 1 < body.length) {
      chars.push({ ch: body.charCodeAt(i + 1), escaped: true });
      i++;
    } else chars.push({ ch: body.charCodeAt(i), escaped: false });
  }
  for (let i = 0; i < chars.length; i++) {
    const a = chars[i];
    const dash = chars[i + 1];
    const b = chars[i + 2];
    if (a && dash && b && dash.ch === 45 && !dash.escaped) {
      for (let c = a.ch; c <= b.ch && c < 128; c++) table[c] = 1;
      i += 2;
    } else if (a && a.ch < 128) table[a.ch] = 1;
  }
  // Space and controls never belong in a username.
  for (let c = 0; c <= 32; c++) table[c] = 0;
  table[127] = 0;
  return table;
}

const SAFE_TABLE = parseCharset(SAFE_CHARSET);

interface Allowed {
  table: Uint8Array;
  /** Matches a string made only of allowed characters: the common case skips the char loop. */
  whole: RegExp;
}
const compiled = new Map<string, Allowed>();

/** The charset intersected with SAFE_CHARSET; memoized because a run has a handful of charsets. */
function allowed(charset: string): Allowed {
  let a = compiled.get(charset);
  if (!a) {
    const parsed = parseCharset(charset);
    const table = new Uint8Array(128);
    for (let c = 0; c < 128; c++) table[c] = (parsed[c] ?? 0) & (SAFE_TABLE[c] ?? 0);
    // serializeCharset escapes what a class body needs, so this RegExp is built from our own text.
    a = { table, whole: new RegExp(`^[${serializeCharset(table)}]*$`) };
    compiled.set(charset, a);
  }
  return a;
}

/** A table back to a class body: ranges for runs of 3+, and `\` before `\ ] ^ -`. */
function serializeCharset(table: Uint8Array): string {
  const esc = (c: number): string => {
    const ch = String.fromCharCode(c);
    return ch === '\\' || ch === ']' || ch === '^' || ch === '-' ? `\\${ch}` : ch;
  };
  let out = '';
  for (let c = 33; c < 127; c++) {
    if (!table[c]) continue;
    let end = c;
    while (end + 1 < 127 && table[end + 1]) end++;
    if (end - c >= 2) out += `${esc(c)}-${esc(end)}`;
    else for (let k = c; k <= end; k++) out += esc(k);
    c = end;
  }
  return out;
}

export function mergeConstraints(list: TargetConstraints[], policyMax: number): TargetConstraints {
  const table = new Uint8Array(128);
  for (let c = 0; c < 128; c++) table[c] = SAFE_TABLE[c] ?? 0;
  let max = Number.isFinite(policyMax) && policyMax > 0 ? Math.floor(policyMax) : SANDBOX_CONSTRAINTS.maxUsernameLength;
  // With no targets at all, the sandbox's rules.
  let dotEdgesAllowed = list.length === 0 ? SANDBOX_CONSTRAINTS.dotEdgesAllowed : true;
  for (const t of list) {
    const p = parseCharset(t.usernameCharset);
    for (let c = 0; c < 128; c++) table[c] = (table[c] ?? 0) & (p[c] ?? 0);
    max = Math.min(max, t.maxUsernameLength);
    dotEdgesAllowed = dotEdgesAllowed && t.dotEdgesAllowed;
  }
  return { maxUsernameLength: max, usernameCharset: serializeCharset(table), dotEdgesAllowed };
}

const DOT_RUNS = /\.{2,}/g;
const EDGE_DOTS = /^\.+|\.+$/g;
const LEADING_HYPHENS_AND_DOTS = /^[-.]+/;
const LEADING_HYPHENS = /^-+/;
const TRAILING_DOTS = /\.+$/;

export function normalizeUsername(raw: string, c: TargetConstraints): string {
  const { table, whole } = allowed(c.usernameCharset);
  const lower = toAsciiName(raw).toLowerCase();
  // Most names are allowed characters with no dot or hyphen: then no rule below changes
  // anything but the length, and one pass over the characters replaces five regex runs.
  if (plainAllowed(lower, table)) return lower.length > c.maxUsernameLength ? lower.slice(0, Math.max(0, c.maxUsernameLength)) : lower;
  let kept = lower;
  if (!whole.test(lower)) {
    kept = '';
    for (let i = 0; i < lower.length; i++) {
      const code = lower.charCodeAt(i);
      if (code < 128 && table[code]) kept += lower[i];
    }
  }
  let s = kept.replace(DOT_RUNS, '.');
  if (c.dotEdgesAllowed) s = s.replace(LEADING_HYPHENS, '');
  else s = s.replace(LEADING_HYPHENS_AND_DOTS, '').replace(EDGE_DOTS, '');
  if (s.length > c.maxUsernameLength) {
    s = s.slice(0, Math.max(0, c.maxUsernameLength));
    if (!c.dotEdgesAllowed) s = s.replace(TRAILING_DOTS, '');
  }
  return s;
}

const DOT = 46;
const HYPHEN = 45;

/** Every character allowed by `table`, and none a dot or a hyphen (the characters the edge and run rules touch). */
function plainAllowed(s: string, table: Uint8Array): boolean {
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code >= 128 || table[code] === 0 || code === DOT || code === HYPHEN) return false;
  }
  return true;
}
