import type { ObservedAccount, ObservedGroup, TargetSnapshot } from '../../engine/model/accounts.js';
import { type Attrs, containersOf, inScope, toObserved, userSelect } from './mapping.js';
import { GraphCallError, type Requester } from './requests.js';
import type { EntraSettings } from './settings.js';

/**
 * Reading Entra. A full read lists users (`$select` of the mapped properties, 999 a page),
 * takes a users delta link first (`$deltatoken=latest`, so changes made during the listing
 * show up next time), reads groups with their members through `/groups/delta` (one pass
 * instead of one request per group) and lists administrative units. The two delta links
 * form `TargetSnapshot.cursor`. An incremental read replays both delta feeds over the
 * previous snapshot; a 410 (expired or unknown token) falls back to a full read.
 */

interface Cursor {
  v: 1;
  users: string;
  groups: string;
}

const GROUP_SELECT = 'displayName,description,mailNickname,members';

export function parseCursor(cursor: string | undefined): Cursor | null {
  if (!cursor) return null;
  try {
    const c = JSON.parse(cursor) as Partial<Cursor>;
    return c.v === 1 && typeof c.users === 'string' && typeof c.groups === 'string' ? (c as Cursor) : null;
  } catch {
    return null;
  }
}

export class DeltaExpired extends Error {}

function values(page: Record<string, unknown>): Record<string, unknown>[] {
  return (page['value'] as Record<string, unknown>[] | undefined) ?? [];
}

/** Pages of a delta feed, and the deltaLink at its end. A 410 becomes DeltaExpired. */
async function drainDelta(req: Requester, start: string, each: (item: Record<string, unknown>) => void): Promise<string> {
  let next: string | undefined = start;
  for (;;) {
    const r = await req.call({ method: 'GET', url: next });
    if (r.status === 410) throw new DeltaExpired('delta token expired');
    if (r.status !== 200) throw new GraphCallError(r, 'delta');
    const page = r.body as Record<string, unknown>;
    for (const item of values(page)) each(item);
    if (typeof page['@odata.nextLink'] === 'string') next = page['@odata.nextLink'];
    else if (typeof page['@odata.deltaLink'] === 'string') return page['@odata.deltaLink'];
    else throw new Error('delta page without nextLink or deltaLink');
  }
}

function applyGroupItem(groups: Map<string, ObservedGroup>, item: Record<string, unknown>, prefix: string): void {
  const id = String(item['id']);
  if (item['@removed']) {
    groups.delete(id);
    return;
  }
  const prev = groups.get(id);
  const g: ObservedGroup = prev ? { ...prev, members: [...prev.members] } : { id, name: '', description: '', members: [], managed: false };
  if (typeof item['displayName'] === 'string') g.name = item['displayName'];
  if ('description' in item) g.description = typeof item['description'] === 'string' ? item['description'] : '';
  if (typeof item['mailNickname'] === 'string') g.managed = item['mailNickname'].startsWith(prefix);
  const delta = item['members@delta'];
  if (Array.isArray(delta)) {
    const set = new Set(g.members);
    for (const m of delta as Record<string, unknown>[]) {
      if (m['@odata.type'] !== undefined && m['@odata.type'] !== '#microsoft.graph.user') continue;
      if (m['@removed']) set.delete(String(m['id']));
      else set.add(String(m['id']));
    }
    g.members = [...set].sort();
  }
  groups.set(id, g);
}

async function adminUnitNames(req: Requester): Promise<Set<string>> {
  const names = new Set<string>();
  for await (const page of req.pages('/directory/administrativeUnits?$select=id,displayName&$top=999')) {
    for (const au of values(page)) names.add(String(au['displayName'] ?? '').toLowerCase());
  }
  return names;
}

function snapshot(target: string, accounts: Map<string, ObservedAccount>, groups: Map<string, ObservedGroup>, aus: Set<string>, s: EntraSettings, cursor: Cursor): TargetSnapshot {
  const accs = [...accounts.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    target,
    accounts: accs,
    groups: [...groups.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    containers: containersOf(accs, aus, s),
    cursor: JSON.stringify(cursor),
  };
}

export async function fullRead(target: string, req: Requester, s: EntraSettings, attrs: Attrs, progress?: (msg: string) => void): Promise<TargetSnapshot> {
  const select = userSelect(attrs);
  const usersLink = String((await req.getJson(`/users/delta?$select=${select}&$deltatoken=latest`))['@odata.deltaLink']);
  const accounts = new Map<string, ObservedAccount>();
  let pages = 0;
  for await (const page of req.pages(`/users?$select=${select}&$top=999`)) {
    for (const u of values(page)) if (inScope(u, s)) accounts.set(String(u['id']), toObserved(u, attrs));
    if (++pages % 20 === 0) progress?.(`entra: read ${accounts.size} accounts`);
  }
  const groups = new Map<string, ObservedGroup>();
  const groupsLink = await drainDelta(req, `/groups/delta?$select=${GROUP_SELECT}`, (item) => applyGroupItem(groups, item, s.groupMailNicknamePrefix));
  const aus = await adminUnitNames(req);
  return snapshot(target, accounts, groups, aus, s, { v: 1, users: usersLink, groups: groupsLink });
}

/** Applies both delta feeds to `previous`; falls back to a full read when a token is refused. */
export async function incrementalRead(target: string, previous: TargetSnapshot, req: Requester, s: EntraSettings, attrs: Attrs, progress?: (msg: string) => void): Promise<TargetSnapshot & { incremental: boolean }> {
  const cursor = parseCursor(previous.cursor);
  if (!cursor) return { ...(await fullRead(target, req, s, attrs, progress)), incremental: false };
  try {
    const accounts = new Map(previous.accounts.map((a) => [a.id, a]));
    const raw = new Map<string, Record<string, unknown>>();
    const usersLink = await drainDelta(req, cursor.users, (item) => {
      const id = String(item['id']);
      if (item['@removed']) {
        accounts.delete(id);
        raw.delete(id);
        return;
      }
      raw.set(id, { ...(raw.get(id) ?? {}), ...item });
    });
    for (const [id, item] of raw) {
      const prev = accounts.get(id);
      // Delta may carry only changed properties: start from what we knew.
      const merged = prev ? { ...fromObserved(prev, attrs, s), ...item } : item;
      if (inScope(merged, s)) accounts.set(id, toObserved(merged, attrs));
      else accounts.delete(id);
    }
    const groups = new Map(previous.groups.map((g) => [g.id, g]));
    const groupsLink = await drainDelta(req, cursor.groups, (item) => applyGroupItem(groups, item, s.groupMailNicknamePrefix));
    const aus = await adminUnitNames(req);
    return { ...snapshot(target, accounts, groups, aus, s, { v: 1, users: usersLink, groups: groupsLink }), incremental: true };
  } catch (err) {
    if (!(err instanceof DeltaExpired)) throw err;
    progress?.('entra: delta token expired (410); reading everything');
    return { ...(await fullRead(target, req, s, attrs, progress)), incremental: false };
  }
}

/** The Graph-shaped properties an observed account came from, for merging partial deltas. */
function fromObserved(a: ObservedAccount, attrs: Attrs, s: EntraSettings): Record<string, unknown> {
  const base: Record<string, unknown> = {
    id: a.id,
    userPrincipalName: `${a.username}@${s.upnDomain}`,
    givenName: a.givenName,
    surname: a.familyName,
    displayName: a.displayName,
    mail: a.email,
    accountEnabled: a.enabled,
    otherMails: a.aliases,
  };
  Object.assign(base, mergeAttr(base, attrs.anchor.patch(a.anchor)));
  Object.assign(base, mergeAttr(base, attrs.path.patch(a.path || null)));
  return base;
}

function mergeAttr(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(patch)) {
    const prev = base[k];
    out[k] = prev && typeof prev === 'object' && v && typeof v === 'object' ? { ...prev, ...v } : v;
  }
  return out;
}
