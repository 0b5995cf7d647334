import type { Json } from './json.js';

/**
 * The collection query parameters of the REST binding: `limit`/`offset` paging (defaults 100
 * and 0, as the OpenAPI says), `sort`/`orderBy`, a single-predicate `filter`
 * (`field='value'`, `!=`, `~` for contains) and `fields` selection. Errors carry the
 * imsx codeMinor the spec names for them.
 */

export type QueryResult =
  | { ok: true; limit: number; offset: number; select(records: Json[]): Json[]; project(r: Json): Json }
  | { ok: false; codeMinor: 'invalid_filter_field' | 'invalid_selection_field' | 'invaliddata'; description: string };

const uint = (v: string | null, dflt: number, min: number): number | undefined => {
  if (v === null || v === '') return dflt;
  if (!/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return n >= min ? n : undefined;
};

export function parseQuery(q: URLSearchParams, maxLimit: number): QueryResult {
  const limit = uint(q.get('limit'), 100, 1);
  const offset = uint(q.get('offset'), 0, 0);
  if (limit === undefined) return { ok: false, codeMinor: 'invaliddata', description: 'limit must be a whole number of at least 1' };
  if (offset === undefined) return { ok: false, codeMinor: 'invaliddata', description: 'offset must be a whole number of at least 0' };

  let pred: ((r: Json) => boolean) | undefined;
  const filter = q.get('filter');
  if (filter) {
    const m = /^\s*([A-Za-z][\w.]*)\s*(!=|=|~)\s*'([^']*)'\s*$/.exec(filter);
    if (!m) return { ok: false, codeMinor: 'invalid_filter_field', description: `unsupported filter: ${filter}` };
    const [, field, op, value] = m as unknown as [string, string, string, string];
    const get = (r: Json) => {
      const v = r[field];
      return typeof v === 'object' && v !== null && 'sourcedId' in v ? String((v as Json).sourcedId) : v === undefined ? '' : String(v);
    };
    pred = op === '=' ? (r) => get(r) === value : op === '!=' ? (r) => get(r) !== value : (r) => get(r).toLowerCase().includes(value.toLowerCase());
  }
  const sort = q.get('sort');
  const desc = q.get('orderBy') === 'desc';
  const fieldsRaw = q.get('fields');
  const fields = fieldsRaw ? fieldsRaw.split(',').map((f) => f.trim()).filter(Boolean) : undefined;

  return {
    ok: true,
    limit: Math.min(limit, maxLimit),
    offset,
    select(records) {
      let out = pred ? records.filter(pred) : records;
      if (sort) {
        const key = (r: Json) => String(r[sort] ?? '');
        out = [...out].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0) * (desc ? -1 : 1));
      }
      return out;
    },
    project(r) {
      if (!fields) return r;
      const o: Json = {};
      for (const f of fields) if (f in r) o[f] = r[f];
      return o;
    },
  };
}

/** `Link` next/last/first/prev for one page, keeping the request's other parameters. */
export function linkHeader(pageUrl: string, q: URLSearchParams, limit: number, offset: number, total: number): string {
  const at = (o: number) => {
    const p = new URLSearchParams(q);
    p.set('limit', String(limit));
    p.set('offset', String(o));
    return `<${pageUrl}?${p.toString()}>`;
  };
  const lastOffset = total === 0 ? 0 : Math.floor((total - 1) / limit) * limit;
  const links = [];
  if (offset + limit < total) links.push(`${at(offset + limit)}; rel="next"`);
  links.push(`${at(lastOffset)}; rel="last"`, `${at(0)}; rel="first"`);
  if (offset > 0) links.push(`${at(Math.max(0, offset - limit))}; rel="prev"`);
  return links.join(', ');
}
