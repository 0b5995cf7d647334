import type { RouteContext } from './context.js';
import { listPage } from './context.js';
import { badRequest, graphError, invalidValue, json, noContent, notFound } from './errors.js';
import { parseFilter, parseSelect, project } from './odata.js';
import type { DirObject } from './store.js';
import type { EmuReply, EmuRequest } from './types.js';

/** Users: create with the documented required properties, list, get, patch, delete. */

export const USER_DEFAULTS = ['businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName', 'id'] as const;

const WRITABLE = new Set([
  'accountEnabled', 'displayName', 'givenName', 'surname', 'mail', 'mailNickname', 'userPrincipalName', 'passwordProfile',
  'passwordPolicies', 'employeeId', 'employeeType', 'department', 'jobTitle', 'companyName', 'usageLocation', 'otherMails',
  'onPremisesExtensionAttributes', 'ageGroup', 'consentProvidedForMinor', 'preferredLanguage', 'city', 'officeLocation',
  'showInAddressList', 'onPremisesImmutableId', 'businessPhones', 'mobilePhone', 'preferredName', 'userType',
]);
const READ_ONLY = new Set(['id', 'proxyAddresses', 'createdDateTime', 'onPremisesSyncEnabled', 'onPremisesSamAccountName']);
const MAX_LEN: Record<string, number> = { displayName: 256, givenName: 64, surname: 64, mailNickname: 64, department: 64, employeeId: 16, jobTitle: 128, companyName: 64 };

/** Documented UPN characters: A-Z a-z 0-9 ' . - _ ! # ^ ~ ; no accents. */
const UPN_LOCAL = /^[A-Za-z0-9'._!#^~-]{1,64}$/;
const MAIL_NICKNAME = /^[A-Za-z0-9'._!#^~{}|$%&*+/=?`-]{1,64}$/;

export const USER_FILTERABLE = new Set(['employeeId', 'userPrincipalName', 'mail', 'mailNickname', 'displayName', 'accountEnabled', 'department', 'givenName', 'surname', 'id', 'employeeType']);

export function validUpn(upn: string, domains: readonly string[]): boolean {
  const at = upn.lastIndexOf('@');
  if (at <= 0) return false;
  const local = upn.slice(0, at);
  const domain = upn.slice(at + 1).toLowerCase();
  if (!UPN_LOCAL.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) return false;
  return domains.length === 0 || domains.includes(domain);
}

function strongEnough(pw: string): boolean {
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(pw)).length;
  return pw.length >= 8 && pw.length <= 256 && classes >= 3;
}

/** Checks property names and values common to create and update. */
function checkProps(body: Record<string, unknown>, ctx: RouteContext): EmuReply | null {
  for (const [k, v] of Object.entries(body)) {
    if (k.startsWith('@odata.')) continue;
    if (READ_ONLY.has(k)) return badRequest(`Property '${k}' is read-only and cannot be set.`);
    if (!WRITABLE.has(k)) return badRequest(`Property '${k}' does not exist as a declared property or extension property.`);
    const max = MAX_LEN[k];
    if (max !== undefined && v !== null && (typeof v !== 'string' || v.length > max)) return invalidValue(k, 'User');
    if (k === 'accountEnabled' && typeof v !== 'boolean') return invalidValue(k, 'User');
    if (k === 'userPrincipalName' && (typeof v !== 'string' || !validUpn(v, ctx.domains))) return invalidValue(k, 'User');
    if (k === 'mailNickname' && (typeof v !== 'string' || !MAIL_NICKNAME.test(v))) return invalidValue(k, 'User');
    if (k === 'otherMails' && (!Array.isArray(v) || v.some((m) => typeof m !== 'string' || !/^[\x21-\x7e]+@[\x21-\x7e]+$/.test(m)))) return invalidValue(k, 'User');
    if (k === 'mail' && v !== null && (typeof v !== 'string' || !/^[\x21-\x7e]+@[\x21-\x7e]+$/.test(v))) return invalidValue(k, 'User');
    if (k === 'onPremisesExtensionAttributes') {
      if (!v || typeof v !== 'object') return invalidValue(k, 'User');
      for (const [ek, ev] of Object.entries(v)) {
        if (!/^extensionAttribute([1-9]|1[0-5])$/.test(ek) || (ev !== null && (typeof ev !== 'string' || ev.length > 1024))) return invalidValue(k, 'User');
      }
    }
  }
  return null;
}

/** What is stored: never the password, and proxyAddresses follows mail as Graph documents. */
function normalise(body: Record<string, unknown>, existing?: DirObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (k.startsWith('@odata.')) continue;
    if (k === 'passwordProfile') {
      out[k] = null;
      continue;
    }
    if (k === 'onPremisesExtensionAttributes') {
      out[k] = { ...((existing?.props[k] as Record<string, unknown> | undefined) ?? {}), ...(v as Record<string, unknown>) };
      continue;
    }
    out[k] = v;
  }
  if (typeof body['mail'] === 'string') {
    const prev = ((existing?.props['proxyAddresses'] as string[] | undefined) ?? []).map((a) => (a.startsWith('SMTP:') ? `smtp:${a.slice(5)}` : a));
    const primary = body['mail'];
    out['proxyAddresses'] = [`SMTP:${primary}`, ...prev.filter((a) => a.toLowerCase() !== `smtp:${primary.toLowerCase()}`)];
  }
  return out;
}

export function createUser(ctx: RouteContext, body: unknown): EmuReply | DirObject {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return badRequest('Empty Payload. JSON content expected.');
  const b = body as Record<string, unknown>;
  for (const required of ['accountEnabled', 'displayName', 'mailNickname', 'userPrincipalName', 'passwordProfile'] as const) {
    if (b[required] === undefined || b[required] === null || b[required] === '') return invalidValue(required, 'User');
  }
  const bad = checkProps(b, ctx);
  if (bad) return bad;
  const pp = b['passwordProfile'] as Record<string, unknown>;
  if (typeof pp !== 'object' || typeof pp['password'] !== 'string' || pp['password'] === '') return invalidValue('passwordProfile', 'User');
  const weakAllowed = typeof b['passwordPolicies'] === 'string' && b['passwordPolicies'].includes('DisableStrongPassword');
  if (!weakAllowed && !strongEnough(pp['password'])) {
    return badRequest('The specified password does not comply with password complexity requirements. Please provide a different password.');
  }
  const upn = b['userPrincipalName'] as string;
  if (ctx.store.userByUpn(upn)) {
    return badRequest('Another object with the same value for property userPrincipalName already exists.', [
      { code: 'ObjectConflict', message: 'Another object with the same value for property userPrincipalName already exists.', target: 'userPrincipalName' },
    ]);
  }
  const props = normalise(b);
  props['createdDateTime'] = new Date(ctx.now()).toISOString().slice(0, 19) + 'Z';
  props['otherMails'] ??= [];
  props['proxyAddresses'] ??= [];
  props['businessPhones'] ??= [];
  return ctx.store.create('users', props);
}

export function renderUser(o: DirObject, select: string[] | null): Record<string, unknown> {
  return project(o.props, select, USER_DEFAULTS);
}

export function usersRoute(ctx: RouteContext, req: EmuRequest, rest: string[]): EmuReply {
  const select = parseSelect(req.query.get('$select'));
  if (rest.length === 0) {
    if (req.method === 'POST') {
      const made = createUser(ctx, req.body);
      if (!('kind' in made)) return made;
      return json(201, { '@odata.context': `${ctx.publicBaseUrl}/v1.0/$metadata#users/$entity`, ...renderUser(made, null) }, { Location: `${ctx.publicBaseUrl}/v1.0/users/${made.id}` });
    }
    if (req.method !== 'GET') return graphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
    const advanced = (req.headers['consistencylevel'] ?? '').toLowerCase() === 'eventual';
    const filterable = new Set(USER_FILTERABLE);
    // Extension attributes filter only as an advanced query (ConsistencyLevel: eventual).
    if (advanced) for (let i = 1; i <= 15; i++) filterable.add(`onPremisesExtensionAttributes/extensionAttribute${i}`);
    const pred = parseFilter(req.query.get('$filter'), filterable);
    if (typeof pred !== 'function') return pred;
    return listPage(ctx, req, 'users', () => ctx.store.users.values(), (o) => pred(o.props), (o) => renderUser(o, select));
  }
  const key = decodeURIComponent(rest[0]!);
  const user = ctx.store.get('users', key) ?? ctx.store.userByUpn(key);
  if (!user) return notFound(key);
  if (rest.length > 1) return notFound(rest.join('/'));
  if (req.method === 'GET') return json(200, { '@odata.context': `${ctx.publicBaseUrl}/v1.0/$metadata#users/$entity`, ...renderUser(user, select) });
  if (req.method === 'DELETE') {
    ctx.store.delete(user);
    return noContent();
  }
  if (req.method === 'PATCH') {
    if (!req.body || typeof req.body !== 'object') return badRequest('Empty Payload. JSON content expected.');
    const b = req.body as Record<string, unknown>;
    const bad = checkProps(b, ctx);
    if (bad) return bad;
    if (b['displayName'] === null || b['displayName'] === '') return invalidValue('displayName', 'User');
    if (typeof b['userPrincipalName'] === 'string') {
      const other = ctx.store.userByUpn(b['userPrincipalName']);
      if (other && other.id !== user.id) {
        return badRequest('Another object with the same value for property userPrincipalName already exists.', [
          { code: 'ObjectConflict', message: 'Another object with the same value for property userPrincipalName already exists.', target: 'userPrincipalName' },
        ]);
      }
    }
    ctx.store.update(user, normalise(b, user));
    return noContent();
  }
  return graphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
}
