import type { RouteContext } from './context.js';
import { idFromRef, listPage } from './context.js';
import { badRequest, graphError, invalidValue, json, noContent, notFound } from './errors.js';
import { parseFilter, parseSelect, project } from './odata.js';
import type { DirObject, Kind } from './store.js';
import { createUser, renderUser } from './users.js';
import type { EmuReply, EmuRequest } from './types.js';

/**
 * Groups and administrative units: create, list, get, delete, and their `members` navigation
 * (`$ref` add/remove, `members@odata.bind` in a PATCH of up to 20 references).
 */

const GROUP_DEFAULTS = ['id', 'displayName', 'description', 'mailNickname', 'mailEnabled', 'securityEnabled', 'groupTypes', 'mail', 'visibility', 'createdDateTime'];
const AU_DEFAULTS = ['id', 'displayName', 'description', 'visibility'];
const FILTERABLE = new Set(['displayName', 'mailNickname', 'id', 'securityEnabled', 'mailEnabled']);
const GROUP_NICK = /^[A-Za-z0-9'._!#^~{}|$%&*+/=?`-]{1,64}$/;
export const ALREADY_EXIST = "One or more added object references already exist for the following modified properties: 'members'.";
const MAX_BIND = 20;

const methodNotAllowed = (): EmuReply => graphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');

function memberRender(o: DirObject, select: string[] | null): Record<string, unknown> {
  const type = o.kind === 'users' ? '#microsoft.graph.user' : o.kind === 'groups' ? '#microsoft.graph.group' : '#microsoft.graph.administrativeUnit';
  const body = o.kind === 'users' ? renderUser(o, select) : project(o.props, select, GROUP_DEFAULTS);
  return { '@odata.type': type, ...body };
}

/** Adds references all-or-nothing, as Graph does for `members@odata.bind`. */
function addRefs(ctx: RouteContext, container: DirObject, refs: unknown[]): EmuReply | null {
  const ids: string[] = [];
  for (const r of refs) {
    const id = idFromRef(r);
    if (!id) return badRequest(`Invalid object identifier '${String(r)}'.`);
    const target = ctx.store.find(id);
    if (!target) return notFound(id);
    if (target.kind === 'administrativeUnits' || (container.kind === 'administrativeUnits' && target.kind !== 'users' && target.kind !== 'groups')) {
      return badRequest(`Invalid object identifier '${id}'.`);
    }
    ids.push(id);
  }
  if (ids.some((id) => ctx.store.isMember(container.id, id)) || new Set(ids).size !== ids.length) return badRequest(ALREADY_EXIST);
  for (const id of ids) ctx.store.addMember(container.id, id);
  return null;
}

function membersRoute(ctx: RouteContext, req: EmuRequest, container: DirObject, rest: string[]): EmuReply {
  // rest: [] | ['$ref'] | [memberId, '$ref'] | ['microsoft.graph.user']
  if (rest.length === 0 || (rest.length === 1 && rest[0] === 'microsoft.graph.user')) {
    if (req.method === 'GET') {
      const ids = ctx.store.members.get(container.id) ?? new Set<string>();
      const onlyUsers = rest[0] === 'microsoft.graph.user';
      const objs = [...ids].map((id) => ctx.store.find(id)).filter((o): o is DirObject => !!o && (!onlyUsers || o.kind === 'users'));
      return listPage(ctx, req, 'directoryObjects', () => objs, () => true, (o) => memberRender(o, parseSelect(req.query.get('$select'))));
    }
    // POST .../administrativeUnits/{id}/members with a full user body creates the user inside the AU.
    if (req.method === 'POST' && container.kind === 'administrativeUnits') {
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (body['@odata.type'] !== '#microsoft.graph.user') return badRequest("The '@odata.type' property must be '#microsoft.graph.user' or '#microsoft.graph.group'.");
      const made = createUser(ctx, body);
      if (!('kind' in made)) return made;
      ctx.store.addMember(container.id, made.id);
      return json(201, { '@odata.context': `${ctx.publicBaseUrl}/v1.0/$metadata#users/$entity`, '@odata.type': '#microsoft.graph.user', ...renderUser(made, null) });
    }
    return methodNotAllowed();
  }
  if (rest.length === 1 && rest[0] === '$ref') {
    if (req.method !== 'POST') return methodNotAllowed();
    const ref = (req.body as Record<string, unknown> | null)?.['@odata.id'];
    if (ref === undefined) return badRequest('Missing @odata.id in the request body.');
    const bad = addRefs(ctx, container, [ref]);
    return bad ?? noContent();
  }
  if (rest.length === 2 && rest[1] === '$ref') {
    if (req.method !== 'DELETE') return methodNotAllowed();
    const id = decodeURIComponent(rest[0]!);
    if (!ctx.store.removeMember(container.id, id)) return notFound(id);
    return noContent();
  }
  return notFound(rest.join('/'));
}

function validateGroupish(kind: Kind, b: Record<string, unknown>, creating: boolean): EmuReply | null {
  const resource = kind === 'groups' ? 'Group' : 'AdministrativeUnit';
  if (creating && (typeof b['displayName'] !== 'string' || b['displayName'] === '')) return invalidValue('displayName', resource);
  if (b['displayName'] !== undefined && (typeof b['displayName'] !== 'string' || b['displayName'].length > 256)) return invalidValue('displayName', resource);
  if (b['description'] !== undefined && b['description'] !== null && typeof b['description'] !== 'string') return invalidValue('description', resource);
  if (kind === 'groups') {
    if (creating) {
      for (const req of ['mailEnabled', 'securityEnabled'] as const) if (typeof b[req] !== 'boolean') return invalidValue(req, resource);
      if (typeof b['mailNickname'] !== 'string') return invalidValue('mailNickname', resource);
    }
    if (b['mailNickname'] !== undefined && (typeof b['mailNickname'] !== 'string' || !GROUP_NICK.test(b['mailNickname']))) return invalidValue('mailNickname', resource);
  }
  return null;
}

export function groupishRoute(ctx: RouteContext, req: EmuRequest, kind: 'groups' | 'administrativeUnits', rest: string[]): EmuReply {
  const store = ctx.store;
  const defaults = kind === 'groups' ? GROUP_DEFAULTS : AU_DEFAULTS;
  const select = parseSelect(req.query.get('$select'));
  const contextName = kind === 'groups' ? 'groups' : 'directory/administrativeUnits';
  if (rest.length === 0) {
    if (req.method === 'GET') {
      const pred = parseFilter(req.query.get('$filter'), FILTERABLE);
      if (typeof pred !== 'function') return pred;
      const all = (): Iterable<DirObject> => (kind === 'groups' ? store.groups.values() : store.adminUnits.values());
      return listPage(ctx, req, contextName, all, (o) => pred(o.props), (o) => project(o.props, select, defaults));
    }
    if (req.method !== 'POST') return methodNotAllowed();
    if (!req.body || typeof req.body !== 'object') return badRequest('Empty Payload. JSON content expected.');
    const b = { ...(req.body as Record<string, unknown>) };
    const bad = validateGroupish(kind, b, true);
    if (bad) return bad;
    const binds = b['members@odata.bind'];
    delete b['members@odata.bind'];
    if (binds !== undefined && (!Array.isArray(binds) || binds.length > MAX_BIND)) return badRequest(`A maximum of ${MAX_BIND} references can be added in one request.`);
    for (const ref of (binds as unknown[] | undefined) ?? []) if (!idFromRef(ref) || !store.find(idFromRef(ref)!)) return notFound(String(ref));
    const props: Record<string, unknown> = { description: null, ...b, createdDateTime: new Date(ctx.now()).toISOString().slice(0, 19) + 'Z' };
    if (kind === 'groups') props['groupTypes'] ??= [];
    const made = store.create(kind, props);
    for (const ref of (binds as unknown[] | undefined) ?? []) store.addMember(made.id, idFromRef(ref)!);
    return json(201, { '@odata.context': `${ctx.publicBaseUrl}/v1.0/$metadata#${contextName}/$entity`, ...project(made.props, null, defaults) });
  }
  const id = decodeURIComponent(rest[0]!);
  const obj = store.get(kind, id);
  if (!obj) return notFound(id);
  if (rest[1] === 'members') return membersRoute(ctx, req, obj, rest.slice(2));
  if (rest.length > 1) return notFound(rest.join('/'));
  if (req.method === 'GET') return json(200, { '@odata.context': `${ctx.publicBaseUrl}/v1.0/$metadata#${contextName}/$entity`, ...project(obj.props, select, defaults) });
  if (req.method === 'DELETE') {
    store.delete(obj);
    return noContent();
  }
  if (req.method === 'PATCH') {
    if (!req.body || typeof req.body !== 'object') return badRequest('Empty Payload. JSON content expected.');
    const b = { ...(req.body as Record<string, unknown>) };
    const binds = b['members@odata.bind'];
    delete b['members@odata.bind'];
    const bad = validateGroupish(kind, b, false);
    if (bad) return bad;
    if (binds !== undefined) {
      if (!Array.isArray(binds) || binds.length > MAX_BIND) return badRequest(`A maximum of ${MAX_BIND} references can be added in one request.`);
      const refused = addRefs(ctx, obj, binds);
      if (refused) return refused;
    }
    if (Object.keys(b).length > 0) store.update(obj, b);
    return noContent();
  }
  return methodNotAllowed();
}
