import type { RestClient } from './client.js';
import { restError } from './http.js';
import { parseLinkHeader } from './link.js';

/**
 * Every record of one collection, a page at a time (`limit`/`offset`, as the OneRoster REST
 * binding defines). A `Link: <...>; rel="next"` is followed when the service sends one (same
 * origin only); otherwise the offset advances by the records received, since services may
 * cap `limit` below what was asked. `X-Total-Count` ends the read when known; without it,
 * the read ends at the first empty page. A service that ignores `offset` is caught, not
 * looped on forever.
 */

export interface Page {
  records: unknown[];
  /** Index of the page's first record in the whole collection. */
  offset: number;
  /** X-Total-Count when the service sent it. */
  total?: number;
}

export async function* pages(client: RestClient, serviceRoot: string, collection: string, pageSize: number, warn: (summary: string) => void): AsyncGenerator<Page> {
  const path = new URL(`${serviceRoot}/${collection}`).pathname;
  let url = `${serviceRoot}/${collection}?limit=${pageSize}&offset=0`;
  let offset = 0;
  const visited = new Set<string>();
  let previousFirst: string | undefined;
  for (;;) {
    visited.add(url);
    const reply = await client.get(url);
    let body: unknown;
    try {
      body = JSON.parse(reply.body);
    } catch {
      throw restError('oneroster-rest.json', `${path} (offset ${offset}): the response is not JSON`);
    }
    const records = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[collection] : undefined;
    if (!Array.isArray(records)) throw restError('oneroster-rest.json', `${path} (offset ${offset}): the response has no "${collection}" array`);
    const totalRaw = reply.headers.get('x-total-count');
    const total = totalRaw !== null && /^\s*\d+\s*$/.test(totalRaw) ? Number(totalRaw) : undefined;

    const first = records.length ? firstId(records[0]) : undefined;
    if (offset > 0 && first !== undefined && first === previousFirst) {
      throw restError('oneroster-rest.paging', `${path}: the service returned the same page for offset ${offset} as before; it may ignore the offset parameter`);
    }
    previousFirst = first;

    yield { records, offset, ...(total !== undefined ? { total } : {}) };
    offset += records.length;

    if (total !== undefined && offset >= total) return;
    if (records.length === 0) {
      if (total !== undefined) warn(`${path}: X-Total-Count said ${total} record(s) but the service stopped after ${offset}`);
      return;
    }
    const next = parseLinkHeader(reply.headers.get('link')).get('next');
    if (next !== undefined) {
      const nextUrl = new URL(next, url).href;
      if (visited.has(nextUrl)) return;
      url = nextUrl;
    } else {
      url = `${serviceRoot}/${collection}?limit=${pageSize}&offset=${offset}`;
    }
  }
}

function firstId(r: unknown): string | undefined {
  return typeof r === 'object' && r !== null && typeof (r as { sourcedId?: unknown }).sourcedId === 'string' ? (r as { sourcedId: string }).sourcedId : undefined;
}
