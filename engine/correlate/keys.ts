import { toAsciiName } from '../resolve/naming/transliterate.js';

/**
 * Comparison keys. Correlation compares values written by different tools years apart, so
 * both sides are reduced to the same plain form before any lookup: values lower-cased and
 * trimmed; names transliterated (José -> jose), lower-cased, with everything but letters and
 * digits removed (O'Brien-Smith -> obriensmith).
 */

export function valueKey(v: string | null | undefined): string {
  return (v ?? '').trim().toLowerCase();
}

const words = new Map<string, string>();
const WORDS_LIMIT = 200_000;

/** Memoized: a district has far fewer distinct name parts than people. */
export function nameWord(v: string): string {
  let w = words.get(v);
  if (w === undefined) {
    w = toAsciiName(v).toLowerCase().replace(/[^a-z0-9]+/g, '');
    if (words.size >= WORDS_LIMIT) words.clear();
    words.set(v, w);
  }
  return w;
}

/** `given family` as one key; '' when either part is empty (no key, never a match). */
export function nameKey(given: string, family: string): string {
  const g = nameWord(given);
  const f = nameWord(family);
  return g === '' || f === '' ? '' : `${g} ${f}`;
}

/** The path's segments, lower-cased: a `name` matcher's `with:` value must equal one of them. */
export function pathSegments(path: string): string[] {
  return path.split('/').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
}

/**
 * A path glob: `*` matches characters within one segment, `**` any number of whole segments.
 * Compiled once per exclusion; matching is a single regex test.
 */
export function compileGlob(glob: string): RegExp {
  const segs = glob.split('/').filter((s) => s !== '');
  if (segs.length === 1 && segs[0] === '**') return /^.*$/;
  let re = '';
  segs.forEach((seg, i) => {
    const last = i === segs.length - 1;
    if (seg === '**') {
      // Leading or middle: zero or more whole segments, each followed by '/'; trailing: each preceded by '/'.
      re += last ? '(?:/[^/]+)*' : i === 0 ? '(?:[^/]+/)*' : '/(?:[^/]+/)*';
      return;
    }
    const prevGlobstar = i > 0 && segs[i - 1] === '**';
    if (i > 0 && !prevGlobstar) re += '/';
    re += seg.split('*').map(escapeRe).join('[^/]*');
  });
  return new RegExp(`^${re}$`, 'i');
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
