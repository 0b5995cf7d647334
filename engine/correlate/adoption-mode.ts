import type { Change, StateUpdate } from '../model/plan.js';

/**
 * Adoption mode holds back everything that would take access away from an account that
 * existed before rollcall: disables, deletes, and the lifecycle moves that go with them
 * (to an inactive OU). Their lifecycle timers are not started either, so turning adoption
 * mode off later starts the clock then, not retroactively.
 */

export interface HeldBack {
  changes: Change[];
  stateUpdates: StateUpdate[];
  /** Held changes per target. */
  held: Map<string, number>;
}

export function holdBackForAdoption(changes: readonly Change[], stateUpdates: readonly StateUpdate[]): HeldBack {
  const held = new Map<string, number>();
  const heldAnchors = new Set<string>();
  const kept: Change[] = [];
  for (const c of changes) {
    const takesAccess = c.kind === 'account' && (c.action === 'disable' || c.action === 'delete' || (c.action === 'move' && c.reason.cause === 'lifecycle'));
    if (!takesAccess) {
      kept.push(c);
      continue;
    }
    held.set(c.target, (held.get(c.target) ?? 0) + 1);
    if (c.anchor && c.action !== 'move') heldAnchors.add(c.anchor);
  }
  // Containers created only for held moves would be empty: drop those nothing kept depends on.
  const wantedBefore = dependedOn(changes);
  let out = kept;
  for (;;) {
    const wanted = dependedOn(out);
    const next = out.filter((c) => c.kind !== 'container' || wanted.has(c.id) || !wantedBefore.has(c.id));
    if (next.length === out.length) break;
    out = next;
  }
  const stateOut = stateUpdates.filter((u) => !(heldAnchors.has(u.anchor) && (u.field === 'suspended_at' || u.field === 'delete_after')));
  return { changes: out, stateUpdates: stateOut, held };
}

function dependedOn(changes: readonly Change[]): Set<string> {
  const out = new Set<string>();
  for (const c of changes) for (const d of c.depends_on ?? []) out.add(d);
  return out;
}
