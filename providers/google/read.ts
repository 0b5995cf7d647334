import type { ObservedGroup, TargetSnapshot } from '../../engine/model/accounts.js';
import type { Directory } from './client.js';
import type { Transport } from './transport.js';
import type { GoogleSettings } from './settings.js';
import { MANAGED_MARK, USER_FIELDS, fromOrgUnitPath, localPart, toObserved } from './mapping.js';

/**
 * Reads the actual state: every user of the customer (500 per page, only the fields we
 * map), the org units under the managed root, and groups with their members. Each page is
 * one call through the Transport, so reads respect the same quota as writes.
 */
export async function readSnapshot(target: string, s: GoogleSettings, dir: Directory, t: Transport, log: (m: string) => void): Promise<TargetSnapshot> {
  const accounts = [];
  let pageToken: string | undefined;
  do {
    const token = pageToken;
    const res = await t.call(() =>
      dir.users.list({ customer: s.customer, maxResults: 500, projection: 'basic', fields: `nextPageToken,users(${USER_FIELDS})`, ...(token ? { pageToken: token } : {}) }),
    );
    for (const u of res.data.users ?? []) accounts.push(toObserved(s, u));
    pageToken = res.data.nextPageToken ?? undefined;
    if (accounts.length % 10_000 < 500 && pageToken) log(`google ${target}: read ${accounts.length} users so far`);
  } while (pageToken);
  accounts.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const containers = await readContainers(s, dir, t);
  const groups = await readGroups(s, dir, t);
  log(`google ${target}: ${accounts.length} users, ${groups.length} groups, ${containers.length} org units`);
  return { target, accounts, groups, containers };
}

export async function readContainers(s: GoogleSettings, dir: Directory, t: Transport): Promise<string[]> {
  const root = s.orgUnitRoot || '/';
  let res;
  try {
    res = await t.call(() =>
      dir.orgunits.list({ customerId: s.customer, orgUnitPath: root, type: 'all', fields: 'organizationUnits(orgUnitPath)' }),
    );
  } catch (e) {
    // The managed root itself may not exist yet: then nothing under it does either.
    if ((e as { failure?: { kind?: string } }).failure?.kind === 'notFound') return [];
    throw e;
  }
  return (res.data.organizationUnits ?? [])
    .map((o) => fromOrgUnitPath(s, o.orgUnitPath))
    .filter((p) => p !== '' && !p.startsWith('/'))
    .sort();
}

async function readGroups(s: GoogleSettings, dir: Directory, t: Transport): Promise<ObservedGroup[]> {
  const groups: ObservedGroup[] = [];
  let pageToken: string | undefined;
  do {
    const token = pageToken;
    const res = await t.call(() =>
      dir.groups.list({ customer: s.customer, maxResults: 200, fields: 'nextPageToken,groups(id,email,description)', ...(token ? { pageToken: token } : {}) }),
    );
    for (const g of res.data.groups ?? []) {
      const email = (g.email ?? '').toLowerCase();
      const desc = g.description ?? '';
      const managed = desc.endsWith(MANAGED_MARK);
      groups.push({
        id: g.id ?? '',
        name: email.endsWith('@' + s.domain) ? localPart(email) : email,
        description: managed ? desc.slice(0, -MANAGED_MARK.length) : desc,
        members: [],
        managed,
      });
    }
    pageToken = res.data.nextPageToken ?? undefined;
  } while (pageToken);
  // Member lists are independent: fetch them concurrently (the Transport bounds it).
  await Promise.all(groups.map(async (g) => (g.members = await readMembers(dir, t, g.id))));
  groups.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return groups;
}

async function readMembers(dir: Directory, t: Transport, groupKey: string): Promise<string[]> {
  const ids: string[] = [];
  let pageToken: string | undefined;
  do {
    const token = pageToken;
    const res = await t.call(() => dir.members.list({ groupKey, maxResults: 200, fields: 'nextPageToken,members(id)', ...(token ? { pageToken: token } : {}) }));
    for (const m of res.data.members ?? []) if (m.id) ids.push(m.id);
    pageToken = res.data.nextPageToken ?? undefined;
  } while (pageToken);
  return ids.sort();
}
