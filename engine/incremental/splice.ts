import type { Change, MemberRef, StateUpdate } from '../model/plan.js';

/**
 * The base plan's changes and state updates with the changed people's part replaced by their
 * new sub-plan's, in the order and shapes the full plan gives them.
 */

/**
 * Where members sit in the group a remove change names: its members are listed in the group's
 * member order, so a changed person's removal joins the others' at their place.
 */
export interface RemoveOrder {
  /** Positions of a base remove change's members (parallel to them), as the base recorded them. */
  base(changeId: string): readonly number[] | undefined;
  /** Position of a changed person's account in the group a fresh remove change names. */
  changed(c: Change, m: MemberRef): number | undefined;
}

/** The base's changes with the changed people's part replaced by `fresh` (theirs alone); a string says why it cannot be. */
export function spliceChanges(base: readonly Change[], old: readonly Change[], fresh: readonly Change[], anchors: ReadonlySet<string>, order: RemoveOrder): Change[] | string {
  const out: Change[] = [];
  const membershipAt = new Map<string, number>();
  // Base remove changes that lost a changed person's member: the others' positions.
  const keptPositions = new Map<string, number[] | undefined>();
  const groupCreates = new Set<string>();
  const containers = new Map<string, string>();
  for (const c of base) {
    if (c.kind === 'account' && c.anchor !== undefined && anchors.has(c.anchor)) continue;
    if (c.kind === 'group' && c.action === 'create') groupCreates.add(c.id);
    if (c.kind === 'container') containers.set(c.id, JSON.stringify(c));
    if (c.kind === 'membership' && c.members && c.members.some((m) => m.anchor !== undefined && anchors.has(m.anchor))) {
      const keep = c.members.map((m) => m.anchor === undefined || !anchors.has(m.anchor));
      const left = c.members.filter((_, i) => keep[i]);
      if (left.length === 0) continue;
      if (c.action === 'remove') keptPositions.set(c.id, order.base(c.id)?.filter((_, i) => keep[i]));
      membershipAt.set(c.id, out.length);
      out.push(withMembers(c, left));
      continue;
    }
    if (c.kind === 'membership') membershipAt.set(c.id, out.length);
    out.push(c);
  }
  // A container is created for the first person (in anchor order) who needs it, with their
  // reason. One the base does not create, nobody else needs: the changed people's version is
  // the district's. One it creates must come out exactly as it is; one only they needed goes
  // (when nothing left waits for it: else someone else needs it, maybe with another reason).
  const freshContainers = new Set<string>();
  for (const c of fresh) {
    if (c.kind !== 'container') continue;
    freshContainers.add(c.id);
    const was = containers.get(c.id);
    if (was === undefined) out.push(c);
    else if (was !== JSON.stringify(c)) return 'a changed person needs a container the base plan creates for someone else first';
  }
  const dropped = new Set(old.filter((c) => c.kind === 'container' && !freshContainers.has(c.id)).map((c) => c.id));
  for (const c of fresh) {
    if (c.kind === 'container') continue;
    if (c.kind === 'account') {
      out.push(c);
      continue;
    }
    if (c.kind === 'group') {
      // Not created by the base: nobody else wants it, and the changed people's version is the district's.
      if (!groupCreates.has(c.id)) out.push(c);
      continue;
    }
    // Membership: merged into the base's change for the same group and action, if any.
    const at = membershipAt.get(c.id);
    if (at === undefined) {
      membershipAt.set(c.id, out.length);
      out.push(c);
      continue;
    }
    const kept = out[at]!;
    if (c.action === 'remove') {
      const merged = mergeRemovals(kept, keptPositions.has(c.id) ? keptPositions.get(c.id) : order.base(c.id), c, order);
      if (merged === undefined) return 'members of a changed person leave a group others leave too, at places the base does not know';
      out[at] = withMembers(kept, merged);
    } else out[at] = withMembers(kept, mergeMembers(kept.members ?? [], c.members ?? []));
  }
  // A group missing from the target is created for the members it gets: one left with none
  // (only the changed people wanted it) is not created by a full plan.
  for (const id of groupCreates) {
    const at = membershipAt.get(id.replace(/:group:(.*):create$/, ':membership:$1:add'));
    if (at === undefined || (out[at]!.members ?? []).length === 0) dropped.add(id);
  }
  if (dropped.size === 0) return out;
  const kept = out.filter((c) => !dropped.has(c.id));
  for (const c of kept) for (const dep of c.depends_on ?? []) if (dropped.has(dep)) return 'a container the changed people no longer need is needed by someone else';
  return kept;
}

/** The change with these members, its detail's count made theirs ("N member(s) ..."). */
function withMembers(c: Change, members: MemberRef[]): Change {
  return { ...c, members, reason: { ...c.reason, detail: c.reason.detail.replace(/^\d+/, String(members.length)) } };
}

/** The others' removed members and the changed people's, in the group's member order; undefined when a place is unknown. */
function mergeRemovals(kept: Change, keptAt: readonly number[] | undefined, fresh: Change, order: RemoveOrder): MemberRef[] | undefined {
  const a = kept.members ?? [];
  const b = fresh.members ?? [];
  const bAt = b.map((m) => order.changed(fresh, m));
  if (keptAt === undefined || keptAt.length !== a.length || bAt.some((p) => p === undefined)) return undefined;
  const out: MemberRef[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && keptAt[i]! < bAt[j]!)) out.push(a[i++]!);
    else if (i < a.length && keptAt[i] === bAt[j]) return undefined;
    else out.push(b[j++]!);
  }
  return out;
}

/** Two member lists of added members, each in anchor order, as one (a desired group lists members in identity order). */
function mergeMembers(a: readonly MemberRef[], b: readonly MemberRef[]): MemberRef[] {
  const out: MemberRef[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]!.anchor! < b[j]!.anchor!)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}

/** State updates of the base (others) and of the changed people, both in anchor order, as one list in anchor order. */
export function mergeByAnchor(a: readonly StateUpdate[], b: readonly StateUpdate[]): StateUpdate[] {
  const out: StateUpdate[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]!.anchor <= b[j]!.anchor)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}
