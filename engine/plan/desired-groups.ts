import type { Identity } from '../resolve/identities.js';
import type { GroupIntent } from '../resolve/resolve-cache.js';

/**
 * The groups a target should have and who should be in them, gathered while the diff walks
 * the identities. Memberships are the bulk of a district's plan (a secondary student has ~10;
 * a million people make ~9 million): each one is appended as an (intent, person) pair to two
 * flat integer arrays, and the pairs are bucketed by intent once at the end. That replaces a
 * push into one of hundreds of thousands of growing arrays per membership (a cache miss and
 * a copy each time one grows) with sequential writes.
 */

export interface DesiredGroup {
  name: string;
  description: string;
  rule: string;
  membership: 'authoritative' | 'additive';
  /** Indexes into the identities, ascending (identities arrive sorted by anchor), without duplicates. */
  members: Int32Array | readonly number[];
  /** Two intents (rules) name this group: its rule and description are the first one's met. */
  merged?: true;
}

export class DesiredGroups {
  /** Intents are shared objects (see ResolveCache), so they key a Map by identity... */
  private readonly slot = new Map<GroupIntent, number>();
  /** ...or, when ResolveCache numbered them (`seq`), an array by that number. */
  private readonly slotBySeq: number[] = [];
  private readonly intents: GroupIntent[] = [];
  private group: Int32Array;
  private member: Int32Array;
  private n = 0;

  /**
   * Sized once for every group of every identity the diff may add: growing by doubling
   * allocates buffers outside the V8 heap time and again, and each big one can start a full
   * collection of a heap that is gigabytes at district scale.
   */
  constructor(
    private readonly target: string,
    identities: readonly Identity[],
  ) {
    let capacity = 16;
    for (const idn of identities) capacity += idn.groups.length;
    this.group = new Int32Array(capacity);
    this.member = new Int32Array(capacity);
  }

  /** Person `ix`'s groups in this target; people must come in ascending `ix` order. */
  add(idn: Identity, ix: number): void {
    if (!idn.username) return;
    for (const g of idn.groups) {
      if (g.targets.length > 0 && !g.targets.includes(this.target)) continue;
      const seq = g.seq ?? -1;
      let k = seq >= 0 ? this.slotBySeq[seq] : undefined;
      // The number is trusted only for the very intent it was first seen with (intents of
      // another resolve could carry the same numbers); anything else goes through the Map.
      if (k === undefined || this.intents[k] !== g) {
        k = this.slot.get(g);
        if (k === undefined) {
          k = this.intents.length;
          this.slot.set(g, k);
          this.intents.push(g);
          if (seq >= 0 && this.slotBySeq[seq] === undefined) this.slotBySeq[seq] = k;
        }
      }
      if (this.n === this.group.length) this.grow();
      this.group[this.n] = k;
      this.member[this.n] = ix;
      this.n++;
    }
  }

  private grow(): void {
    const g = new Int32Array(this.group.length * 2);
    g.set(this.group);
    this.group = g;
    const m = new Int32Array(this.member.length * 2);
    m.set(this.member);
    this.member = m;
  }

  /**
   * One group per name, in the order names were first seen. Intents sharing a name (two rules
   * naming one group) are merged, members in anchor order.
   */
  byName(identities: readonly Identity[]): Map<string, DesiredGroup> {
    const perIntent = this.bucket();
    const out = new Map<string, DesiredGroup>();
    for (let k = 0; k < this.intents.length; k++) {
      const g = this.intents[k]!;
      const e: DesiredGroup = { name: g.name, description: g.description, rule: g.rule, membership: g.membership, members: perIntent[k]! };
      const prev = out.get(e.name);
      if (!prev) {
        out.set(e.name, e);
        continue;
      }
      const seen = new Set(prev.members);
      const merged = [...prev.members];
      for (const ix of e.members) if (!seen.has(ix)) merged.push(ix);
      const anchorOf = (ix: number): string => identities[ix]!.anchor;
      merged.sort((x, y) => (anchorOf(x) < anchorOf(y) ? -1 : anchorOf(x) > anchorOf(y) ? 1 : 0));
      out.set(e.name, { ...prev, members: merged, merged: true });
    }
    return out;
  }

  /**
   * Members per intent: a stable counting sort of the pairs by intent, so each intent's people
   * stay in ascending order; a person listed twice for one intent (two sections giving one
   * group) is then adjacent, and kept once.
   */
  private bucket(): Int32Array[] {
    const groups = this.intents.length;
    const start = new Int32Array(groups + 1);
    for (let i = 0; i < this.n; i++) start[this.group[i]! + 1]!++;
    for (let k = 0; k < groups; k++) start[k + 1]! += start[k]!;
    const fill = start.slice(0, groups);
    const flat = new Int32Array(this.n);
    for (let i = 0; i < this.n; i++) flat[fill[this.group[i]!]!++] = this.member[i]!;
    const out: Int32Array[] = new Array<Int32Array>(groups);
    for (let k = 0; k < groups; k++) {
      const from = start[k]!;
      const to = start[k + 1]!;
      let end = from;
      for (let i = from; i < to; i++) {
        const ix = flat[i]!;
        if (end > from && flat[end - 1] === ix) continue;
        flat[end++] = ix;
      }
      out[k] = flat.subarray(from, end);
    }
    return out;
  }
}
