import type { Entry } from 'ldapts';

/**
 * Reading attribute values from ldapts entries. Servers may return attribute names in a
 * different case from the request (AD returns its schema's spelling), so look up
 * case-insensitively.
 */

function raw(entry: Entry, attr: string): unknown {
  const want = attr.toLowerCase();
  for (const [k, v] of Object.entries(entry)) {
    if (k.toLowerCase() === want) return v;
  }
  return undefined;
}

export function values(entry: Entry, attr: string): string[] {
  const v = raw(entry, attr);
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((x: unknown) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x)));
}

export function first(entry: Entry, attr: string): string | undefined {
  return values(entry, attr)[0];
}

export function buffer(entry: Entry, attr: string): Buffer | undefined {
  const v = raw(entry, attr);
  const x: unknown = Array.isArray(v) ? v[0] : v;
  if (Buffer.isBuffer(x)) return x;
  return undefined;
}

/** Ranged attribute chunks AD returns for large multi-valued attributes: `member;range=0-1499`. */
export function rangedChunk(entry: Entry, attr: string): { values: string[]; end: number | '*' } | null {
  const prefix = `${attr.toLowerCase()};range=`;
  for (const [k, v] of Object.entries(entry)) {
    const lk = k.toLowerCase();
    if (!lk.startsWith(prefix)) continue;
    const m = /^(\d+)-(\d+|\*)$/.exec(lk.slice(prefix.length));
    if (!m) continue;
    const list = (Array.isArray(v) ? v : [v]).map((x: unknown) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x)));
    return { values: list, end: m[2] === '*' ? '*' : Number(m[2]) };
  }
  return null;
}
