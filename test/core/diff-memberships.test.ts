import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ObservedAccount, ObservedGroup, TargetSnapshot } from '../../engine/model/accounts.js';
import type { Change, MemberRef } from '../../engine/model/plan.js';
import type { Policy } from '../../engine/model/policy.js';
import { diffTarget } from '../../engine/plan/diff-target.js';
import { MemberPositionsBuilder, memberPositions, positionsStart, recordMemberPositions } from '../../engine/model/member-positions.js';
import type { Identity } from '../../engine/resolve/identities.js';
import type { GroupIntent } from '../../engine/resolve/resolve-cache.js';
import { loadPolicyInput } from '../../engine/run/inputs.js';
import { scratchDistrict } from '../helpers/district.js';

/**
 * The membership diff works on identity indexes and stamp arrays for speed. This property
 * test holds it to a plain reference: the same diff written with a Map of observed members
 * per group, keyed by anchor (managed people) or username, as the first version was, except
 * that the two kinds of key are kept apart (the first version let an unmanaged account named
 * like some person's anchor stand in for that person), and that the account of a person with
 * no identity this run (gone from the SIS, in a grace period) keeps its memberships: it is
 * neither removed as that person nor as an unmanaged member.
 */

let basePolicy: Policy;
beforeAll(async () => {
  basePolicy = (await loadPolicyInput({ dir: scratchDistrict('rollcall-diffmem-') })).policy;
});

const TARGET = 'sandbox';

function referenceMemberships(identities: readonly Identity[], snapshot: TargetSnapshot, protectedUsernames: ReadonlySet<string>): Change[] {
  const byAnchor = new Map<string, ObservedAccount>();
  for (const a of snapshot.accounts) {
    if (a.anchor === null) continue;
    const prev = byAnchor.get(a.anchor);
    if (!prev || a.id < prev.id) byAnchor.set(a.anchor, a);
  }
  const byId = new Map(snapshot.accounts.map((a) => [a.id, a]));
  const accountIdOf = new Map<string, string>();
  const desired = new Map<string, { intent: GroupIntent; anchors: string[]; usernames: string[] }>();
  for (const idn of identities) {
    const obs = byAnchor.get(idn.anchor);
    if (obs) accountIdOf.set(obs.id, idn.anchor);
    if (!idn.username) continue;
    for (const g of idn.groups) {
      let e = desired.get(g.name);
      if (!e) desired.set(g.name, (e = { intent: g, anchors: [], usernames: [] }));
      if (e.anchors.includes(idn.anchor)) continue;
      e.anchors.push(idn.anchor);
      e.usernames.push(idn.username);
    }
  }
  const observedGroups = new Map(snapshot.groups.map((g) => [g.name, g]));
  const identified = new Set(identities.map((i) => i.anchor));
  const out: Change[] = [];
  for (const [name, want] of [...desired].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const obsGroup = observedGroups.get(name);
    const observed = new Map<string, string>();
    for (const mid of obsGroup?.members ?? []) {
      const acc = byId.get(mid);
      const managed = accountIdOf.get(mid) ?? (acc?.anchor != null && byAnchor.get(acc.anchor) === acc ? acc.anchor : undefined);
      observed.set(managed !== undefined ? `a:${managed}` : `u:${acc?.username ?? mid}`, acc?.username ?? mid);
    }
    const adds: MemberRef[] = [];
    want.anchors.forEach((anchor, i) => {
      if (!observed.has(`a:${anchor}`)) adds.push({ anchor, username: want.usernames[i]! });
    });
    if (adds.length > 0) out.push({ id: `${TARGET}:membership:${name}:add`, members: adds } as Change);
    if (want.intent.membership === 'authoritative' && obsGroup) {
      const wanted = new Set(want.anchors.map((a) => `a:${a}`));
      const gone: MemberRef[] = [];
      const unmanaged: MemberRef[] = [];
      for (const [key, username] of observed) {
        if (wanted.has(key) || protectedUsernames.has(username.toLowerCase())) continue;
        if (key.startsWith('a:')) {
          if (identified.has(key.slice(2))) gone.push({ anchor: key.slice(2), username });
          continue;
        }
        unmanaged.push({ username });
      }
      if (gone.length > 0) out.push({ id: `${TARGET}:membership:${name}:remove`, members: gone } as Change);
      if (unmanaged.length > 0) out.push({ id: `${TARGET}:membership:${name}#unmanaged:remove`, members: unmanaged } as Change);
    }
  }
  return out;
}

const PEOPLE = 12;
const anchorOf = (i: number): string => `p${String(i).padStart(2, '0')}`;

const scenario = fc.record({
  groupCount: fc.integer({ min: 1, max: 4 }),
  authoritative: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  // person i -> the groups they should be in (by index; 4 is a second intent named like group 0,
  // as two rules naming one group; an index may repeat, as two sections giving one group)
  wants: fc.array(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }), { minLength: PEOPLE, maxLength: PEOPLE }),
  sharedName: fc.boolean(),
  // ResolveCache's numbers of shared intents (-1: none); equal numbers on two intents stand for
  // intents of two resolves, which the diff must still tell apart
  seqs: fc.array(fc.integer({ min: -1, max: 3 }), { minLength: 5, maxLength: 5 }),
  hasAccount: fc.array(fc.boolean(), { minLength: PEOPLE, maxLength: PEOPLE }),
  duplicateAccount: fc.array(fc.boolean(), { minLength: PEOPLE, maxLength: PEOPLE }),
  unmanagedCount: fc.integer({ min: 0, max: 4 }),
  // accounts of people with no identity this run (gone from the SIS, in their grace period)
  ghostCount: fc.integer({ min: 0, max: 3 }),
  groupExists: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  // observed member lists as indexes into the account list (may repeat, may be stale ids)
  observed: fc.array(fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 20 }), { minLength: 4, maxLength: 4 }),
  // Sorted by id, members mostly come in account order, which the diff merges with the desired
  // members; in the order drawn, they go the stamped way.
  sortMembers: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  protectedIx: fc.integer({ min: -1, max: PEOPLE - 1 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

interface ScenarioInputs {
  identities: Identity[];
  accounts: ObservedAccount[];
  groups: ObservedGroup[];
  policy: Policy;
  protectedSet: ReadonlySet<string>;
}

function scenarioInputs(s: Scenario): ScenarioInputs {
  const intents: GroupIntent[] = Array.from({ length: s.groupCount }, (_, g) => ({ name: `grp-${g}`, description: '', rule: `rule-${g}`, membership: s.authoritative[g] ? 'authoritative' : 'additive', targets: [], seq: s.seqs[g]! }));
  const twin: GroupIntent = { name: 'grp-0', description: '', rule: 'rule-twin', membership: s.authoritative[3] ? 'authoritative' : 'additive', targets: [], seq: s.seqs[4]! };
  const identities: Identity[] = [];
  const accounts: ObservedAccount[] = [];
  for (let i = 0; i < PEOPLE; i++) {
    const anchor = anchorOf(i);
    const username = `user${i}`;
    identities.push({
      anchor, facts: null, username, attrs: { givenName: '', familyName: '', displayName: '', email: '' }, paths: { [TARGET]: 'Students' }, newlyIssued: false, factsChanged: false, rename: null,
      lifecycle: { decision: { state: 'active', rule: 'sis', detail: '' }, provision: true, suspendPath: null, timers: [] },
      groups: s.wants[i]!.filter((g) => g < s.groupCount || (g === 4 && s.sharedName)).map((g) => (g === 4 ? twin : intents[g]!)),
      rules: { username: 'u', email: '', displayName: '', path: '', password: '' },
    });
    const acct = (id: string): ObservedAccount => ({ id, anchor, username, givenName: '', familyName: '', displayName: '', email: '', path: '', enabled: true, aliases: [] });
    if (s.hasAccount[i]) accounts.push(acct(`id-${String(i).padStart(2, '0')}`));
    if (s.duplicateAccount[i]) accounts.push(acct(`id-dup-${i}`));
  }
  for (let g = 0; g < s.ghostCount; g++) accounts.push({ id: `id-g${g}`, anchor: `ghost${g}`, username: `ghost${g}`, givenName: '', familyName: '', displayName: '', email: '', path: '', enabled: true, aliases: [] });
  for (let u = 0; u < s.unmanagedCount; u++) accounts.push({ id: `id-x${u}`, anchor: null, username: u === 0 ? anchorOf(3) : `stray${u}`, givenName: '', familyName: '', displayName: '', email: '', path: '', enabled: true, aliases: [] });
  const groups: ObservedGroup[] = [];
  for (let g = 0; g < s.groupCount; g++) {
    if (!s.groupExists[g]) continue;
    const drawn = s.observed[g]!.map((k) => accounts[k]?.id ?? `gone-${k}`);
    const members = s.sortMembers[g] ? drawn.sort() : drawn;
    groups.push({ id: `gid-${g}`, name: `grp-${g}`, description: '', members, managed: true });
  }
  const protectedUsernames = s.protectedIx >= 0 ? [`User${s.protectedIx}`] : [];
  const policy: Policy = { ...basePolicy, safety: { ...basePolicy.safety, protectedUsernames, protectedGroups: [] } };
  return { identities, accounts, groups, policy, protectedSet: new Set(protectedUsernames.map((u) => u.toLowerCase())) };
}

function membershipChanges(inputs: ScenarioInputs, groups: ObservedGroup[]): { id: string; members: Change['members'] }[] {
  const snapshot: TargetSnapshot = { target: TARGET, accounts: inputs.accounts, groups, containers: [] };
  return diffTarget({ target: TARGET, identities: inputs.identities, snapshot, policy: inputs.policy, lastApplied: {} }).changes
    .filter((c) => c.kind === 'membership')
    .map((c) => ({ id: c.id, members: c.members }));
}

describe('membership diff on identity indexes', () => {
  it('matches the Map-based reference on random groups, accounts and members', () => {
    fc.assert(fc.property(scenario, (s) => {
      const inputs = scenarioInputs(s);
      const got = membershipChanges(inputs, inputs.groups);
      // Protected people are skipped entirely by the diff (no memberships either); the reference drops them.
      const snapshot: TargetSnapshot = { target: TARGET, accounts: inputs.accounts, groups: inputs.groups, containers: [] };
      const want = referenceMemberships(inputs.identities.filter((idn) => !inputs.protectedSet.has(idn.username!.toLowerCase())), snapshot, inputs.protectedSet)
        .map((c) => ({ id: c.id, members: c.members }));
      expect(got).toEqual(want);
    }), { numRuns: 400 });
  });

  it('gives the same changes when members come with a snapshot reader\'s account positions', () => {
    // `known`: which members the reader had as positions (the rest by id). `repeatId`: one id
    // on two accounts, where a position is not what a lookup by id finds: positions must be ignored.
    const known = fc.array(fc.boolean(), { minLength: 1, maxLength: 8 });
    fc.assert(fc.property(scenario, known, fc.boolean(), (s, k, repeatId) => {
      const inputs = scenarioInputs(s);
      if (repeatId && inputs.accounts.length > 0) inputs.accounts.push({ ...inputs.accounts[0]!, anchor: null, username: 'repeat' });
      const byId = membershipChanges(inputs, [...inputs.groups]);
      const builder = new MemberPositionsBuilder();
      let next = 0;
      for (const g of inputs.groups) {
        // As the writer stores them: the first account with the member's id.
        const pos = builder.reserve(g.members.length);
        g.members.forEach((m, j) => (pos[builder.at + j] = k[next++ % k.length] ? inputs.accounts.findIndex((a) => a.id === m) : -1));
        builder.endGroup(g.members.length);
      }
      recordMemberPositions(inputs.groups, inputs.accounts, builder.build());
      expect(membershipChanges(inputs, inputs.groups)).toEqual(byId);
    }), { numRuns: 400 });
  });

  it('keeps every group\'s entries across chunks, a group bigger than a chunk in one of its own', () => {
    const builder = new MemberPositionsBuilder();
    const sizes = [3, 700_000, 0, 500_000, 1, 1_500_000, 2];
    for (const [g, size] of sizes.entries()) {
      const pos = builder.reserve(size);
      for (let j = 0; j < size; j++) pos[builder.at + j] = g * 10_000_000 + j;
      builder.endGroup(size);
    }
    const p = builder.build();
    // 64k, then 700k for the group that does not fit (a chunk of its own size, larger than
    // the doubled 128k), then 1M (the cap), then 1.5M, then 1M.
    expect(p.chunks.map((c) => c.length)).toEqual([1 << 16, 700_000, 1 << 20, 1_500_000, 1 << 20]);
    for (const [g, size] of sizes.entries()) {
      expect(p.count[g]).toBe(size);
      for (const j of [0, size - 1]) if (size > 0) expect(p.chunks[p.chunk[g]!]![p.start[g]! + j]).toBe(g * 10_000_000 + j);
    }
  });

  it('uses positions only for the arrays they were recorded against, at their lengths', () => {
    const account: ObservedAccount = { id: 'a', anchor: null, username: 'a', givenName: '', familyName: '', displayName: '', email: '', path: '', enabled: true, aliases: [] };
    const accounts = [account];
    const groups: ObservedGroup[] = [{ id: 'g', name: 'g', description: '', members: ['a', 'x'], managed: true }];
    const builder = new MemberPositionsBuilder();
    builder.reserve(2).set([0, -1], builder.at);
    builder.endGroup(2);
    recordMemberPositions(groups, accounts, builder.build());
    const p = memberPositions({ accounts, groups })!;
    expect([...p.chunks[0]!.subarray(0, 2)]).toEqual([0, -1]);
    expect(positionsStart(p, 0, 2)).toBe(0);
    // A member list that changed length since is looked up by id.
    expect(positionsStart(p, 0, 3)).toBe(-1);
    expect(memberPositions({ accounts: [...accounts], groups })).toBeUndefined();
    expect(memberPositions({ accounts, groups: [...groups] })).toBeUndefined();
    accounts.push({ ...account, id: 'b' });
    expect(memberPositions({ accounts, groups })).toBeUndefined();
  });
});
