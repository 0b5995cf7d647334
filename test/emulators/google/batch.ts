import type { ApiRequest, ApiResponse } from './wire.js';

/**
 * Google's multipart/mixed batch format (`POST /batch/admin/directory_v1` or `/batch`,
 * the discovery document's batchPath). Each part is `Content-Type: application/http` holding
 * one HTTP request; the reply holds one `application/http` part per request, in order,
 * with `Content-ID: <response-ID>`. At most 1,000 calls per batch; each counts against quota.
 */

export const MAX_BATCH = 1000;

export interface BatchPart {
  contentId: string | undefined;
  request: ApiRequest;
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK', 204: 'No Content', 304: 'Not Modified', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden',
  404: 'Not Found', 409: 'Conflict', 412: 'Precondition Failed', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

export function statusText(code: number): string {
  return STATUS_TEXT[code] ?? 'Unknown';
}

function splitHead(text: string): [string, string] {
  const i = text.search(/\r?\n\r?\n/);
  if (i < 0) return [text, ''];
  const m = /\r?\n\r?\n/.exec(text.slice(i));
  return [text.slice(0, i), text.slice(i + (m?.[0].length ?? 2))];
}

function parseHeaders(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.split(/\r?\n/)) {
    const c = line.indexOf(':');
    if (c > 0) out[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
  }
  return out;
}

export function boundaryOf(contentType: string | undefined): string | undefined {
  const m = /^multipart\/mixed\s*;.*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return m ? (m[1] ?? m[2]) : undefined;
}

/** Parse the batch body; throws with a message on malformed input. */
export function parseBatch(body: string, boundary: string): BatchPart[] {
  const delim = `--${boundary}`;
  const chunks = body.split(delim);
  const parts: BatchPart[] = [];
  // chunks[0] is the preamble; the last real chunk is followed by `--` (close delimiter).
  for (const raw of chunks.slice(1)) {
    if (raw.startsWith('--')) break;
    const [outerHead, inner] = splitHead(raw.replace(/^\r?\n/, ''));
    const outer = parseHeaders(outerHead);
    if (!/^application\/http/i.test(outer['content-type'] ?? '')) throw new Error('each part must be Content-Type: application/http');
    const [reqHead, reqBody] = splitHead(inner);
    const [line, ...headerLines] = reqHead.split(/\r?\n/);
    const m = /^([A-Z]+)\s+(\S+)(?:\s+HTTP\/\d(?:\.\d)?)?$/.exec((line ?? '').trim());
    if (!m) throw new Error(`bad request line in part ${parts.length + 1}`);
    const url = new URL(m[2] ?? '/', 'http://batch.invalid');
    const headers = parseHeaders(headerLines.join('\n'));
    const text = reqBody.replace(/\r?\n$/, '').trim();
    let parsed: unknown;
    if (text) parsed = JSON.parse(text);
    parts.push({ contentId: outer['content-id'], request: { method: m[1] ?? 'GET', path: url.pathname, query: url.searchParams, headers, body: parsed } });
  }
  return parts;
}

/** Serialize the replies as one multipart/mixed body. */
export function renderBatch(replies: { contentId: string | undefined; response: ApiResponse }[], boundary: string): string {
  let out = '';
  for (const { contentId, response } of replies) {
    out += `--${boundary}\r\nContent-Type: application/http\r\n`;
    if (contentId) out += `Content-ID: <response-${contentId.replace(/^<|>$/g, '')}>\r\n`;
    out += `\r\nHTTP/1.1 ${response.status} ${statusText(response.status)}\r\n`;
    for (const [k, v] of Object.entries(response.headers)) out += `${k}: ${v}\r\n`;
    const json = response.body === undefined ? '' : JSON.stringify(response.body);
    out += `Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}\r\n`;
  }
  return out + `--${boundary}--\r\n`;
}
