import type { PathSeg } from './source-doc.js';

/**
 * Approximate positions in CUE source. cue-wasm (CUE v0.4.3) evaluates text to JSON and drops
 * every position (its AST export has empty positions too), so we find a path's field by
 * scanning the source: `a: b: [x, {c: 1}]` style, quoted and optional labels, comments and
 * strings skipped. Limits: a value built by unification, comprehension, a reference or a
 * definition (`#Rule & {...}` spread over several places) is located at its first literal
 * occurrence, or at the nearest enclosing field found; `"""` multi-line strings are not
 * understood. Offsets are 0-based.
 */

const OPEN = '{[(';
const CLOSE = '}])';

/** Index just past a string literal starting at `i` (a quote). */
function skipString(text: string, i: number): number {
  const q = text[i];
  let j = i + 1;
  while (j < text.length && text[j] !== q && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
  return j + 1;
}

/** Calls `visit(i, depth)` for every code character (not in strings or comments). */
function scan(text: string, start: number, end: number, visit: (i: number, depth: number) => boolean | void): void {
  let depth = 0;
  for (let i = start; i < end; ) {
    const ch = text[i] ?? '';
    if (ch === '/' && text[i + 1] === '/') {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? end : nl;
      continue;
    }
    if (visit(i, depth) === true) return;
    if (ch === '"' || ch === "'") {
      i = skipString(text, i);
      continue;
    }
    if (OPEN.includes(ch)) depth++;
    else if (CLOSE.includes(ch)) depth--;
    if (depth < 0) return;
    i++;
  }
}

function matching(text: string, open: number): number {
  let found = text.length;
  scan(text, open + 1, text.length, (i, depth) => {
    if (depth === 0 && CLOSE.includes(text[i] ?? '')) {
      found = i;
      return true;
    }
  });
  return found;
}

const LABEL = /^(?:"((?:[^"\\]|\\.)*)"|([A-Za-z_$#][A-Za-z0-9_$#]*))[?!]?\s*:(?!:)/;

/** The field `name` at depth 0 of [start, end): offsets of its label and its value. */
function findField(text: string, start: number, end: number, name: string): { key: number; value: number } | null {
  let hit: { key: number; value: number } | null = null;
  scan(text, start, end, (i, depth) => {
    if (depth !== 0) return;
    const prev = i === 0 ? '\n' : (text[i - 1] ?? '');
    if (!/[\s{,]/.test(prev) && i !== start) return;
    const m = LABEL.exec(text.slice(i, Math.min(end, i + name.length + 64)));
    if (!m) return;
    const label = m[1] ?? m[2];
    if (label !== name) return;
    let v = i + m[0].length;
    while (v < end && /[ \t]/.test(text[v] ?? '')) v++;
    hit = { key: i, value: v };
    return true;
  });
  return hit;
}

/** The body of the struct or list a value starts, e.g. after `#Rule & ` on the same line. */
function container(text: string, value: number, end: number, open: '{' | '['): { start: number; end: number } | null {
  let at = -1;
  const eol = text.indexOf('\n', value);
  const lineEnd = eol === -1 ? end : Math.min(end, eol);
  scan(text, value, lineEnd, (i, depth) => {
    if (depth === 0 && text[i] === open) {
      at = i;
      return true;
    }
  });
  if (at === -1) return open === '{' ? { start: value, end: lineEnd } : null;
  return { start: at + 1, end: matching(text, at) };
}

/** Start of the n-th element of the list whose body is [start, end). */
function listElement(text: string, start: number, end: number, n: number): number | null {
  let index = 0;
  let elementStart: number | null = null;
  let result: number | null = null;
  scan(text, start, end, (i, depth) => {
    const ch = text[i] ?? '';
    if (depth === 0 && (ch === ',' || ch === '\n')) {
      if (elementStart !== null) index++;
      elementStart = null;
      return;
    }
    if (elementStart === null && !/\s/.test(ch)) {
      elementStart = i;
      if (index === n) {
        result = i;
        return true;
      }
    }
  });
  return result;
}

export interface CueSpot {
  /** Offset of the deepest part of the path found. */
  offset: number;
  /** Offset of the label, when the last segment is a field that was found. */
  key: number | null;
  found: boolean;
}

export function locateCue(text: string, path: readonly PathSeg[]): CueSpot {
  let body = { start: 0, end: text.length };
  let spot: CueSpot = { offset: 0, key: null, found: path.length === 0 };
  if (path.length === 0) {
    // The document's first field, not the `package` clause or comments.
    const m = /^[ \t]*(?!package\b|import\b|\/\/)\S/m.exec(text);
    return { offset: m ? m.index + (m[0].length - 1) : 0, key: null, found: true };
  }
  for (let k = 0; k < path.length; k++) {
    const seg = path[k];
    let offset: number | null = null;
    let key: number | null = null;
    if (typeof seg === 'number' || /^\d+$/.test(String(seg))) {
      const list = container(text, body.start, body.end, '[');
      if (list) offset = listElement(text, list.start, list.end, Number(seg));
    } else {
      const f = findField(text, body.start, body.end, String(seg));
      if (f) {
        offset = f.value;
        key = f.key;
      }
    }
    if (offset === null) return { ...spot, found: false };
    spot = { offset, key, found: k === path.length - 1 };
    const next = path[k + 1];
    if (next === undefined) break;
    if (typeof next === 'number' || /^\d+$/.test(String(next))) body = { start: offset, end: body.end };
    else body = container(text, offset, body.end, '{') ?? { start: offset, end: body.end };
  }
  return spot;
}

/** 1-based line and column of an offset. */
export function lineCol(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
