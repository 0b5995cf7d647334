import type { AttrValue, Change } from '../../engine/model/plan.js';
import type { ApplySecrets, ChangeOutcome } from '../../engine/model/provider.js';
import type { Op } from './batch.js';
import type { Lookup, UserRef } from './lookup.js';
import { adminUnitFor, groupMailNickname, upnFor } from './mapping.js';
import { generatePassword } from './password.js';
import type { EntraSettings } from './settings.js';
import { ALREADY_EXIST, chainOp, okOr, plain } from './steps.js';
import { upnLocalProblem } from './upn.js';
import { errorOf } from './requests.js';

/**
 * One change -> one operation (requests plus how to judge their answers), or an outcome when
 * nothing needs sending. Account changes other than create verify the anchor first: an
 * object whose anchor differs from the plan's is never touched.
 *
 * Renames keep the old address in `otherMails` (writable; `proxyAddresses` is read-only in
 * Graph). Moves change administrative-unit membership first and write the path attribute
 * last, chained with dependsOn, so a half-done move still shows the old path and is re-planned.
 */

export interface OpsContext {
  s: EntraSettings;
  lookup: Lookup;
}

const fail = (error: string, terminal = true): ChangeOutcome => ({ status: 'failed', error, terminal });
const str = (v: AttrValue | undefined): string | null => (typeof v === 'string' && v !== '' ? v : null);
const ODATA_ID = (id: string): string => `https://graph.microsoft.com/v1.0/directoryObjects/${id}`;

export async function prepare(change: Change, secrets: ApplySecrets, ctx: OpsContext): Promise<Op | ChangeOutcome> {
  if (change.kind === 'container' && change.action === 'create') return containerCreate(change, ctx);
  if (change.kind === 'group' && change.action === 'create') return groupCreate(change, ctx);
  if (change.kind === 'account') return account(change, secrets, ctx);
  if (change.kind === 'membership' && change.action === 'remove') return membershipRemove(change, ctx);
  if (change.kind === 'membership' && change.action === 'add') {
    const r = await resolveMembership(change, ctx);
    return 'status' in r ? r : memberRefOp(change.id, r.groupId, r.userId);
  }
  return fail(`entra provider does not support ${change.kind} ${change.action}`);
}

async function containerCreate(change: Change, ctx: OpsContext): Promise<Op | ChangeOutcome> {
  const name = adminUnitFor(str(change.after?.['path']) ?? change.key, ctx.s);
  if (name === null) return { status: 'already' };
  const existing = await ctx.lookup.adminUnitId(name);
  if (existing) return { status: 'already', objectId: existing };
  return chainOp({
    changeIds: [change.id],
    steps: [{ step: { method: 'POST', url: '/directory/administrativeUnits', body: { displayName: name, description: `rollcall: accounts placed under ${name}` } }, judge: plain }],
    done: (results) => {
      const id = String((results[0]!.body as { id?: string }).id);
      ctx.lookup.rememberAdminUnit(name, id);
      return { status: 'applied', objectId: id };
    },
    // AU names are not unique in Entra: never create a second one after a lost answer.
    refresh: async () => {
      const id = await ctx.lookup.adminUnitId(name, true);
      return id ? { outcomes: [[change.id, { status: 'applied', objectId: id }]] } : null;
    },
  });
}

async function groupCreate(change: Change, ctx: OpsContext): Promise<Op | ChangeOutcome> {
  const name = str(change.after?.['name']) ?? change.key;
  const existing = await ctx.lookup.groupId(name);
  if (existing) return { status: 'already', objectId: existing };
  const nick = groupMailNickname(name, ctx.s);
  const body: Record<string, unknown> = { displayName: name, mailEnabled: false, mailNickname: nick, securityEnabled: true };
  const description = str(change.after?.['description']);
  if (description) body['description'] = description;
  return chainOp({
    changeIds: [change.id],
    steps: [{ step: { method: 'POST', url: '/groups', body }, judge: plain }],
    done: (results) => {
      const id = String((results[0]!.body as { id?: string }).id);
      ctx.lookup.rememberGroup(name, id, nick);
      return { status: 'applied', objectId: id };
    },
    refresh: async () => {
      const id = await ctx.lookup.groupId(name, true);
      return id ? { outcomes: [[change.id, { status: 'applied', objectId: id }]] } : null;
    },
  });
}

/** The account the change is about, checked against the plan's anchor. */
async function verified(change: Change, ctx: OpsContext): Promise<UserRef | ChangeOutcome> {
  if (!change.object_id) return fail('change has no object_id');
  const cached = change.anchor ? ctx.lookup.cachedAnchor(change.anchor) : undefined;
  const ref = cached && cached.id === change.object_id ? cached : await ctx.lookup.userById(change.object_id);
  if (!ref) return change.action === 'delete' ? { status: 'already' } : fail('account no longer exists; re-plan');
  if (change.anchor && change.action !== 'adopt' && ref.anchor !== change.anchor) return fail('account carries a different anchor than the plan expects; refusing to change it');
  return ref;
}

async function account(change: Change, secrets: ApplySecrets, ctx: OpsContext): Promise<Op | ChangeOutcome> {
  const { s, lookup } = ctx;
  const a = lookup.attrs;
  if (change.action === 'create') return accountCreate(change, secrets, ctx);
  const ref = await verified(change, ctx);
  if ('status' in ref) return ref;
  const url = `/users/${ref.id}`;
  const key = `user:${ref.id}`;
  const patchOp = (body: Record<string, unknown>, after?: () => void): Op =>
    chainOp({
      changeIds: [change.id],
      objectKey: key,
      steps: [{ step: { method: 'PATCH', url, body }, judge: plain }],
      done: () => {
        after?.();
        return { status: 'applied', objectId: ref.id };
      },
    });
  const after = change.after ?? {};
  switch (change.action) {
    case 'adopt': {
      if (!change.anchor) return fail('adopt needs an anchor');
      if (ref.anchor === change.anchor) return { status: 'already', objectId: ref.id };
      if (ref.anchor) return fail('account already carries another anchor; refusing to adopt it');
      return patchOp(a.anchor.patch(change.anchor), () => lookup.remember({ ...ref, anchor: change.anchor ?? null }));
    }
    case 'update': {
      const body: Record<string, unknown> = {};
      const map: Record<string, string> = { givenName: 'givenName', familyName: 'surname', displayName: 'displayName', email: 'mail' };
      for (const [k, prop] of Object.entries(map)) if (k in after) body[prop] = str(after[k]);
      if (Object.keys(body).length === 0) return { status: 'already', objectId: ref.id };
      return patchOp(body);
    }
    case 'rename': {
      const username = str(after['username']);
      if (!username) return fail('rename has no new username');
      const problem = upnLocalProblem(username);
      if (problem) return fail(`new username ${problem} (Entra UPN rules)`);
      const upn = upnFor(username, s);
      const aliases = Array.isArray(after['aliases']) ? after['aliases'] : [];
      const keep = [...new Set([...ref.otherMails, ...aliases].map((m) => m.toLowerCase()))].filter((m) => m !== (str(after['email']) ?? upn).toLowerCase());
      const aliasesKept = aliases.every((m) => ref.otherMails.some((o) => o.toLowerCase() === m.toLowerCase()));
      if (ref.upn.toLowerCase() === upn.toLowerCase() && aliasesKept) return { status: 'already', objectId: ref.id };
      const body: Record<string, unknown> = { userPrincipalName: upn, mailNickname: username, otherMails: keep };
      const email = str(after['email']);
      if (email) body['mail'] = email;
      return chainOp({
        changeIds: [change.id],
        objectKey: key,
        steps: [{ step: { method: 'PATCH', url, body }, judge: plain }],
        onFail: async (r) => (errorOf(r).detailCodes.includes('ObjectConflict') ? fail('the new userPrincipalName belongs to another account; choose another name and re-plan') : null),
        done: () => {
          lookup.forget(ref);
          lookup.remember({ ...ref, upn, otherMails: keep });
          return { status: 'applied', objectId: ref.id };
        },
      });
    }
    case 'move': {
      const from = adminUnitFor(str(change.before?.['path']) ?? ref.path ?? '', s);
      const to = adminUnitFor(str(after['path']) ?? '', s);
      const steps = [];
      if ((from ?? '').toLowerCase() !== (to ?? '').toLowerCase()) {
        if (to) {
          const toId = await lookup.adminUnitId(to);
          if (!toId) return fail('the target administrative unit does not exist; apply its container change first', false);
          steps.push({ step: { method: 'POST' as const, url: `/directory/administrativeUnits/${toId}/members/$ref`, body: { '@odata.id': ODATA_ID(ref.id) } }, judge: okOr((r) => r.status === 400 && ALREADY_EXIST.test(errorOf(r).message)) });
        }
        const fromId = from ? await lookup.adminUnitId(from) : null;
        if (fromId) steps.push({ step: { method: 'DELETE' as const, url: `/directory/administrativeUnits/${fromId}/members/${ref.id}/$ref` }, judge: okOr((r) => r.status === 404) });
      }
      steps.push({ step: { method: 'PATCH' as const, url, body: a.path.patch(str(after['path'])) }, judge: plain });
      return chainOp({ changeIds: [change.id], objectKey: key, steps, done: () => ({ status: 'applied', objectId: ref.id }) });
    }
    case 'disable':
    case 'enable':
      return patchOp({ accountEnabled: change.action === 'enable' });
    case 'delete':
      return chainOp({
        changeIds: [change.id],
        objectKey: key,
        steps: [{ step: { method: 'DELETE', url }, judge: okOr((r) => r.status === 404) }],
        done: (_r, allAlready) => {
          lookup.forget(ref);
          return { status: allAlready ? 'already' : 'applied', objectId: ref.id };
        },
      });
    default:
      return fail(`entra provider does not support account ${change.action}`);
  }
}

async function accountCreate(change: Change, secrets: ApplySecrets, ctx: OpsContext): Promise<Op | ChangeOutcome> {
  const { s, lookup } = ctx;
  const a = lookup.attrs;
  const after = change.after ?? {};
  const anchor = change.anchor;
  if (!anchor) return fail('account create needs an anchor');
  if (anchor.length > a.anchor.maxLength) return fail(`anchor is longer than ${a.anchor.maxLength} characters, the limit of ${a.anchor.name}; set anchorAttribute to an extension attribute`);
  const username = str(after['username']) ?? change.key;
  const problem = upnLocalProblem(username);
  if (problem) return fail(`username ${problem} (Entra UPN rules)`);
  const cached = lookup.cachedAnchor(anchor);
  const existing = cached === undefined ? await lookup.userByAnchor(anchor) : cached;
  if (existing) return { status: 'already', objectId: existing.id };
  const path = str(after['path']);
  if (path && path.length > a.path.maxLength) return fail(`path is longer than ${a.path.maxLength} characters, the limit of ${a.path.name}`);
  const auName = path ? adminUnitFor(path, s) : null;
  const auId = auName ? await lookup.adminUnitId(auName) : null;
  if (auName && !auId) return fail('the administrative unit for this path does not exist; apply its container change first', false);
  const upn = upnFor(username, s);
  const body: Record<string, unknown> = {
    accountEnabled: after['enabled'] !== false,
    displayName: str(after['displayName']) ?? username,
    mailNickname: username,
    userPrincipalName: upn,
    passwordProfile: { password: secrets.initialPassword ?? generatePassword(), forceChangePasswordNextSignIn: secrets.changeAtNextLogin ?? true },
    ...a.anchor.patch(anchor),
  };
  const given = str(after['givenName']);
  const family = str(after['familyName']);
  const email = str(after['email']);
  if (given) body['givenName'] = given;
  if (family) body['surname'] = family;
  if (email) body['mail'] = email;
  if (path) Object.assign(body, mergePatch(body, a.path.patch(path)));
  if (s.usageLocation) body['usageLocation'] = s.usageLocation;
  if (s.disableStrongPassword) body['passwordPolicies'] = 'DisableStrongPassword';
  // Creating through the AU's members collection places the user atomically.
  const step = auId ? { method: 'POST' as const, url: `/directory/administrativeUnits/${auId}/members`, body: { '@odata.type': '#microsoft.graph.user', ...body } } : { method: 'POST' as const, url: '/users', body };
  return chainOp({
    changeIds: [change.id],
    objectKey: `anchor:${anchor}`,
    steps: [{ step, judge: plain }],
    onFail: async (r) => {
      if (!errorOf(r).detailCodes.includes('ObjectConflict') && !/already exists/i.test(errorOf(r).message)) return null;
      // The name is taken: by our own earlier attempt (answer lost), or by someone else.
      const holder = await lookup.userByUpn(upn);
      if (holder && holder.anchor === anchor) return { status: 'already', objectId: holder.id };
      return fail('userPrincipalName is taken by another account (different anchor); adopt or rename it, then re-plan');
    },
    done: (results) => {
      const id = String((results[0]!.body as { id?: string }).id);
      lookup.remember({ id, upn, anchor, otherMails: [], path });
      return { status: 'applied', objectId: id };
    },
  });
}

/** Extension attributes are one complex property: merge rather than overwrite. */
function mergePatch(body: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(patch)) {
    const prev = body[k];
    out[k] = prev && typeof prev === 'object' && v && typeof v === 'object' ? { ...prev, ...v } : v;
  }
  return out;
}

export async function resolveMembership(change: Change, ctx: OpsContext): Promise<{ groupId: string; userId: string } | ChangeOutcome> {
  const side = change.action === 'add' ? change.after : change.before;
  const [keyGroup, keyMember] = change.key.split('|');
  const group = str(side?.['group']) ?? keyGroup ?? '';
  const member = str(side?.['member']) ?? keyMember ?? '';
  const groupId = await ctx.lookup.groupId(group);
  if (!groupId) return change.action === 'remove' ? { status: 'already' } : fail('group not found', false);
  let user = change.anchor ? await ctx.lookup.userByAnchor(change.anchor) : null;
  user ??= member ? await ctx.lookup.userByUpn(member.includes('@') ? member : upnFor(member, ctx.s)) : null;
  if (!user) return change.action === 'remove' ? { status: 'already' } : fail('member account not found', false);
  return { groupId, userId: user.id };
}

export function memberRefOp(changeId: string, groupId: string, userId: string): Op {
  return chainOp({
    changeIds: [changeId],
    steps: [{ step: { method: 'POST', url: `/groups/${groupId}/members/$ref`, body: { '@odata.id': ODATA_ID(userId) } }, judge: okOr((r) => r.status === 400 && ALREADY_EXIST.test(errorOf(r).message)) }],
    done: (_r, allAlready) => ({ status: allAlready ? 'already' : 'applied' }),
  });
}

/**
 * Up to 20 adds to one group in one PATCH (`members@odata.bind`). Graph refuses the whole
 * PATCH if any member is already there; then each add is sent alone to find which.
 */
export function memberBindOp(groupId: string, adds: { changeId: string; userId: string }[]): Op {
  return {
    changeIds: adds.map((a) => a.changeId),
    steps: [{ method: 'PATCH', url: `/groups/${groupId}`, body: { 'members@odata.bind': adds.map((a) => ODATA_ID(a.userId)) } }],
    interpret: (results) => {
      const r = results[0]!;
      if (r.status >= 200 && r.status < 300) return { outcomes: adds.map((a) => [a.changeId, { status: 'applied' }]) };
      if (r.status === 400 || r.status === 404) return { retry: adds.map((a) => memberRefOp(a.changeId, groupId, a.userId)) };
      const outcome = plain(r);
      return { outcomes: adds.map((a) => [a.changeId, outcome === 'ok' || outcome === 'already' ? { status: 'applied' } : { status: 'failed', error: outcome.fail, terminal: outcome.terminal }]) };
    },
  };
}

async function membershipRemove(change: Change, ctx: OpsContext): Promise<Op | ChangeOutcome> {
  const r = await resolveMembership(change, ctx);
  if ('status' in r) return r;
  return chainOp({
    changeIds: [change.id],
    steps: [{ step: { method: 'DELETE', url: `/groups/${r.groupId}/members/${r.userId}/$ref` }, judge: okOr((x) => x.status === 404) }],
    done: (_x, allAlready) => ({ status: allAlready ? 'already' : 'applied' }),
  });
}
