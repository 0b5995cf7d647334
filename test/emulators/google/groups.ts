import { type ApiRequest, type ApiResponse, apiError, badRequest, duplicate, noContent, notFound, ok } from './wire.js';
import { type DirectoryState, type GroupRecord, etagOf } from './state.js';
import { checkIfMatch } from './users.js';

/** groups insert/get/list/patch/delete and members insert/get/list/delete/hasMember. */

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function groupView(g: GroupRecord): Record<string, unknown> {
  return { ...g.resource, directMembersCount: String(g.members.size), etag: etagOf('group', g.resource.id, g.version) };
}

function pageParams(req: ApiRequest, dflt: number, limit: number): { max: number; offset: number } | ApiResponse {
  const max = Number(req.query.get('maxResults') ?? String(dflt));
  if (!Number.isInteger(max) || max < 1) return badRequest(`Invalid value for maxResults`);
  const token = req.query.get('pageToken');
  const offset = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(offset) || offset < 0) return badRequest('Invalid Input: pageToken');
  return { max: Math.min(max, limit), offset };
}

function token(offset: number): string {
  return Buffer.from(String(offset), 'utf8').toString('base64url');
}

export function insertGroup(state: DirectoryState, req: ApiRequest): ApiResponse {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const email = body.email;
  if (typeof email !== 'string' || !EMAIL.test(email)) return badRequest('Invalid Input: email');
  if (!state.isOwnDomain(email)) return badRequest('Domain not found.', 'notFound');
  if (state.owner(email)) return duplicate();
  const id = state.newId().replace(/^1/, '0');
  const g: GroupRecord = {
    resource: {
      kind: 'admin#directory#group',
      id,
      email,
      name: typeof body.name === 'string' ? body.name : email,
      description: typeof body.description === 'string' ? body.description : '',
      adminCreated: true,
    },
    version: 1,
    members: new Map(),
  };
  state.groups.set(id, g);
  state.claim(email, { kind: 'group', id });
  return ok(groupView(g), etagOf('group', id, 1));
}

export function getGroup(state: DirectoryState, key: string): ApiResponse {
  const g = state.findGroup(key);
  return g ? ok(groupView(g), etagOf('group', g.resource.id, g.version)) : notFound('groupKey');
}

export function patchGroup(state: DirectoryState, req: ApiRequest, key: string): ApiResponse {
  const g = state.findGroup(key);
  if (!g) return notFound('groupKey');
  const pre = checkIfMatch(req, etagOf('group', g.resource.id, g.version));
  if (pre) return pre;
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (typeof body.name === 'string') g.resource.name = body.name;
  if (typeof body.description === 'string') g.resource.description = body.description;
  g.version++;
  return ok(groupView(g), etagOf('group', g.resource.id, g.version));
}

export function deleteGroup(state: DirectoryState, req: ApiRequest, key: string): ApiResponse {
  const g = state.findGroup(key);
  if (!g) return notFound('groupKey');
  const pre = checkIfMatch(req, etagOf('group', g.resource.id, g.version));
  if (pre) return pre;
  state.groups.delete(g.resource.id);
  state.release(g.resource.email);
  return noContent();
}

export function listGroups(state: DirectoryState, req: ApiRequest): ApiResponse {
  const customer = req.query.get('customer');
  const domain = req.query.get('domain');
  const userKey = req.query.get('userKey');
  if (!customer && !domain && !userKey) return badRequest('Bad Request', 'badRequest');
  const p = pageParams(req, 200, 200);
  if ('status' in p) return p;
  let all = [...state.groups.values()].sort((a, b) => (a.resource.email < b.resource.email ? -1 : 1));
  if (domain) all = all.filter((g) => state.domainOf(g.resource.email) === domain.toLowerCase());
  if (userKey) {
    const u = state.findUser(userKey);
    all = u ? all.filter((g) => g.members.has(u.resource.id)) : [];
  }
  const page = all.slice(p.offset, p.offset + p.max);
  const body: Record<string, unknown> = { kind: 'admin#directory#groups', etag: `"groups-${all.length}"` };
  if (page.length) body.groups = page.map(groupView);
  if (p.offset + p.max < all.length) body.nextPageToken = token(p.offset + p.max);
  return ok(body);
}

function resolveMember(state: DirectoryState, key: string): { id: string; email: string; type: string } | undefined {
  const u = state.findUser(key);
  if (u) return { id: u.resource.id, email: u.resource.primaryEmail, type: 'USER' };
  const g = state.findGroup(key);
  if (g) return { id: g.resource.id, email: g.resource.email, type: 'GROUP' };
  return undefined;
}

export function insertMember(state: DirectoryState, req: ApiRequest, groupKey: string): ApiResponse {
  const g = state.findGroup(groupKey);
  if (!g) return notFound('groupKey');
  const body = (req.body ?? {}) as Record<string, unknown>;
  const key = typeof body.email === 'string' ? body.email : typeof body.id === 'string' ? body.id : undefined;
  if (!key) return badRequest('Missing required field: memberKey', 'required');
  const m = resolveMember(state, key);
  if (!m) return notFound('memberKey');
  if (g.members.has(m.id)) return duplicate('Member already exists.');
  const role = typeof body.role === 'string' ? body.role : 'MEMBER';
  if (!['MEMBER', 'MANAGER', 'OWNER'].includes(role)) return badRequest('Invalid Input: role');
  const res = { kind: 'admin#directory#member', id: m.id, email: m.email, role, type: m.type, status: 'ACTIVE' };
  g.members.set(m.id, res);
  return ok({ ...res, etag: etagOf('member', `${g.resource.id}/${m.id}`, 1) });
}

function findMember(state: DirectoryState, g: GroupRecord, memberKey: string): Record<string, unknown> | undefined {
  const m = resolveMember(state, memberKey);
  return m ? g.members.get(m.id) : undefined;
}

export function getMember(state: DirectoryState, groupKey: string, memberKey: string): ApiResponse {
  const g = state.findGroup(groupKey);
  if (!g) return notFound('groupKey');
  const m = findMember(state, g, memberKey);
  return m ? ok(m) : notFound('memberKey');
}

export function hasMember(state: DirectoryState, groupKey: string, memberKey: string): ApiResponse {
  const g = state.findGroup(groupKey);
  if (!g) return notFound('groupKey');
  if (!resolveMember(state, memberKey)) {
    return apiError(400, 'invalid', 'Invalid Input: memberKey', { status: 'INVALID_ARGUMENT' });
  }
  return ok({ isMember: findMember(state, g, memberKey) !== undefined });
}

export function deleteMember(state: DirectoryState, groupKey: string, memberKey: string): ApiResponse {
  const g = state.findGroup(groupKey);
  if (!g) return notFound('groupKey');
  const m = resolveMember(state, memberKey);
  if (!m || !g.members.has(m.id)) return notFound('memberKey');
  g.members.delete(m.id);
  return noContent();
}

export function listMembers(state: DirectoryState, req: ApiRequest, groupKey: string): ApiResponse {
  const g = state.findGroup(groupKey);
  if (!g) return notFound('groupKey');
  const p = pageParams(req, 200, 200);
  if ('status' in p) return p;
  const all = [...g.members.values()].sort((a, b) => (a.email < b.email ? -1 : 1));
  const page = all.slice(p.offset, p.offset + p.max);
  const body: Record<string, unknown> = { kind: 'admin#directory#members', etag: etagOf('members', g.resource.id, all.length) };
  if (page.length) body.members = page;
  if (p.offset + p.max < all.length) body.nextPageToken = token(p.offset + p.max);
  return ok(body);
}
