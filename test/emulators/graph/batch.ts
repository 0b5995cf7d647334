import { badRequest } from './errors.js';
import type { EmuReply, EmuRequest } from './types.js';

/**
 * JSON batching: at most 20 requests, unique ids (case-insensitive), `dependsOn` ordering,
 * 424 for requests whose dependency failed, one status per response. Per-response headers are
 * spelled `Content-Type` exactly: the SDK's BatchResponseContent looks the header up by that
 * spelling and otherwise hands back `[object Object]`.
 */

interface BatchItem {
  id: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  dependsOn?: string[];
}

export const MAX_BATCH = 20;

export async function runBatch(body: unknown, one: (sub: EmuRequest) => Promise<EmuReply>, onDependsOn: () => void = () => {}): Promise<EmuReply> {
  const requests = (body as { requests?: unknown } | null)?.requests;
  if (!Array.isArray(requests)) return badRequest('Invalid batch payload format.');
  if (requests.length === 0) return badRequest('Invalid batch payload format.');
  if (requests.length > MAX_BATCH) return badRequest(`The number of batch requests exceeds the limit of ${MAX_BATCH}.`);
  const items = new Map<string, BatchItem>();
  for (const r of requests as BatchItem[]) {
    if (!r || typeof r.id !== 'string' || typeof r.method !== 'string' || typeof r.url !== 'string') return badRequest('Invalid batch payload format.');
    const key = r.id.toLowerCase();
    if (items.has(key)) return badRequest('Batch request ids must be unique.');
    if (r.body !== undefined && !Object.keys(r.headers ?? {}).some((h) => h.toLowerCase() === 'content-type')) {
      return badRequest(`Content-Type header is required when a request body is present (request '${r.id}').`);
    }
    items.set(key, r);
  }
  for (const r of items.values()) {
    if ((r.dependsOn ?? []).length > 0) onDependsOn();
    for (const d of r.dependsOn ?? []) if (!items.has(String(d).toLowerCase()) || String(d).toLowerCase() === r.id.toLowerCase()) return badRequest(`Request '${r.id}' depends on unknown request '${d}'.`);
  }
  // Reject cycles: a request can only run after all its dependencies.
  const done = new Map<string, EmuReply>();
  const replies: Record<string, unknown>[] = [];
  const pending = new Set(items.keys());
  while (pending.size > 0) {
    const ready = [...pending].filter((k) => (items.get(k)!.dependsOn ?? []).every((d) => done.has(String(d).toLowerCase())));
    if (ready.length === 0) return badRequest('The dependsOn graph of the batch contains a cycle.');
    for (const k of ready) {
      pending.delete(k);
      const r = items.get(k)!;
      const failedDep = (r.dependsOn ?? []).some((d) => (done.get(String(d).toLowerCase())?.status ?? 0) >= 400);
      let reply: EmuReply;
      if (failedDep) {
        reply = { status: 424, headers: { 'Content-Type': 'application/json' }, body: { error: { code: 'FailedDependency', message: 'The request could not be executed because a request it depends on failed.' } } };
      } else {
        const url = new URL(r.url.replace(/^\/?(v1\.0\/)?/, '/'), 'http://batch.invalid');
        const headers: Record<string, string> = {};
        for (const [h, v] of Object.entries(r.headers ?? {})) headers[h.toLowerCase()] = String(v);
        reply = await one({ method: r.method.toUpperCase(), path: url.pathname, query: url.searchParams, headers, body: r.body, inBatch: true });
      }
      done.set(k, reply);
      const out: Record<string, unknown> = { id: r.id, status: reply.status, headers: normaliseHeaders(reply.headers) };
      if (reply.body !== undefined) out['body'] = reply.body;
      replies.push(out);
    }
  }
  return { status: 200, headers: { 'Content-Type': 'application/json' }, body: { responses: replies } };
}

function normaliseHeaders(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase() === 'content-type' ? 'Content-Type' : k] = v;
  return out;
}
