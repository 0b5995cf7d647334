/**
 * The emulator's wire types: one API call in, one response out. The HTTP server and the
 * multipart batch endpoint both feed the same handler, so a call behaves the same either way.
 */
export interface ApiRequest {
  method: string;
  /** Path without query, e.g. `/admin/directory/v1/users/123`. */
  path: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** Parsed JSON body, or undefined. */
  body: unknown;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON-able body; undefined for 204. */
  body?: unknown;
}

/** Google's documented JSON error body: {error: {code, message, errors: [{domain, reason, message}]}}. */
export function apiError(
  code: number,
  reason: string,
  message: string,
  extra: { domain?: string; status?: string; location?: string; locationType?: string; headers?: Record<string, string> } = {},
): ApiResponse {
  const item: Record<string, string> = { message, domain: extra.domain ?? 'global', reason };
  if (extra.location) item.location = extra.location;
  if (extra.locationType) item.locationType = extra.locationType;
  const error: Record<string, unknown> = { code, message, errors: [item] };
  if (extra.status) error.status = extra.status;
  return { status: code, headers: { 'content-type': 'application/json; charset=UTF-8', ...(extra.headers ?? {}) }, body: { error } };
}

export const notFound = (what: string): ApiResponse => apiError(404, 'notFound', `Resource Not Found: ${what}`, { status: 'NOT_FOUND' });
export const badRequest = (message: string, reason = 'invalid'): ApiResponse => apiError(400, reason, message, { status: 'INVALID_ARGUMENT' });
export const duplicate = (message = 'Entity already exists.'): ApiResponse => apiError(409, 'duplicate', message, { status: 'ALREADY_EXISTS' });
export const preconditionFailed = (): ApiResponse =>
  apiError(412, 'conditionNotMet', 'Precondition Failed', { location: 'If-Match', locationType: 'header', status: 'FAILED_PRECONDITION' });

export function ok(body: unknown, etag?: string): ApiResponse {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=UTF-8' };
  if (etag) headers.etag = etag;
  return { status: 200, headers, body };
}

export const noContent = (): ApiResponse => ({ status: 204, headers: {} });
