import type { DirectoryStore, DirObject } from './store.js';
import { badRequest, json } from './errors.js';
import { parseTop } from './odata.js';
import type { EmuReply, EmuRequest } from './types.js';

/** What every route handler needs: the store and a few resolved options. */
export interface RouteContext {
  store: DirectoryStore;
  domains: string[];
  publicBaseUrl: string;
  maxPageSize: number;
  defaultPageSize: number;
  deltaTokenTtlMs: number;
  now(): number;
}

export function b64(obj: unknown): string {
  return Buffer.from(JSON.stringify(obj)).toString('base64url');
}

export function unb64<T>(text: string): T | null {
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as T;
  } catch {
    return null;
  }
}

/** Absolute link back to this endpoint with one query parameter replaced, as Graph builds nextLinks. */
export function linkWith(ctx: RouteContext, req: EmuRequest, param: string, value: string, drop: string[] = []): string {
  const q = new URLSearchParams(req.query);
  for (const d of [param, ...drop]) q.delete(d);
  q.set(param, value);
  return `${ctx.publicBaseUrl}/v1.0${req.path}?${q.toString().replace(/%24/g, '$').replace(/%2C/g, ',')}`;
}

/**
 * One page of a collection. `$skiptoken` carries the createdSeq of the last object returned, so
 * deletions between pages do not make the client skip objects.
 */
export function listPage(
  ctx: RouteContext,
  req: EmuRequest,
  context: string,
  /** A fresh iterator each call (counting walks the collection a second time). */
  objects: () => Iterable<DirObject>,
  keep: (o: DirObject) => boolean,
  render: (o: DirObject) => Record<string, unknown>,
): EmuReply {
  const top = parseTop(req.query.get('$top'), ctx.defaultPageSize, ctx.maxPageSize);
  if (typeof top !== 'number') return top;
  const skip = req.query.get('$skiptoken');
  let after = 0;
  if (skip !== null) {
    const t = unb64<{ a: number }>(skip);
    if (!t || typeof t.a !== 'number') return badRequest(`Invalid skip token '${skip}'.`);
    after = t.a;
  }
  const value: Record<string, unknown>[] = [];
  let last = after;
  let more = false;
  for (const o of objects()) {
    if (o.createdSeq <= after || !keep(o)) continue;
    if (value.length === top) {
      more = true;
      break;
    }
    value.push(render(o));
    last = o.createdSeq;
  }
  const body: Record<string, unknown> = { '@odata.context': `${ctx.publicBaseUrl}/v1.0/$metadata#${context}`, value };
  if (req.query.get('$count') === 'true') {
    // Directory objects count only as an advanced query.
    if ((req.headers['consistencylevel'] ?? '').toLowerCase() !== 'eventual') {
      return badRequest('$count is not currently supported without the ConsistencyLevel header set to eventual.');
    }
    let total = 0;
    for (const o of objects()) if (keep(o)) total++;
    body['@odata.count'] = total;
  }
  if (more) body['@odata.nextLink'] = linkWith(ctx, req, '$skiptoken', b64({ a: last }));
  return json(200, body);
}

/** The object id at the end of an `@odata.id` / bind URL. */
export function idFromRef(ref: unknown): string | null {
  if (typeof ref !== 'string') return null;
  const m = /\/(?:directoryObjects|users|groups)\/([0-9a-fA-F-]{36})$/.exec(ref) ?? /^([0-9a-fA-F-]{36})$/.exec(ref);
  return m ? m[1]! : null;
}
