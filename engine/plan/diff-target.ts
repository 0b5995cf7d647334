import type { AccountAttrs, ObservedAccount, TargetSnapshot } from '../model/accounts.js';
import type { Diagnostic } from '../model/diagnostics.js';
import { formatSource, warningDiag } from '../model/diagnostics.js';
import type { AttrMap, Cause, Change, MemberRef, Reason } from '../model/plan.js';
import type { Policy } from '../model/policy.js';
import type { Identity } from '../resolve/identities.js';
import { DesiredGroups, type DesiredGroup } from './desired-groups.js';
import { joinByAnchor } from './anchor-join.js';
import { pathAncestors } from '../resolve/paths.js';
import { PairMemo } from '../resolve/field-memo.js';
import { memberPositions, positionsStart } from '../model/member-positions.js';
import { snapshotFacts } from '../model/snapshot-facts.js';

/**
 * Diff one target: desired identities against the observed snapshot. Pure and linear in
 * the number of people and memberships (indexes, no nested scans).
 */

export interface DiffInput {
  target: string;
  identities: readonly Identity[];
  snapshot: TargetSnapshot;
  policy: Policy;
  /** What rollcall last wrote to this target, per anchor: tells drift from SIS or policy changes. */
  lastApplied: Readonly<Record<string, AccountAttrs>>;
  /** People whose create must wait: correlation found candidate accounts a person must choose between (engine/correlate). */
  hold?: ReadonlySet<string> | undefined;
  /**
   * Groups people outside `identities` want (engine/incremental plans a few people of a
   * district): diffed like any desired group, so a member who no longer belongs is removed
   * as the district's plan would remove them.
   */
  alsoDesired?: readonly DesiredGroupMeta[] | undefined;
  /** Report every desired group with its member count (DiffResult.desired), for a plan base. */
  reportDesired?: boolean | undefined;
}

/** A desired group without its members: what a plan base keeps of it. */
export type DesiredGroupMeta = Omit<DesiredGroup, 'members'>;

export interface DesiredGroupCount extends DesiredGroupMeta {
  members: number;
}

export interface DiffResult {
  changes: Change[];
  /** Accounts in this target that rollcall manages (carry an anchor): the base for percent limits. */
  managedCount: number;
  diagnostics: Diagnostic[];
  /** With reportDesired: every desired group of this target, in no particular order. */
  desired?: DesiredGroupCount[];
}

const NAME_ATTRS = ['givenName', 'familyName', 'displayName', 'email'] as const;

export function diffTarget(input: DiffInput): DiffResult {
  const { target, snapshot, policy } = input;
  const changes: Change[] = [];
  const diagnostics: Diagnostic[] = [];
  const protectedNames = new Set(policy.safety.protectedUsernames.map((u) => u.toLowerCase()));
  const protectedPaths = [...policy.safety.protectedPaths, ...policy.placement.protectedPaths];
  // Checked for every account: the roots' "/"-suffixed forms are made once, not per call (isUnder).
  const protectedPrefixes = protectedPaths.map((root) => root + '/');
  const isProtectedPath = (p: string): boolean => {
    for (let i = 0; i < protectedPaths.length; i++) if (p === protectedPaths[i] || p.startsWith(protectedPrefixes[i]!)) return true;
    return false;
  };
  const protectedGroups = new Set(policy.safety.protectedGroups);

  // Account id -> position in snapshot.accounts (the last of a repeated id, as a Map keeps it):
  // group members are ids, and one lookup gives both the account and, through ixOfPos, its person.
  // When refresh recorded that the ids are unique (engine/model/snapshot-facts.ts), every
  // account sits at its own position and members come with theirs: the index of a million ids
  // is built only if a member comes by id alone.
  const accounts = snapshot.accounts;
  const posOfId = new AccountPositions(accounts);
  const uniqueIds = snapshotFacts(snapshot)?.uniqueIds ?? posOfId.unique();
  const managed = joinByAnchor(accounts, input.identities);
  const duplicates = managed.duplicates;
  if (duplicates > 0) {
    diagnostics.push(warningDiag('diff.duplicate-anchor', `${duplicates} account(s) in target ${target} share an anchor with another account; only one per person is managed`));
  }

  const existingContainers = new Set(snapshot.containers);
  const containerChanges = new Map<string, Change>();
  // A path's result never changes once computed (containers are only ever added), and a
  // district has far fewer paths than people.
  const ensured = new Map<string, string | undefined>();
  const ensureContainer = (path: string, reason: Reason): string | undefined => {
    if (ensured.has(path)) return ensured.get(path);
    let last: string | undefined;
    for (const p of pathAncestors(path)) {
      const id = `${target}:container:${p}:create`;
      if (!existingContainers.has(p) && !containerChanges.has(p)) {
        containerChanges.set(p, { id, target, kind: 'container', action: 'create', key: p, after: { path: p }, reason: { cause: reason.cause, ...(reason.rule ? { rule: reason.rule } : {}), detail: `container for ${p}` }, ...(last ? { depends_on: [last] } : {}) });
      }
      if (containerChanges.has(p)) last = id;
    }
    ensured.set(path, last);
    return last;
  };

  // Desired members are kept as indexes into `identities`; observed account ids of managed
  // people map to the same indexes. Membership diffs then compare small integers, not
  // anchor strings in per-group Maps (a district has millions of memberships).
  const desired = new DesiredGroups(target, input.identities);
  // Position of an observed account -> index of the identity managing it (-1: none), by id: a
  // person's account is found by anchor, then every account position under that id maps to them.
  const ixOfPos = new Int32Array(accounts.length).fill(-1);
  // Few roles and schools: one 'new ROLE at SCHOOL' text per pair.
  const newDetail = new PairMemo<string>();
  const newDetailOf = (role: string, school: string): string => newDetail.get(role, school, () => `new ${role} at ${school}`);

  const identities = input.identities;
  // Looked up only where an account differs: most people match, and a deferred state read
  // (engine/state) parses an entry only when it is asked for.
  const lastApplied = input.lastApplied;
  for (let ix = 0; ix < identities.length; ix++) {
    const idn = identities[ix]!;
    const at = managed.accountOf[ix]!;
    const obs = at < 0 ? undefined : accounts[at]!;
    if (obs) ixOfPos[uniqueIds ? at : posOfId.get(obs.id)!] = ix;
    const state = idn.lifecycle.decision.state;
    const desiredPath = idn.paths?.[target];

    if (obs && ((protectedNames.size > 0 && protectedNames.has(obs.username.toLowerCase())) || isProtectedPath(obs.path))) continue;

    if (!obs) {
      if (input.hold?.has(idn.anchor)) continue;
      if (state !== 'active' || !idn.lifecycle.provision || !idn.username || !idn.attrs || !desiredPath) continue;
      if (protectedNames.has(idn.username.toLowerCase())) continue;
      const after: AttrMap = { username: idn.username, givenName: idn.attrs.givenName, familyName: idn.attrs.familyName, displayName: idn.attrs.displayName, email: idn.attrs.email, path: desiredPath, enabled: true };
      const dep = ensureContainer(desiredPath, { cause: 'sis', rule: idn.rules.path, detail: '' });
      const reason: Reason = idn.lifecycle.decision.rule === 'lifecycle.reenrollment'
        ? lifecycleReasonOf(idn)
        : { cause: 'sis', rule: idn.rules.username, record: idn.facts?.person.source ? formatSource(idn.facts.person.source) : idn.anchor, detail: newDetailOf(idn.facts?.role ?? 'person', idn.facts?.school ?? '?') };
      // Optional fields assigned, not spread: the same key order, without two temporary objects per person.
      const create: Change = { id: `${target}:account:${idn.anchor}:create`, target, kind: 'account', action: 'create', anchor: idn.anchor, key: idn.anchor, after, reason };
      if (idn.rules.password) create.password_rule = idn.rules.password;
      if (dep) create.depends_on = [dep];
      changes.push(create);
      desired.add(idn, ix);
      continue;
    }

    if (state === 'deleted') {
      changes.push({ id: `${target}:account:${idn.anchor}:delete`, target, kind: 'account', action: 'delete', anchor: idn.anchor, key: idn.anchor, object_id: obs.id, before: attrsOf(obs), reason: lifecycleReasonOf(idn) });
      continue;
    }
    if (state === 'pending') continue;

    // Rename first: it changes the username and the email together.
    let renamed = false;
    if (idn.username && obs.username !== idn.username) {
      renamed = true;
      const cause: Cause = idn.rename ? 'policy' : 'drift';
      const newEmail = idn.attrs?.email ?? obs.email;
      changes.push({
        id: `${target}:account:${idn.anchor}:rename`, target, kind: 'account', action: 'rename', anchor: idn.anchor, key: idn.anchor, object_id: obs.id,
        before: { username: obs.username, email: obs.email },
        after: { username: idn.username, email: newEmail, aliases: obs.email && obs.email !== newEmail ? [...new Set([...obs.aliases, obs.email])].sort() : [...obs.aliases].sort() },
        reason: idn.rename
          ? { cause, rule: idn.rename.rule, detail: policy.naming.renames === 'approve' ? `rename approved in ${idn.rename.rule}` : `renames: rename; ${policy.naming.renames}` }
          : { cause, rule: 'state.registry', detail: 'the account\'s username differs from the one rollcall issued' },
      });
    }

    const wantAttrs = idn.attrs;
    // Most accounts match: four named reads (NAME_ATTRS) settle that, before the keyed loop below and its
    // two objects, which a million accounts would pay for nothing (profile).
    if (wantAttrs && (obs.givenName !== wantAttrs.givenName || obs.familyName !== wantAttrs.familyName || obs.displayName !== wantAttrs.displayName || (!renamed && obs.email !== wantAttrs.email))) {
      const before: AttrMap = {};
      const after: AttrMap = {};
      let cause: Cause = 'sis';
      let last: AccountAttrs | undefined;
      for (const k of NAME_ATTRS) {
        if (k === 'email' && renamed) continue;
        const want = wantAttrs[k];
        if (obs[k] !== want) {
          before[k] = obs[k];
          after[k] = want;
          last ??= lastApplied[idn.anchor];
          if (last && last[k] !== obs[k]) cause = 'drift';
        }
      }
      if (Object.keys(after).length > 0) {
        // Same names as last written: the policy's templates changed, unless the person's role,
        // grade or school did (a student who became a teacher gets a staff address: the SIS).
        if (cause !== 'drift' && !idn.factsChanged && last && last.givenName === wantAttrs.givenName && last.familyName === wantAttrs.familyName) cause = 'policy';
        changes.push({ id: `${target}:account:${idn.anchor}:update`, target, kind: 'account', action: 'update', anchor: idn.anchor, key: idn.anchor, object_id: obs.id, before, after, reason: updateReason(cause, idn, Object.keys(after)) });
      }
    }

    if (desiredPath && desiredPath !== obs.path) {
      const dep = ensureContainer(desiredPath, { cause: state === 'active' ? 'sis' : 'lifecycle', rule: idn.rules.path, detail: '' });
      const last = lastApplied[idn.anchor];
      const reason: Reason = state !== 'active'
        ? lifecycleReasonOf(idn)
        : last && last.path !== obs.path
          ? { cause: 'drift', rule: idn.rules.path, detail: 'moved outside rollcall' }
          : idn.factsChanged
            ? { cause: 'sis', rule: idn.rules.path, record: idn.anchor, detail: 'role, grade or school changed in the SIS' }
            : { cause: last ? 'policy' : 'sis', rule: idn.rules.path, detail: `placement rule ${idn.rules.path}` };
      changes.push({ id: `${target}:account:${idn.anchor}:move`, target, kind: 'account', action: 'move', anchor: idn.anchor, key: idn.anchor, object_id: obs.id, before: { path: obs.path }, after: { path: desiredPath }, reason, ...(dep ? { depends_on: [dep] } : {}) });
    }

    const wantEnabled = state === 'active';
    if (obs.enabled !== wantEnabled) {
      const action = wantEnabled ? 'enable' : 'disable';
      const last = lastApplied[idn.anchor];
      const reason: Reason = last && last.enabled !== obs.enabled ? { cause: 'drift', rule: idn.lifecycle.decision.rule, detail: `${obs.enabled ? 'enabled' : 'disabled'} outside rollcall` } : lifecycleReasonOf(idn);
      changes.push({ id: `${target}:account:${idn.anchor}:${action}`, target, kind: 'account', action, anchor: idn.anchor, key: idn.anchor, object_id: obs.id, before: { enabled: obs.enabled }, after: { enabled: wantEnabled }, reason });
    }
    if (state === 'active') desired.add(idn, ix);
  }

  // Groups and memberships.
  // Name -> position in snapshot.groups (the last of a repeated name), which also finds the
  // group's member positions when the snapshot reader recorded them.
  const observedGroups = new Map(snapshot.groups.map((g, i) => [g.name, i]));
  const positions = uniqueIds ? memberPositions(snapshot) : undefined;
  const groupCreates = new Map<string, string>();
  const desiredGroups = desired.byName(identities);
  const reported = input.reportDesired ? [...desiredGroups.values()].map((g) => ({ ...g, members: g.members.length })) : undefined;
  for (const g of input.alsoDesired ?? []) if (!desiredGroups.has(g.name)) desiredGroups.set(g.name, { ...g, members: [] });
  const observed = new ObservedMembers(new IndexStamps(identities.length));
  // One member entry per person, shared by every group they join (a student is in ~10).
  const memberRefs: (MemberRef | undefined)[] = new Array<MemberRef | undefined>(identities.length);
  const wantedStamps = new IndexStamps(identities.length);
  // Walked in the order names were first seen: sorting a million-person district's 366,000
  // names cost half a second. Only the groups that have changes are put in name order, after
  // the walk: the plan sorts all changes once more (plan/order.ts), and that sort is much
  // quicker on runs already in order (a first plan's group creates and member adds).
  const byGroup: [string, Change[]][] = [];
  for (const [name, want] of desiredGroups) {
    if (protectedGroups.has(name)) continue;
    // This group's changes, made at its first one (no closure per group: there are 366,000).
    let mine: Change[] | undefined;
    const gi = observedGroups.get(name);
    const obsGroup = gi === undefined ? undefined : snapshot.groups[gi]!;
    if (!obsGroup) {
      const id = `${target}:group:${name}:create`;
      groupCreates.set(name, id);
      (mine ??= groupChanges(byGroup, name)).push({ id, target, kind: 'group', action: 'create', key: name, after: { name, description: want.description }, reason: { cause: 'policy', rule: want.rule, detail: 'group required by rule' } });
    }
    const groupDep = groupCreates.get(name);
    const members = obsGroup?.members ?? [];
    let chunk: Int32Array | undefined;
    let from = -1;
    if (positions && gi !== undefined) {
      from = positionsStart(positions, gi, members.length);
      if (from >= 0) chunk = positions.chunks[positions.chunk[gi]!];
    }
    observed.read(members, chunk, from, posOfId, ixOfPos, accounts, managed.managedOf);
    // Both sides ascending (the usual case: accounts and identities both in anchor order): a
    // merge walk, with no per-member stamp reads and writes scattered over a million entries.
    const merge = observed.ascending && isAscending(want.members);
    const adds: MemberRef[] = [];
    if (merge) {
      const code = observed.code;
      const count = observed.count;
      let j = 0;
      for (const ix of want.members) {
        while (j < count && code[j]! < ix) j++;
        if (j < count && code[j] === ix) continue;
        const idn = identities[ix]!;
        adds.push((memberRefs[ix] ??= { anchor: idn.anchor, username: idn.username! }));
      }
    } else {
      observed.stamp();
      for (const ix of want.members) {
        const idn = identities[ix]!;
        if (!observed.has(ix)) adds.push((memberRefs[ix] ??= { anchor: idn.anchor, username: idn.username! }));
      }
    }
    if (adds.length > 0) {
      (mine ??= groupChanges(byGroup, name)).push({
        id: `${target}:membership:${name}:add`, target, kind: 'membership', action: 'add', key: name,
        ...(obsGroup ? { object_id: obsGroup.id } : {}),
        after: { group: name }, members: adds,
        reason: { cause: 'sis', rule: want.rule, detail: `${adds.length} member(s) matching ${want.rule}` },
        ...(groupDep ? { depends_on: [groupDep] } : {}),
      });
    }
    if (want.membership === 'authoritative' && obsGroup) {
      const wanted = merge ? undefined : wantedStamps.mark(want.members);
      const wantList = want.members;
      let w = 0;
      const managedGone: MemberRef[] = [];
      const unmanaged: MemberRef[] = [];
      for (let j = 0; j < observed.count; j++) {
        const code = observed.code[j]!;
        if (code >= 0) {
          if (wanted === undefined) {
            while (w < wantList.length && wantList[w]! < code) w++;
            if (w < wantList.length && wantList[w] === code) continue;
          } else if (wanted.has(code)) continue;
          const username = accounts[observed.pos[j]!]!.username;
          if (protectedNames.has(username.toLowerCase())) continue;
          managedGone.push({ anchor: identities[code]!.anchor, username });
          continue;
        }
        const m = observed.others[-code - 1]!;
        if (protectedNames.has(m.username.toLowerCase())) continue;
        // A person's account whose person needs nothing this run (gone from the SIS, in the
        // grace period before suspension) keeps its memberships with the account: a grace
        // period exists for an export that missed someone, and groups carry access (licences
        // in Entra). They go when the account is suspended. Anything else is not rollcall's
        // (keyed by username, or id).
        if (m.anchor === undefined) unmanaged.push({ username: m.username });
      }
      if (managedGone.length > 0) {
        (mine ??= groupChanges(byGroup, name)).push({ id: `${target}:membership:${name}:remove`, target, kind: 'membership', action: 'remove', key: name, object_id: obsGroup.id, before: { group: name }, members: managedGone, reason: { cause: 'sis', rule: want.rule, detail: `${managedGone.length} member(s) no longer match ${want.rule}` } });
      }
      if (unmanaged.length > 0) {
        (mine ??= groupChanges(byGroup, name)).push({ id: `${target}:membership:${name}#unmanaged:remove`, target, kind: 'membership', action: 'remove', key: `${name}#unmanaged`, object_id: obsGroup.id, before: { group: name }, members: unmanaged, reason: { cause: 'drift', rule: want.rule, detail: `${unmanaged.length} member(s) not granted by policy (authoritative group)` } });
      }
    }
  }

  byGroup.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  for (const [, mine] of byGroup) for (const c of mine) changes.push(c);
  changes.push(...containerChanges.values());
  return { changes, managedCount: managed.managedCount, diagnostics, ...(reported ? { desired: reported } : {}) };
}

/** A group's list of changes, registered under its name for the diff to order by name later. */
function groupChanges(byGroup: [string, Change[]][], name: string): Change[] {
  const mine: Change[] = [];
  byGroup.push([name, mine]);
  return mine;
}

/** Account id -> position in the snapshot (the last of a repeated id), indexed on first use. */
class AccountPositions {
  private index: Map<string, number> | undefined;

  constructor(private readonly accounts: readonly ObservedAccount[]) {}

  get(id: string): number | undefined {
    return this.built().get(id);
  }

  unique(): boolean {
    return this.built().size === this.accounts.length;
  }

  private built(): Map<string, number> {
    if (this.index === undefined) {
      const index = new Map<string, number>();
      for (let i = 0; i < this.accounts.length; i++) index.set(this.accounts[i]!.id, i);
      this.index = index;
    }
    return this.index;
  }
}

/** One set handed out by IndexStamps.fresh. */
type Stamps = ReturnType<IndexStamps['fresh']>;

/**
 * Set membership over identity indexes without a Set per group: one Int32Array of stamps,
 * and a fresh stamp per use, so "is ix in this group" is an array read.
 */
class IndexStamps {
  private readonly stamp: Int32Array;
  private current = 0;

  constructor(size: number) {
    this.stamp = new Int32Array(size);
  }

  /** A fresh, empty set; the previous one handed out is invalid from here on. */
  fresh(): { add: (ix: number) => boolean; has: (ix: number) => boolean } {
    const mark = ++this.current;
    const stamp = this.stamp;
    return {
      add: (ix) => {
        if (stamp[ix] === mark) return false;
        stamp[ix] = mark;
        return true;
      },
      has: (ix) => stamp[ix] === mark,
    };
  }

  mark(ixs: Iterable<number>): { has: (ix: number) => boolean } {
    const set = this.fresh();
    for (const ix of ixs) set.add(ix);
    return set;
  }
}

interface OtherMember {
  /** The member's username (or raw id): the key of anything that is not a managed person's account. */
  username: string;
  /** The anchor, when this is the account of a person without an identity this run. */
  anchor?: string;
}

/**
 * A group's observed members, first occurrence first (the order removals are listed in), in
 * reused arrays rather than an object per member (a district has millions of memberships,
 * and most are only checked, never listed). Entry j is a managed person's identity index
 * (`code[j] >= 0`, their account at `pos[j]`) or, below zero, `others[-code[j] - 1]`.
 * Valid until the next `read`.
 *
 * `ascending`: the managed entries came strictly ascending (so none twice), and the diff can
 * merge them with the desired members. Otherwise the read is redone with stamps, which drop
 * repeats and answer `has` (after `stamp`).
 */
class ObservedMembers {
  code = new Int32Array(64);
  pos = new Int32Array(64);
  count = 0;
  others: OtherMember[] = [];
  ascending = true;
  private present: Stamps | undefined;

  constructor(private readonly stamps: IndexStamps) {}

  /** Whether person `ix` is a member; only after `stamp()` (or a read that was not ascending). */
  has(ix: number): boolean {
    return this.present !== undefined && this.present.has(ix);
  }

  /** Stamps for `has`, from the managed entries already read. */
  stamp(): void {
    if (this.present !== undefined) return;
    const present = this.stamps.fresh();
    for (let j = 0; j < this.count; j++) if (this.code[j]! >= 0) present.add(this.code[j]!);
    this.present = present;
  }

  /**
   * Managed people's accounts become identity indexes; anything else keeps a string key, in
   * its own namespace: an unmanaged account whose username happens to equal some anchor is
   * still an unmanaged member, never mistaken for that person.
   */
  read(memberIds: readonly string[], positions: Int32Array | undefined, from: number, posOfId: AccountPositions, ixOfPos: Int32Array, accounts: readonly ObservedAccount[], managedOf: Int32Array): void {
    if (this.code.length < memberIds.length) {
      this.code = new Int32Array(memberIds.length * 2);
      this.pos = new Int32Array(memberIds.length * 2);
    }
    if (!this.fill(undefined, memberIds, positions, from, posOfId, ixOfPos, accounts, managedOf)) this.fill(this.stamps.fresh(), memberIds, positions, from, posOfId, ixOfPos, accounts, managedOf);
  }

  /**
   * One pass over the members. Without `present`, false as soon as a managed entry does not
   * ascend; with it, repeats are dropped by stamp and the pass always completes.
   */
  private fill(present: Stamps | undefined, memberIds: readonly string[], positions: Int32Array | undefined, from: number, posOfId: AccountPositions, ixOfPos: Int32Array, accounts: readonly ObservedAccount[], managedOf: Int32Array): boolean {
    const { code, pos } = this;
    let n = 0;
    let last = -1;
    let seen: Set<string> | undefined;
    const others: OtherMember[] = [];
    for (let j = 0; j < memberIds.length; j++) {
      const mid = memberIds[j]!;
      // The reader's position when it had one (ids are unique here, so it is the account
      // posOfId would find): an array read instead of a hash lookup per membership.
      const known = positions === undefined ? -1 : positions[from + j]!;
      const p = known >= 0 ? known : posOfId.get(mid);
      const ix = p === undefined ? -1 : ixOfPos[p]!;
      if (ix >= 0) {
        if (present === undefined) {
          if (ix <= last) return false;
          last = ix;
        } else if (!present.add(ix)) continue;
        code[n] = ix;
        pos[n++] = p!;
        continue;
      }
      const acc = p === undefined ? undefined : accounts[p]!;
      const username = acc?.username ?? mid;
      seen ??= new Set();
      if (seen.has(username)) continue;
      seen.add(username);
      const anchored = acc && acc.anchor !== null && accounts[managedOf[p!]!] === acc ? acc.anchor : undefined;
      others.push(anchored === undefined ? { username } : { username, anchor: anchored });
      code[n++] = -others.length;
    }
    this.count = n;
    this.others = others;
    this.present = present;
    this.ascending = present === undefined;
    return true;
  }
}

/** Strictly ascending: the desired members as DesiredGroups makes them (checked, not assumed). */
function isAscending(xs: Int32Array | readonly number[]): boolean {
  for (let i = 1; i < xs.length; i++) if (!(xs[i - 1]! < xs[i]!)) return false;
  return true;
}

function lifecycleReasonOf(idn: Identity): Reason {
  const d = idn.lifecycle.decision;
  if (!d.date) return { cause: 'lifecycle', rule: d.rule, detail: d.detail };
  return { cause: 'lifecycle', rule: d.rule, date: d.date, detail: d.detail };
}

function updateReason(cause: Cause, idn: Identity, attrs: string[]): Reason {
  const detail = `${attrs.join(', ')} changed`;
  // The rule whose template made the changed value: a new email template is the email rule's
  // doing, not the display name's (a reviewer reads the rule to know which edit did it).
  if (cause === 'policy') return { cause, rule: (attrs.includes('displayName') ? idn.rules.displayName : attrs.includes('email') ? idn.rules.email : '') || idn.rules.displayName || idn.rules.email, detail };
  return { cause, record: idn.anchor, detail };
}

function attrsOf(a: ObservedAccount): AttrMap {
  return { username: a.username, givenName: a.givenName, familyName: a.familyName, displayName: a.displayName, email: a.email, path: a.path, enabled: a.enabled };
}
