import { badRequest } from './errors.js';
import type { EmuReply } from './types.js';

/**
 * The subset of OData query options the emulator understands: `$select`, `$top` and `$filter`
 * with `eq` / `in` on string or boolean properties joined by `and`, plus `startswith(p,'x')`.
 * Anything else answers 400 as Graph does for unsupported queries, so a client cannot rely on
 * a filter the emulator silently ignores.
 */

export type Predicate = (obj: Record<string, unknown>) => boolean;

const CLAUSE = /^\s*([A-Za-z][A-Za-z0-9/]*)\s+(eq|in)\s+(.+?)\s*$/;
const STARTS = /^\s*startswith\(\s*([A-Za-z][A-Za-z0-9/]*)\s*,\s*'((?:[^']|'')*)'\s*\)\s*$/i;

function literal(text: string): string | boolean | null | undefined {
  const t = text.trim();
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t === 'null') return null;
  const m = /^'((?:[^']|'')*)'$/.exec(t);
  return m ? m[1]!.replace(/''/g, "'") : undefined;
}

function read(obj: Record<string, unknown>, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('/')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function eqValue(actual: unknown, expected: string | boolean | null): boolean {
  if (expected === null) return actual === null || actual === undefined;
  if (typeof expected === 'string' && typeof actual === 'string') return actual.toLowerCase() === expected.toLowerCase();
  return actual === expected;
}

/** Splits on ` and ` outside quotes. */
function splitAnd(filter: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < filter.length; i++) {
    const c = filter[i];
    if (c === "'") quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    else if (!quoted && depth === 0 && filter.slice(i, i + 5).toLowerCase() === ' and ') {
      parts.push(filter.slice(start, i));
      start = i + 5;
      i += 4;
    }
  }
  parts.push(filter.slice(start));
  return parts;
}

export function parseFilter(filter: string | null, filterable: ReadonlySet<string>): Predicate | EmuReply {
  if (!filter) return () => true;
  const preds: Predicate[] = [];
  for (const clause of splitAnd(filter)) {
    const sw = STARTS.exec(clause);
    if (sw) {
      const prop = sw[1]!;
      const prefix = sw[2]!.replace(/''/g, "'").toLowerCase();
      if (!filterable.has(prop)) return badRequest(`Unsupported or invalid query filter clause specified for property '${prop}' of resource 'User'.`);
      preds.push((o) => {
        const v = read(o, prop);
        return typeof v === 'string' && v.toLowerCase().startsWith(prefix);
      });
      continue;
    }
    const m = CLAUSE.exec(clause);
    if (!m) return badRequest(`Invalid filter clause: ${clause.trim()}`);
    const prop = m[1]!;
    if (!filterable.has(prop)) return badRequest(`Unsupported or invalid query filter clause specified for property '${prop}' of resource 'User'.`);
    if (m[2] === 'eq') {
      const v = literal(m[3]!);
      if (v === undefined) return badRequest(`Invalid filter clause: ${clause.trim()}`);
      preds.push((o) => eqValue(read(o, prop), v));
    } else {
      const list = /^\((.*)\)$/.exec(m[3]!.trim());
      if (!list) return badRequest(`Invalid filter clause: ${clause.trim()}`);
      const values = (list[1]!.match(/'(?:[^']|'')*'|[^,\s]+/g) ?? []).map(literal);
      if (values.some((v) => v === undefined)) return badRequest(`Invalid filter clause: ${clause.trim()}`);
      if (values.length > 15) return badRequest('Too many child clauses specified in search filter expression containing \'OR\' operators: 16. Max allowed: 15.');
      preds.push((o) => values.some((v) => eqValue(read(o, prop), v as string | boolean | null)));
    }
  }
  return (o) => preds.every((p) => p(o));
}

export function parseSelect(select: string | null): string[] | null {
  if (!select) return null;
  return select.split(',').map((s) => s.trim()).filter(Boolean);
}

export function project(obj: Record<string, unknown>, select: string[] | null, defaults: readonly string[]): Record<string, unknown> {
  const keys = select ?? defaults;
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = obj[k] === undefined ? null : obj[k];
  return out;
}

export function parseTop(top: string | null, def: number, max: number): number | EmuReply {
  if (top === null) return def;
  const n = Number(top);
  if (!Number.isInteger(n) || n < 1 || n > max) return badRequest(`Invalid page size specified: '${top}'. Must be between 1 and ${max} inclusive.`);
  return n;
}
