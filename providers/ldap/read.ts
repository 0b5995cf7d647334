import type { Client, Entry } from 'ldapts';
import type { ObservedAccount, ObservedGroup, TargetSnapshot } from '../../engine/model/accounts.js';
import { normalizeDn } from './dn.js';
import type { Directory } from './directory.js';
import { first, rangedChunk, values } from './entry-values.js';
import { entryPath, dnToPath, pathToDn } from './paths.js';
import { MANAGED_MARKER, placeholderMember } from './profile.js';

/**
 * Full read of one target: accounts and OUs under each managed scope (the whole users root
 * when no scope is set) and groups under the groups root, all with paged searches.
 * Output is sorted so two reads of the same directory are byte-identical.
 */
export async function readSnapshot(dir: Directory, client: Client, target: string): Promise<TargetSnapshot> {
  const scopes = dir.settings.managedScopes.length > 0 ? dir.settings.managedScopes : [''];
  const accounts = new Map<string, ObservedAccount>();
  const dnToId = new Map<string, string>();
  for (const scope of scopes) {
    const base = pathToDn(scope, dir.usersRoot);
    for (const e of await dir.search(client, base, dir.profile.accountFilter, dir.profile.accountAttrs)) {
      const acc = toAccount(dir, e);
      accounts.set(acc.id, acc);
      dnToId.set(normalizeDn(e.dn), acc.id);
    }
  }
  const containers = await readContainers(dir, client);
  const groups: ObservedGroup[] = [];
  const placeholder = normalizeDn(placeholderMember(dir.groupsRoot));
  for (const e of await dir.search(client, dir.groupsRoot, dir.profile.groupFilter, dir.profile.groupAttrs)) {
    const memberDns = await allMembers(dir, client, e);
    const members = memberDns
      .map((m) => normalizeDn(m))
      .filter((m) => m !== placeholder)
      .map((m) => dnToId.get(m) ?? m)
      .sort();
    groups.push({
      id: dir.profile.idOf(e),
      name: first(e, 'cn') ?? '',
      description: first(e, 'description') ?? '',
      members,
      managed: values(e, dir.profile.markerAttr).includes(MANAGED_MARKER),
    });
  }
  return {
    target,
    accounts: [...accounts.values()].sort((a, b) => cmp(a.username, b.username) || cmp(a.id, b.id)),
    groups: groups.sort((a, b) => cmp(a.name, b.name) || cmp(a.id, b.id)),
    containers,
  };
}

/** Logical paths of the OUs under each managed scope, sorted. */
export async function readContainers(dir: Directory, client: Client): Promise<string[]> {
  const scopes = dir.settings.managedScopes.length > 0 ? dir.settings.managedScopes : [''];
  const containers = new Set<string>();
  for (const scope of scopes) {
    for (const e of await dir.search(client, pathToDn(scope, dir.usersRoot), '(objectClass=organizationalUnit)', ['1.1'])) {
      const p = dnToPath(e.dn, dir.usersRoot);
      if (p !== null && p !== '') containers.add(p);
    }
  }
  return [...containers].sort();
}

export function toAccount(dir: Directory, e: Entry): ObservedAccount {
  const p = dir.profile;
  const path = entryPath(e.dn, dir.usersRoot);
  const mail = first(e, 'mail') ?? '';
  const aliases = p.kind === 'active-directory'
    ? values(e, 'proxyAddresses').filter((a) => a.startsWith('smtp:')).map((a) => a.slice(5)).sort()
    : [];
  return {
    id: p.idOf(e),
    anchor: first(e, dir.settings.anchorAttribute) ?? null,
    username: first(e, p.usernameAttr) ?? '',
    givenName: first(e, 'givenName') ?? '',
    familyName: familyName(dir, e),
    displayName: first(e, 'displayName') ?? '',
    email: mail,
    // An account outside the OU tree logical paths can name (e.g. CN=Users) keeps its parent
    // DN, marked, so the plan shows it as misplaced rather than silently at the root.
    path: path ?? `dn:${e.dn.slice(e.dn.indexOf(',') + 1)}`,
    enabled: p.enabledOf(e),
    aliases,
  };
}

/**
 * OpenLDAP's person class requires sn, so an empty family name is written as the username
 * (apply-account.ts); read it back as empty so plans converge.
 */
function familyName(dir: Directory, e: Entry): string {
  const sn = first(e, 'sn') ?? '';
  return dir.profile.kind === 'openldap' && sn !== '' && sn === first(e, 'uid') ? '' : sn;
}

/** All `member` values, following AD's ranged retrieval (`member;range=0-1499`) when used. */
async function allMembers(dir: Directory, client: Client, e: Entry): Promise<string[]> {
  const direct = values(e, 'member');
  let chunk = rangedChunk(e, 'member');
  if (!chunk) return direct;
  const out = [...chunk.values];
  while (chunk && chunk.end !== '*') {
    const start = chunk.end + 1;
    const r = await client.search(e.dn, { scope: 'base', filter: '(objectClass=*)', attributes: [`member;range=${start}-*`] });
    const next = r.searchEntries[0];
    chunk = next ? rangedChunk(next, 'member') : null;
    if (chunk) out.push(...chunk.values);
  }
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
