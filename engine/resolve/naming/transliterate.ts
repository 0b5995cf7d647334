import anyAscii from 'any-ascii';

/**
 * Names to ASCII for usernames and the `translit` filter. any-ascii does the script work
 * (Han, Hangul, Cyrillic, Arabic, Thai, Greek, Vietnamese...; see FIELD-NOTES); the fixes
 * around it make the result fit a login name rather than a prose rendering:
 *  - apostrophes of every kind are dropped (O'Brien -> OBrien, Sinéad O’Connor);
 *  - symbols and emoji are dropped, because any-ascii spells them out (`😀` -> `:grinning:`,
 *    `°` -> `deg`) and a name made only of emoji must yield nothing, so the template chain
 *    falls through to the identifier-based template;
 *  - control and format characters (NUL, zero-width joiners, bidi overrides) are dropped.
 * Pure and deterministic; a bounded cache makes repeated names (the common case) cheap.
 */

/** Apostrophe look-alikes: ASCII, typographic, modifier letters, primes, grave/acute accents. */
const APOSTROPHES = /['‘’‛`´ʹʻʼʽʾʿˈ′‵]/gu;
/**
 * Dropped before transliteration: controls (Cc), format chars (Cf: ZWJ, bidi, BOM), private use,
 * and symbols (So, Sk, Sm, Sc) which any-ascii would spell out as words.
 * Emoji modifiers are Sk; variation selectors are Mn but meaningless alone, so drop them too.
 * Printable ASCII is never dropped here, so `a+b` and `é+b` are treated alike (the charset decides).
 */
const DROP = /(?![\x20-\x7e])[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{So}\p{Sk}\p{Sm}\p{Sc}\u{FE00}-\u{FE0F}\u{E0100}-\u{E01EF}]/gu;
/** After transliteration: anything that is not printable ASCII, plus apostrophes any-ascii produced (ʿ -> `). */
const AFTER = /[^\x20-\x7e]|['`]/g;
/** Already clean: printable ASCII with no apostrophe. Skips the Unicode work for most names. */
const PLAIN = /^[\x20-\x26\x28-\x5f\x61-\x7e]*$/;

const CACHE_LIMIT = 200_000;
const cache = new Map<string, string>();

export function toAsciiName(s: string): string {
  if (PLAIN.test(s)) return s;
  const hit = cache.get(s);
  if (hit !== undefined) return hit;
  const out = anyAscii(s.normalize('NFC').replace(APOSTROPHES, '').replace(DROP, '')).replace(AFTER, '');
  // Bounded so a million distinct names do not hold memory forever; clearing keeps it simple.
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(s, out);
  return out;
}
