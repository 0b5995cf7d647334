import { type ApiRequest, type ApiResponse, apiError, notFound } from './wire.js';
import type { DirectoryState } from './state.js';
import { deleteAlias, deleteUser, getUser, insertAlias, insertUser, listAliases, listUsers, updateUser } from './users.js';
import { getOrgUnit, insertOrgUnit, listOrgUnits } from './orgunits.js';
import { deleteGroup, deleteMember, getGroup, getMember, hasMember, insertGroup, insertMember, listGroups, listMembers, patchGroup } from './groups.js';

/** Maps one Directory API call (method + path under /admin/directory/v1) to its handler. */

const PREFIX = '/admin/directory/v1/';

export function route(state: DirectoryState, req: ApiRequest): ApiResponse {
  if (!req.path.startsWith(PREFIX)) return notFound(req.path);
  const rest = req.path.slice(PREFIX.length);
  const seg = rest.split('/').map((s) => decodeURIComponent(s));
  const m = req.method.toUpperCase();
  const [a, b, c, d, e] = seg;
  const n = seg.length;

  if (a === 'users') {
    if (n === 1) {
      if (m === 'POST') return insertUser(state, req);
      if (m === 'GET') return listUsers(state, req);
    }
    if (n === 2 && b) {
      if (m === 'GET') return getUser(state, req, b);
      if (m === 'PATCH' || m === 'PUT') return updateUser(state, req, b);
      if (m === 'DELETE') return deleteUser(state, req, b);
    }
    if (b && c === 'aliases') {
      if (n === 3 && m === 'POST') return insertAlias(state, req, b);
      if (n === 3 && m === 'GET') return listAliases(state, b);
      if (n === 4 && d && m === 'DELETE') return deleteAlias(state, b, d);
    }
  }
  if (a === 'customer' && b && c === 'orgunits') {
    // `{+orgUnitPath}` is a reserved expansion: the rest of the path, slashes included.
    const ouPath = seg.slice(3).join('/');
    if (n === 3 && m === 'GET') return listOrgUnits(state, req, b);
    if (n === 3 && m === 'POST') return insertOrgUnit(state, req, b);
    if (n > 3 && m === 'GET') return getOrgUnit(state, b, ouPath);
  }
  if (a === 'groups') {
    if (n === 1) {
      if (m === 'POST') return insertGroup(state, req);
      if (m === 'GET') return listGroups(state, req);
    }
    if (n === 2 && b) {
      if (m === 'GET') return getGroup(state, b);
      if (m === 'PATCH' || m === 'PUT') return patchGroup(state, req, b);
      if (m === 'DELETE') return deleteGroup(state, req, b);
    }
    if (b && c === 'members') {
      if (n === 3 && m === 'POST') return insertMember(state, req, b);
      if (n === 3 && m === 'GET') return listMembers(state, req, b);
      if (n === 4 && d && m === 'GET') return getMember(state, b, d);
      if (n === 4 && d && m === 'DELETE') return deleteMember(state, b, d);
    }
    if (b && c === 'hasMember' && n === 4 && d && m === 'GET') return hasMember(state, b, d);
  }
  void e;
  return apiError(404, 'notFound', `Method not found: ${m} ${req.path}`, { status: 'NOT_FOUND' });
}
