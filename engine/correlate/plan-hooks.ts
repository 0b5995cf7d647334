import type { ObservedAccount, TargetSnapshot } from '../model/accounts.js';
import type { Diagnostic } from '../model/diagnostics.js';
import type { Change, CorrelationSummary, PendingDecision, StateUpdate } from '../model/plan.js';
import type { Roster } from '../model/people.js';
import type { Policy } from '../model/policy.js';
import type { StateDocument } from '../model/state.js';
import { holdBackForAdoption } from './adoption-mode.js';
import { correlate, correlationActive } from './correlate.js';
import type { TargetCorrelation } from './correlate-target.js';

/**
 * The few points where correlation meets the plan algorithm (engine/plan/build-plan.ts):
 * before resolve (which snapshot each target's diff sees, which people hold an account),
 * during the diff (whose creates wait), and after it (adopt changes, adoption mode, summary).
 * Without adoption, matchers, exclusions or decisions every hook is the identity.
 */

export interface PlanCorrelationInput {
  policy: Policy;
  roster: Roster;
  state: StateDocument;
  snapshots: readonly TargetSnapshot[];
  now: string;
  /** `plan --adopt`; undefined = the policy's `adoption:` switch. */
  adoption?: boolean | undefined;
}

export class PlanCorrelation {
  readonly adoption: boolean;
  private readonly targets: Map<string, TargetCorrelation> | null;

  constructor(input: PlanCorrelationInput) {
    this.adoption = input.adoption ?? input.policy.adoption?.enabled ?? false;
    this.targets = correlationActive(input.policy, this.adoption)
      ? correlate({ policy: input.policy, roster: input.roster, state: input.state, snapshots: input.snapshots, now: input.now, adoption: this.adoption }).targets
      : null;
  }

  /** The snapshot the diff sees for a target: exclusions applied, adopted accounts anchored. */
  snapshot(original: TargetSnapshot): TargetSnapshot {
    return this.targets?.get(original.target)?.prepared ?? original;
  }

  /** Excluded accounts: invisible to the diff, but their anchors still mark people as known. */
  excludedAccounts(target: string): readonly ObservedAccount[] {
    return this.targets?.get(target)?.excluded ?? [];
  }

  /** People whose create waits in this target (ambiguous, or their account is excluded). */
  hold(target: string): ReadonlySet<string> | undefined {
    return this.targets?.get(target)?.hold;
  }

  /**
   * The policy resolve sees. Adopting with `renames: keep` (the default), accounts keep the
   * username they have: a district's first plan must not rename thousands of people.
   */
  resolvePolicy(policy: Policy): Policy {
    if (!this.adoption || (policy.adoption?.renames ?? 'keep') === 'rename' || policy.naming.renames === 'keep') return policy;
    return { ...policy, naming: { ...policy.naming, renames: 'keep' } };
  }

  /** Adds adopt changes (and makes the account's other changes wait for them), applies adoption mode, summarizes. */
  finish(policy: Policy, changes: readonly Change[], stateUpdates: readonly StateUpdate[]): {
    changes: Change[];
    stateUpdates: StateUpdate[];
    decisions: PendingDecision[];
    diagnostics: Diagnostic[];
    summary: CorrelationSummary | null;
  } {
    if (!this.targets) return { changes: [...changes], stateUpdates: [...stateUpdates], decisions: [], diagnostics: [], summary: null };
    const adoptIds = new Map<string, string>();
    const all: Change[] = [];
    for (const tc of this.targets.values()) {
      for (const a of tc.adopts) {
        adoptIds.set(`${a.target}\u0000${a.anchor ?? ''}`, a.id);
        all.push(a);
      }
    }
    for (const c of changes) {
      const dep = c.anchor !== undefined && (c.kind === 'account' || c.kind === 'membership') ? adoptIds.get(`${c.target}\u0000${c.anchor}`) : undefined;
      all.push(dep === undefined ? c : { ...c, depends_on: [...(c.depends_on ?? []), dep] });
    }
    let outChanges = all;
    let outUpdates = [...stateUpdates];
    const held = new Map<string, number>();
    if (this.adoption && !(policy.adoption?.allowDisable ?? false)) {
      const hb = holdBackForAdoption(all, stateUpdates);
      outChanges = hb.changes;
      outUpdates = hb.stateUpdates;
      for (const [t, n] of hb.held) held.set(t, n);
    }
    const summary: CorrelationSummary = { adoption: this.adoption, targets: {} };
    const decisions: PendingDecision[] = [];
    const diagnostics: Diagnostic[] = [];
    for (const [name, tc] of [...this.targets.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      summary.targets[name] = { ...tc.counts, held_changes: held.get(name) ?? 0, orphan_ids: tc.orphanIds };
      decisions.push(...tc.decisions);
      diagnostics.push(...tc.diagnostics);
    }
    return { changes: outChanges, stateUpdates: outUpdates, decisions, diagnostics, summary };
  }
}
