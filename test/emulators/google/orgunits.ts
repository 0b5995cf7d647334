import { type ApiRequest, type ApiResponse, badRequest, duplicate, notFound, ok } from './wire.js';
import { type DirectoryState, type OrgUnitRecord, etagOf } from './state.js';

/** orgunits list/get/insert. Paths travel without the leading slash (`{+orgUnitPath}`). */

export function normalizeOuPath(raw: string): string {
  return '/' + raw.split('/').filter(Boolean).join('/');
}

function find(state: DirectoryState, raw: string): OrgUnitRecord | undefined {
  if (raw.startsWith('id:')) return [...state.orgUnits.values()].find((o) => o.orgUnitId === raw);
  return state.orgUnits.get(normalizeOuPath(raw));
}

function view(state: DirectoryState, o: OrgUnitRecord): Record<string, unknown> {
  const parent = o.parentOrgUnitPath !== undefined ? state.orgUnits.get(o.parentOrgUnitPath) : undefined;
  return {
    kind: 'admin#directory#orgUnit',
    etag: etagOf('ou', o.orgUnitId, o.version),
    name: o.name,
    description: o.description,
    orgUnitPath: o.orgUnitPath,
    orgUnitId: o.orgUnitId,
    ...(o.parentOrgUnitPath !== undefined ? { parentOrgUnitPath: o.parentOrgUnitPath, parentOrgUnitId: parent?.orgUnitId } : {}),
  };
}

function checkCustomer(state: DirectoryState, customerId: string): ApiResponse | undefined {
  return customerId === 'my_customer' || customerId === state.customerId ? undefined : notFound('customerId');
}

export function getOrgUnit(state: DirectoryState, customerId: string, path: string): ApiResponse {
  const bad = checkCustomer(state, customerId);
  if (bad) return bad;
  const o = find(state, path);
  if (!o || o.orgUnitPath === '/') return notFound('Org unit not found');
  return ok(view(state, o), etagOf('ou', o.orgUnitId, o.version));
}

export function listOrgUnits(state: DirectoryState, req: ApiRequest, customerId: string): ApiResponse {
  const bad = checkCustomer(state, customerId);
  if (bad) return bad;
  const base = find(state, req.query.get('orgUnitPath') ?? '/');
  if (!base) return notFound('Org unit not found');
  const type = req.query.get('type') ?? 'children';
  if (!['all', 'children', 'allIncludingParent'].includes(type)) return badRequest(`Invalid value '${type}' for type`);
  const prefix = base.orgUnitPath === '/' ? '/' : base.orgUnitPath + '/';
  const units = [...state.orgUnits.values()].filter((o) => {
    if (o.orgUnitPath === '/') return false;
    if (o.orgUnitPath === base.orgUnitPath) return type === 'allIncludingParent';
    if (!o.orgUnitPath.startsWith(prefix)) return false;
    return type === 'children' ? o.parentOrgUnitPath === base.orgUnitPath : true;
  });
  units.sort((a, b) => (a.orgUnitPath < b.orgUnitPath ? -1 : 1));
  return ok({ kind: 'admin#directory#orgUnits', etag: `"ous-${state.orgUnits.size}"`, organizationUnits: units.map((o) => view(state, o)) });
}

export function insertOrgUnit(state: DirectoryState, req: ApiRequest, customerId: string): ApiResponse {
  const bad = checkCustomer(state, customerId);
  if (bad) return bad;
  const body = (req.body ?? {}) as Record<string, unknown>;
  const name = body.name;
  if (typeof name !== 'string' || !name || name.includes('/')) return badRequest('Invalid Ou Name');
  let parent: OrgUnitRecord | undefined;
  if (typeof body.parentOrgUnitId === 'string') parent = find(state, body.parentOrgUnitId);
  else if (typeof body.parentOrgUnitPath === 'string') parent = find(state, body.parentOrgUnitPath);
  else return badRequest('Invalid Parent Orgunit Id');
  if (!parent) return badRequest('Invalid Parent Orgunit Id');
  const path = parent.orgUnitPath === '/' ? `/${name}` : `${parent.orgUnitPath}/${name}`;
  if (state.orgUnits.has(path)) return duplicate('Invalid Ou Id: org unit already exists');
  const rec = state.seedOrgUnit(path);
  if (typeof body.description === 'string') rec.description = body.description;
  return ok(view(state, rec), etagOf('ou', rec.orgUnitId, rec.version));
}
