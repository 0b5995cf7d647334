import { type Client, ResultCodeError, type Entry } from 'ldapts';
import type { Change, MemberRef } from '../../engine/model/plan.js';
import type { ChangeOutcome } from '../../engine/model/provider.js';
import { describeError, isTransient } from './connection.js';
import { normalizeDn } from './dn.js';
import type { Directory } from './directory.js';
import { first, values } from './entry-values.js';
import { eq } from './filter.js';
import { addValues, deleteValues, text } from './mods.js';
import { placeholderMember } from './profile.js';

/**
 * A whole planned membership change (PLAN shape: one group, many members) in batches of
 * `memberBatchSize` values per modify. A modify is atomic: when a batch fails because one
 * value is already there / already gone, nothing in it was written, and the batch is redone
 * member by member so each outcome is exact.
 */

export type MemberOutcome = { member: MemberRef; outcome: ChangeOutcome };

/**
 * Codes meaning "a value in this batch was already there / already gone": attributeOrValueExists
 * (20, OpenLDAP) and noSuchAttribute (16); AD and Samba answer a member already in the group
 * with entryAlreadyExists (68, 0x44) and one not in it with unwillingToPerform (53) or 16.
 * A refused modify wrote nothing; the per-member redo surfaces any real error member by member.
 */
const PARTLY_DONE = new Set([16, 20, 53, 68]);
/** Member look-ups in flight at once on one connection. */
const LOOKUPS = 16;

type Resolved = { member: MemberRef; dn: string } | { member: MemberRef; outcome: ChangeOutcome };

/**
 * The member's entry: by username first (unique in AD's domain), checked against the anchor,
 * exactly like a single-member change; by anchor when no entry has the username (renamed
 * meanwhile). Anchors are not unique outside the managed scope (a second district in the same
 * domain carries the same sourcedIds), so an ambiguous anchor fails that member alone.
 */
async function resolve(dir: Directory, client: Client, m: MemberRef, remove: boolean): Promise<Resolved> {
  let account: Entry | null = await dir.accountByUsername(client, m.username);
  if (account && m.anchor !== undefined && (first(account, dir.settings.anchorAttribute) ?? null) !== m.anchor) {
    return { member: m, outcome: { status: 'failed', error: 'ldap.anchor-mismatch: the member account does not carry the anchor this change is for', terminal: true } };
  }
  if (!account && m.anchor !== undefined) {
    try {
      account = await dir.accountByAnchor(client, m.anchor);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('ambiguous')) throw err;
      return { member: m, outcome: { status: 'failed', error: `ldap.member-ambiguous: ${err.message}`, terminal: true } };
    }
  }
  if (!account) {
    return { member: m, outcome: remove ? { status: 'already' } : { status: 'failed', error: 'ldap.member-not-found: the member account does not exist', terminal: true } };
  }
  return { member: m, dn: account.dn };
}

export async function applyMembersBatched(dir: Directory, client: Client, change: Change): Promise<MemberOutcome[]> {
  const members = change.members ?? [];
  const remove = change.action === 'remove';
  if (change.action !== 'add' && !remove) {
    return members.map((member) => ({ member, outcome: { status: 'failed', error: `ldap.unsupported: membership ${change.action} is not supported`, terminal: true } }));
  }
  const groupName = text(remove ? change.before : change.after, 'group') || change.key.replace(/#unmanaged$/, '');
  const group = await dir.groupByName(client, groupName);
  if (!group) {
    const outcome: ChangeOutcome = remove ? { status: 'already' } : { status: 'failed', error: 'ldap.group-not-found: the group does not exist', terminal: true };
    return members.map((member) => ({ member, outcome }));
  }
  const objectId = dir.profile.idOf(group);
  const out: MemberOutcome[] = [];
  const targets: { member: MemberRef; dn: string }[] = [];
  for (let i = 0; i < members.length; i += LOOKUPS) {
    for (const r of await Promise.all(members.slice(i, i + LOOKUPS).map((m) => resolve(dir, client, m, remove)))) {
      if ('dn' in r) targets.push(r);
      else out.push({ member: r.member, outcome: r.outcome.status === 'failed' ? r.outcome : { ...r.outcome, objectId } });
    }
  }
  // OpenLDAP's groupOfNames needs one member: track values to add/drop the placeholder.
  const openldap = dir.profile.kind === 'openldap';
  const placeholder = normalizeDn(placeholderMember(dir.groupsRoot));
  const current = new Set(openldap ? values(group, 'member').map(normalizeDn) : []);
  const modsFor = (dns: string[]) => {
    if (!remove) return [addValues('member', dns), ...(openldap && current.has(placeholder) ? [deleteValues('member', [placeholderMember(dir.groupsRoot)])] : [])];
    const gone = new Set(dns.map(normalizeDn));
    const emptied = openldap && [...current].every((d) => gone.has(d));
    return [...(emptied ? [addValues('member', [placeholderMember(dir.groupsRoot)])] : []), deleteValues('member', dns)];
  };
  const record = (dns: string[]) => {
    if (!openldap) return;
    if (remove) {
      if ([...current].every((d) => dns.some((x) => normalizeDn(x) === d))) current.add(placeholder);
      for (const d of dns) current.delete(normalizeDn(d));
    } else {
      current.delete(placeholder);
      for (const d of dns) current.add(normalizeDn(d));
    }
  };
  const size = dir.settings.memberBatchSize;
  for (let i = 0; i < targets.length; i += size) {
    const batch = targets.slice(i, i + size);
    const dns = batch.map((t) => t.dn);
    try {
      await client.modify(group.dn, modsFor(dns));
      record(dns);
      for (const t of batch) out.push({ member: t.member, outcome: { status: 'applied', objectId } });
      continue;
    } catch (err) {
      if (!(err instanceof ResultCodeError) || !PARTLY_DONE.has(err.code)) throw err;
    }
    for (const t of batch) {
      // Ask the server rather than reading `member`: AD returns big groups in ranges.
      const isMember = (await client.search(group.dn, { scope: 'base', filter: eq('member', t.dn), attributes: ['1.1'] })).searchEntries.length > 0;
      if (isMember !== remove) {
        out.push({ member: t.member, outcome: { status: 'already', objectId } });
        continue;
      }
      try {
        await client.modify(group.dn, modsFor([t.dn]));
      } catch (err) {
        if (!(err instanceof ResultCodeError)) throw err;
        out.push({ member: t.member, outcome: { status: 'failed', error: describeError(err), terminal: !isTransient(err) } });
        continue;
      }
      record([t.dn]);
      out.push({ member: t.member, outcome: { status: 'applied', objectId } });
    }
  }
  return out;
}
