import { type ApiRequest, type ApiResponse, apiError, badRequest, duplicate, noContent, notFound, ok, preconditionFailed } from './wire.js';
import { type DirectoryState, type UserRecord, etagOf } from './state.js';
import { matchesQuery, parseUserQuery } from './query.js';

/** users and users.aliases, as the discovery document describes them. */

const READ_ONLY = new Set(['id', 'kind', 'etag', 'aliases', 'nonEditableAliases', 'creationTime', 'customerId', 'isAdmin', 'isDelegatedAdmin', 'lastLoginTime', 'isMailboxSetup', 'agreedToTerms', 'thumbnailPhotoUrl', 'thumbnailPhotoEtag', 'deletionTime']);
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export function userView(state: DirectoryState, u: UserRecord): Record<string, unknown> {
  return { ...u.resource, etag: etagOf('user', u.resource.id, u.version) };
}

function userEtag(u: UserRecord): string {
  return etagOf('user', u.resource.id, u.version);
}

/** If-Match: 412 when the caller's etag is stale. */
export function checkIfMatch(req: ApiRequest, current: string): ApiResponse | undefined {
  const want = req.headers['if-match'];
  if (want === undefined || want === '*' ) return undefined;
  return want === current ? undefined : preconditionFailed();
}

function validatePassword(password: unknown, hashFunction: unknown): ApiResponse | undefined {
  if (typeof password !== 'string') return badRequest('Invalid Password');
  if (hashFunction === undefined || hashFunction === null) {
    return password.length >= 8 && password.length <= 100 ? undefined : badRequest('Invalid Password');
  }
  const valid =
    (hashFunction === 'MD5' && /^[0-9a-f]{32}$/i.test(password)) ||
    (hashFunction === 'SHA-1' && /^[0-9a-f]{40}$/i.test(password)) ||
    (hashFunction === 'crypt' && (/^\$(1|5|6)\$/.test(password) || password.length === 13));
  if (hashFunction !== 'MD5' && hashFunction !== 'SHA-1' && hashFunction !== 'crypt') return badRequest('Invalid Input: hashFunction');
  return valid ? undefined : badRequest('Invalid Password');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Patch semantics: nested objects merge, arrays and scalars replace, null clears. */
function merge(target: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete target[k];
    else if (isPlainObject(v) && isPlainObject(target[k])) merge(target[k], v);
    else target[k] = structuredClone(v);
  }
}

function fullName(res: Record<string, unknown>): void {
  const n = res.name;
  if (isPlainObject(n)) n.fullName = `${String(n.givenName ?? '')} ${String(n.familyName ?? '')}`.trim();
}

export function insertUser(state: DirectoryState, req: ApiRequest): ApiResponse {
  const body = req.body;
  if (!isPlainObject(body)) return badRequest('Invalid Input');
  const email = body.primaryEmail;
  if (typeof email !== 'string' || !EMAIL.test(email)) return badRequest('Invalid Input: primary_user_email');
  const name = body.name;
  if (!isPlainObject(name) || typeof name.givenName !== 'string' || !name.givenName || typeof name.familyName !== 'string' || !name.familyName) {
    return badRequest('Invalid Given/Family Name');
  }
  const pw = validatePassword(body.password, body.hashFunction);
  if (pw) return pw;
  if (!state.isOwnDomain(email)) return badRequest('Domain not found.', 'notFound');
  const ou = typeof body.orgUnitPath === 'string' ? body.orgUnitPath : '/';
  if (!state.orgUnits.has(ou)) return badRequest('Invalid Input: INVALID_OU_ID');
  if (state.owner(email)) return duplicate();
  const rec = state.seedUser({ primaryEmail: email, givenName: name.givenName, familyName: name.familyName, orgUnitPath: ou });
  const res = rec.resource;
  for (const [k, v] of Object.entries(body)) {
    if (READ_ONLY.has(k) || k === 'password' || k === 'hashFunction' || k === 'primaryEmail' || v === null) continue;
    if (k === 'name') merge(res.name as Record<string, unknown>, v as Record<string, unknown>);
    else res[k] = structuredClone(v);
  }
  res.creationTime = new Date().toISOString();
  res.isMailboxSetup = false;
  fullName(res);
  rec.password = body.password as string;
  rec.hashFunction = typeof body.hashFunction === 'string' ? body.hashFunction : undefined;
  return ok(userView(state, rec), userEtag(rec));
}

export function getUser(state: DirectoryState, req: ApiRequest, key: string): ApiResponse {
  const u = state.findUser(key);
  if (!u) return notFound('userKey');
  const etag = userEtag(u);
  if (req.headers['if-none-match'] === etag) return { status: 304, headers: { etag } };
  return ok(userView(state, u), etag);
}

export function updateUser(state: DirectoryState, req: ApiRequest, key: string): ApiResponse {
  const u = state.findUser(key);
  if (!u) return notFound('userKey');
  const pre = checkIfMatch(req, userEtag(u));
  if (pre) return pre;
  const body = req.body;
  if (!isPlainObject(body)) return badRequest('Invalid Input');
  const res = u.resource;
  // Validate everything before changing anything, so a 4xx leaves the user untouched.
  const newEmail = typeof body.primaryEmail === 'string' && body.primaryEmail.toLowerCase() !== res.primaryEmail.toLowerCase() ? body.primaryEmail : undefined;
  if (newEmail !== undefined) {
    if (!EMAIL.test(newEmail)) return badRequest('Invalid Input: primary_user_email');
    if (!state.isOwnDomain(newEmail)) return badRequest('Domain not found.', 'notFound');
    const o = state.owner(newEmail);
    if (o && !(o.kind === 'alias' && o.id === res.id)) return duplicate();
  }
  if (typeof body.orgUnitPath === 'string' && !state.orgUnits.has(body.orgUnitPath)) return badRequest('Invalid Input: INVALID_OU_ID');
  if (body.password !== undefined) {
    const pw = validatePassword(body.password, body.hashFunction);
    if (pw) return pw;
    u.password = body.password as string;
    u.hashFunction = typeof body.hashFunction === 'string' ? body.hashFunction : undefined;
  }
  const patch: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (!READ_ONLY.has(k) && k !== 'password' && k !== 'hashFunction' && k !== 'primaryEmail') patch[k] = v;
  }
  merge(res, patch);
  fullName(res);
  if (newEmail !== undefined) {
    // A rename keeps the old address as an alias, as Google does.
    const old = res.primaryEmail;
    const aliases = (res.aliases ?? []).filter((a) => a.toLowerCase() !== newEmail.toLowerCase());
    aliases.push(old);
    res.aliases = aliases;
    state.claim(old, { kind: 'alias', id: res.id });
    state.claim(newEmail, { kind: 'user', id: res.id });
    res.primaryEmail = newEmail;
    state.touchUsers();
  }
  u.version++;
  return ok(userView(state, u), userEtag(u));
}

export function deleteUser(state: DirectoryState, req: ApiRequest, key: string): ApiResponse {
  const u = state.findUser(key);
  if (!u) return notFound('userKey');
  const pre = checkIfMatch(req, userEtag(u));
  if (pre) return pre;
  state.users.delete(u.resource.id);
  state.release(u.resource.primaryEmail);
  for (const a of u.resource.aliases ?? []) state.release(a);
  for (const g of state.groups.values()) g.members.delete(u.resource.id);
  state.touchUsers();
  return noContent();
}

export function listUsers(state: DirectoryState, req: ApiRequest): ApiResponse {
  const q = req.query;
  const customer = q.get('customer');
  const domain = q.get('domain');
  if (!customer && !domain) return badRequest('Bad Request', 'badRequest');
  if (customer && customer !== 'my_customer' && customer !== state.customerId) return notFound('customer');
  const max = Number(q.get('maxResults') ?? '100');
  if (!Number.isInteger(max) || max < 1 || max > 500) {
    return apiError(400, 'invalidParameter', `Invalid value '${q.get('maxResults') ?? ''}'. Values must be within the range: [1, 500]`, { location: 'maxResults', locationType: 'parameter', status: 'INVALID_ARGUMENT' });
  }
  let filter;
  try {
    filter = parseUserQuery(q.get('query') ?? '');
  } catch {
    return badRequest('Invalid Input');
  }
  const all = state.sortedUsers();
  let start = 0;
  const token = q.get('pageToken');
  if (token) {
    // The token carries the last email returned, so inserts between pages never repeat or skip.
    let last: string;
    try {
      last = Buffer.from(token, 'base64url').toString('utf8');
    } catch {
      return badRequest('Invalid Input: pageToken');
    }
    let lo = 0;
    let hi = all.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((all[mid]?.resource.primaryEmail.toLowerCase() ?? '') <= last) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  }
  const users: Record<string, unknown>[] = [];
  let i = start;
  let lastEmail = '';
  for (; i < all.length && users.length < max; i++) {
    const u = all[i];
    if (!u) continue;
    if (domain && state.domainOf(u.resource.primaryEmail) !== domain.toLowerCase()) continue;
    if (!matchesQuery(u.resource, filter)) continue;
    users.push(userView(state, u));
    lastEmail = u.resource.primaryEmail.toLowerCase();
  }
  let more = false;
  for (let j = i; j < all.length; j++) {
    const u = all[j];
    if (!u) continue;
    if (domain && state.domainOf(u.resource.primaryEmail) !== domain.toLowerCase()) continue;
    if (matchesQuery(u.resource, filter)) {
      more = true;
      break;
    }
  }
  const body: Record<string, unknown> = { kind: 'admin#directory#users', etag: `"list-${all.length}"` };
  if (users.length > 0) body.users = users;
  if (more) body.nextPageToken = Buffer.from(lastEmail, 'utf8').toString('base64url');
  return ok(body);
}

function aliasView(u: UserRecord, alias: string): Record<string, unknown> {
  return { kind: 'admin#directory#alias', id: u.resource.id, etag: etagOf('alias', alias, 1), primaryEmail: u.resource.primaryEmail, alias };
}

export function insertAlias(state: DirectoryState, req: ApiRequest, key: string): ApiResponse {
  const u = state.findUser(key);
  if (!u) return notFound('userKey');
  const body = req.body;
  const alias = isPlainObject(body) ? body.alias : undefined;
  if (typeof alias !== 'string' || !EMAIL.test(alias)) return badRequest('Invalid Input: alias');
  if (!state.isOwnDomain(alias)) return badRequest('Domain not found.', 'notFound');
  if (state.owner(alias)) return duplicate();
  state.claim(alias, { kind: 'alias', id: u.resource.id });
  u.resource.aliases = [...(u.resource.aliases ?? []), alias];
  u.version++;
  return ok(aliasView(u, alias));
}

export function listAliases(state: DirectoryState, key: string): ApiResponse {
  const u = state.findUser(key);
  if (!u) return notFound('userKey');
  const aliases = (u.resource.aliases ?? []).map((a) => aliasView(u, a));
  return ok({ kind: 'admin#directory#aliases', etag: etagOf('aliases', u.resource.id, u.version), ...(aliases.length ? { aliases } : {}) });
}

export function deleteAlias(state: DirectoryState, key: string, alias: string): ApiResponse {
  const u = state.findUser(key);
  if (!u) return notFound('userKey');
  const list = u.resource.aliases ?? [];
  const idx = list.findIndex((a) => a.toLowerCase() === alias.toLowerCase());
  if (idx < 0) return notFound('alias');
  list.splice(idx, 1);
  if (list.length === 0) delete u.resource.aliases;
  state.release(alias);
  u.version++;
  return noContent();
}
