import type { AccountAttrs, ObservedAccount, ObservedGroup, TargetSnapshot } from '../model/accounts.js';
import type { Change, PlanDocument } from '../model/plan.js';
import type { Person, Roster } from '../model/people.js';
import type { PersonState, RegistryEntry, StateDocument } from '../model/state.js';
import type { PlanInput, PlanOutput } from '../plan/build-plan.js';
import type { DesiredGroupCount } from '../plan/diff-target.js';

/**
 * The plan base: a full plan kept with, for each person of its export, every input their part
 * of that plan was made from (a capsule). A later plan whose inputs differ from the base's only
 * in a few people's users.csv rows re-plans those people alone against their capsules and
 * splices the result into the base plan (engine/incremental/plan-incremental.ts), instead of
 * reading and planning the whole district. Pure data: written and read by
 * engine/run/plan-base-file.ts.
 */

/** One person of the export as the base plan saw them, with their share of state and the targets. */
export interface PersonCapsule {
  anchor: string;
  person: Person;
  state: PersonState | null;
  /** Target -> what rollcall last wrote for this person there. */
  lastApplied: Record<string, AccountAttrs>;
  /** Lower-case username -> registry entry, for the entries naming this person. */
  registry: Record<string, RegistryEntry>;
  /** Target -> the accounts carrying this person's anchor, in snapshot order. */
  accounts: Record<string, ObservedAccount[]>;
  /**
   * Target -> where those accounts sit in groups, as flat triples: the group's position in the
   * target's snapshot groups, the member's position in that group's member list, and which of
   * `accounts` it is (group by group, in snapshot order). A sub-plan lists a group's members in
   * the snapshot's order.
   */
  memberOf: Record<string, number[]>;
}

/** A target's snapshot less its accounts and every group's members: what all people share. */
export interface SharedTarget {
  target: string;
  groups: Omit<ObservedGroup, 'members'>[];
  containers: string[];
}

/** Everything a person's sub-plan shares with the full plan: all inputs but the people. */
export interface BaseShared {
  roster: Omit<Roster, 'people'>;
  state: Omit<StateDocument, 'registry' | 'people' | 'last_applied'>;
  /** Every snapshot the base plan read (policy target order where known). */
  targets: SharedTarget[];
  /** Accounts each target's diff counted as managed in the base plan (percent limits). */
  managed: Record<string, number>;
  /** Target -> every group the base plan's people want, with how many want it. */
  desired: Record<string, DesiredGroupCount[]>;
  /**
   * Remove change id -> where each of its members sits in the group's member list (parallel to
   * its members): removals are listed in that order, and a changed person's joins them there.
   */
  removeOrder: Record<string, number[]>;
}

export interface PlanBase {
  plan: PlanDocument;
  shared: BaseShared;
}

export interface BuiltBase {
  base: PlanBase;
  /** One per roster person, in roster order. */
  capsules: PersonCapsule[];
}

/**
 * The base of a plan just computed from `input` (with `reportDesired`): the plan, what every
 * person shares, and each person's capsule. No copies of the big objects: capsules point at the
 * input's people, state entries and accounts (the writer serializes them).
 */
export function buildBase(input: PlanInput, output: PlanOutput): BuiltBase {
  if (!output.desired) throw new Error('buildBase: the plan was computed without reportDesired');
  const { roster, state } = input;
  const { people: _people, ...rosterShared } = roster;
  const { registry, people: statePeople, last_applied, ...stateShared } = state;

  const byAnchor = new Map<string, PersonCapsule>();
  const capsules: PersonCapsule[] = roster.people.map((person) => {
    const c: PersonCapsule = {
      anchor: person.sourcedId,
      person,
      state: Object.hasOwn(statePeople, person.sourcedId) ? statePeople[person.sourcedId]! : null,
      lastApplied: {},
      registry: {},
      accounts: {},
      memberOf: {},
    };
    byAnchor.set(person.sourcedId, c);
    return c;
  });
  for (const [target, entries] of Object.entries(last_applied)) {
    for (const c of capsules) if (Object.hasOwn(entries, c.anchor)) c.lastApplied[target] = entries[c.anchor]!;
  }
  for (const [name, entry] of Object.entries(registry)) {
    const c = byAnchor.get(entry.anchor);
    if (c) c.registry[name] = entry;
  }

  const targets: SharedTarget[] = [];
  const removeOrder: Record<string, number[]> = {};
  for (const snap of input.snapshots) {
    // Account id -> its owner and which of their accounts it is (the last of a repeated id, as the diff's index keeps it).
    const ownerOfId = new Map<string, [PersonCapsule, number]>();
    for (const a of snap.accounts) {
      if (a.anchor === null) continue;
      const c = byAnchor.get(a.anchor);
      if (!c) continue;
      const own = (c.accounts[snap.target] ??= []);
      ownerOfId.set(a.id, [c, own.length]);
      own.push(a);
    }
    const groups: SharedTarget['groups'] = [];
    for (let gi = 0; gi < snap.groups.length; gi++) {
      const { members, ...meta } = snap.groups[gi]!;
      groups.push(meta);
      for (let j = 0; j < members.length; j++) {
        const owner = ownerOfId.get(members[j]!);
        if (owner) (owner[0].memberOf[snap.target] ??= []).push(gi, j, owner[1]);
      }
    }
    targets.push({ target: snap.target, groups, containers: [...snap.containers] });
    Object.assign(removeOrder, removePositions(snap, output.plan.changes));
  }
  return { base: { plan: output.plan, shared: { roster: rosterShared, state: stateShared, targets, managed: { ...output.managed }, desired: output.desired, removeOrder } }, capsules };
}

/**
 * For each of the target's remove changes of managed members, each member's place in the group
 * (the first of their accounts in its member list; the diff sees the last group of a name).
 * A change some member of which cannot be placed is left out: a changed person's removal then
 * declines to join it.
 */
function removePositions(snap: TargetSnapshot, changes: readonly Change[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  const removes = changes.filter((c) => c.target === snap.target && c.kind === 'membership' && c.action === 'remove' && !c.key.includes('#'));
  if (removes.length === 0) return out;
  const groupAt = new Map(snap.groups.map((g, gi) => [g.name, gi]));
  const anchorOfId = new Map<string, string>();
  for (const a of snap.accounts) if (a.anchor !== null) anchorOfId.set(a.id, a.anchor);
  for (const c of removes) {
    const g = snap.groups[groupAt.get(c.key) ?? -1];
    if (!g) continue;
    const first = new Map<string, number>();
    g.members.forEach((id, j) => {
      const anchor = anchorOfId.get(id);
      if (anchor !== undefined && !first.has(anchor)) first.set(anchor, j);
    });
    const at = (c.members ?? []).map((m) => (m.anchor === undefined ? undefined : first.get(m.anchor)));
    if (at.every((p) => p !== undefined)) out[c.id] = at as number[];
  }
  return out;
}
