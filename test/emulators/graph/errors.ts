import type { EmuReply } from './types.js';

/** Graph's documented error body: `{error: {code, message, innerError: {date, request-id, client-request-id}}}`. */
export function graphError(status: number, code: string, message: string, extraHeaders: Record<string, string> = {}, details?: unknown[]): EmuReply {
  const error: Record<string, unknown> = {
    code,
    message,
    innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': requestId(), 'client-request-id': requestId() },
  };
  if (details) error['details'] = details;
  return { status, headers: { 'Content-Type': 'application/json', ...extraHeaders }, body: { error } };
}

let counter = 0;
function requestId(): string {
  counter += 1;
  return `00000000-0000-4000-8000-${counter.toString(16).padStart(12, '0')}`;
}

export const notFound = (id: string): EmuReply =>
  graphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);

export const badRequest = (message: string, details?: unknown[]): EmuReply => graphError(400, 'Request_BadRequest', message, {}, details);

export const invalidValue = (prop: string, resource: string): EmuReply =>
  badRequest(`Invalid value specified for property '${prop}' of resource '${resource}'.`, [{ code: 'InvalidValue', message: `Invalid value specified for property '${prop}' of resource '${resource}'.`, target: prop }]);

export const json = (status: number, body?: unknown, headers: Record<string, string> = {}): EmuReply => ({
  status,
  headers: body === undefined ? headers : { 'Content-Type': 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8', ...headers },
  body,
});

export const noContent = (): EmuReply => ({ status: 204, headers: {} });
