import { Control, type Client } from 'ldapts';
import type { ObservedAccount } from '../../engine/model/accounts.js';
import { guidToString } from './ad-values.js';
import { isWithin } from './dn.js';
import type { Directory } from './directory.js';
import { buffer, first } from './entry-values.js';
import { and } from './filter.js';
import { pathToDn } from './paths.js';
import { toAccount } from './read.js';

/**
 * Incremental read for Active Directory (uSNChanged polling, as Microsoft documents for
 * DirSync-less change tracking). A cursor names the DC (dsServiceName), its database identity
 * (invocationId, which changes when the DC is restored from backup) and the
 * highestCommittedUSN at the time of the read. USNs are per-DC, so a cursor is only valid
 * against the same DC with the same invocationId; otherwise the caller must read in full.
 */
export interface AdCursor {
  dc: string;
  invocationId: string;
  usn: number;
}

export interface IncrementalRead {
  cursor: string;
  /** Managed-scope accounts created or changed since the cursor. */
  changed: ObservedAccount[];
  /** Ids of accounts deleted, or moved out of the managed scopes, since the cursor. */
  removed: string[];
  /** Whether any group changed; group membership is then best re-read in full. */
  groupsChanged: boolean;
}

const SHOW_DELETED = '1.2.840.113556.1.4.417';

export async function readAdCursor(client: Client): Promise<AdCursor> {
  const root = (await client.search('', { scope: 'base', filter: '(objectClass=*)', attributes: ['highestCommittedUSN', 'dsServiceName'] })).searchEntries[0];
  const dc = root ? first(root, 'dsServiceName') : undefined;
  const usn = Number(root ? first(root, 'highestCommittedUSN') : NaN);
  if (!dc || !Number.isFinite(usn)) throw new Error('rootDSE lacks highestCommittedUSN/dsServiceName: not an Active Directory DC');
  const ntds = (await client.search(dc, { scope: 'base', filter: '(objectClass=*)', attributes: ['invocationId'], explicitBufferAttributes: ['invocationId'] })).searchEntries[0];
  const inv = ntds ? buffer(ntds, 'invocationId') : undefined;
  if (!inv) throw new Error('cannot read the DC invocationId');
  return { dc, invocationId: guidToString(inv), usn };
}

export function encodeCursor(c: AdCursor): string {
  return `ad-usn:${Buffer.from(JSON.stringify(c), 'utf8').toString('base64url')}`;
}

export function decodeCursor(s: string): AdCursor | null {
  if (!s.startsWith('ad-usn:')) return null;
  try {
    const v = JSON.parse(Buffer.from(s.slice(7), 'base64url').toString('utf8')) as Partial<AdCursor>;
    if (typeof v.dc !== 'string' || typeof v.invocationId !== 'string' || typeof v.usn !== 'number') return null;
    return { dc: v.dc, invocationId: v.invocationId, usn: v.usn };
  } catch {
    return null;
  }
}

/** Changes since `cursor`, or null when the cursor cannot be used (other DC, restore, garbage). */
/**
 * `known`: the ids the caller's snapshot holds. Without it, an account changed outside the
 * managed scopes counts as "moved out" only when it carries the anchor attribute (an
 * unmanaged account elsewhere in the domain was never rollcall's); with it, only known ids
 * are reported removed, which is exact.
 */
export async function readAdChanges(dir: Directory, client: Client, cursor: string, known?: ReadonlySet<string>): Promise<IncrementalRead | null> {
  const since = decodeCursor(cursor);
  if (!since) return null;
  const now = await readAdCursor(client);
  if (now.dc.toLowerCase() !== since.dc.toLowerCase() || now.invocationId !== since.invocationId) return null;
  const usnFilter = `(uSNChanged>=${since.usn + 1})`;
  const scopes = dir.settings.managedScopes.length > 0 ? dir.settings.managedScopes.map((s) => pathToDn(s, dir.usersRoot)) : [dir.usersRoot];
  const inScope = (dn: string): boolean => scopes.some((s) => isWithin(dn, s));
  const changed: ObservedAccount[] = [];
  const removed: string[] = [];
  // Search the whole domain: an account moved out of scope is a change too.
  for (const e of await dir.search(client, dir.settings.baseDN, and(dir.profile.accountFilter, usnFilter), dir.profile.accountAttrs)) {
    if (inScope(e.dn)) changed.push(toAccount(dir, e));
    else if (known ? known.has(dir.profile.idOf(e)) : first(e, dir.settings.anchorAttribute) !== undefined) removed.push(dir.profile.idOf(e));
  }
  const deleted = await client.search(dir.settings.baseDN, {
    scope: 'sub', filter: `(&(isDeleted=TRUE)(objectClass=user)${usnFilter})`, attributes: ['objectGUID'], explicitBufferAttributes: ['objectGUID'],
  }, new Control(SHOW_DELETED, { critical: true }));
  for (const e of deleted.searchEntries) {
    const g = buffer(e, 'objectGUID');
    const id = g ? guidToString(g) : undefined;
    if (id && (!known || known.has(id))) removed.push(id);
  }
  const groups = await dir.search(client, dir.groupsRoot, and(dir.profile.groupFilter, usnFilter), ['1.1']);
  return { cursor: encodeCursor(now), changed, removed: [...new Set(removed)].sort(), groupsChanged: groups.length > 0 };
}
