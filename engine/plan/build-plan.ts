import type { TargetSnapshot } from '../model/accounts.js';
import type { Diagnostic } from '../model/diagnostics.js';
import type { Change, PlanDocument } from '../model/plan.js';
import type { Roster } from '../model/people.js';
import type { Policy } from '../model/policy.js';
import type { TargetConstraints } from '../model/provider.js';
import type { StateDocument } from '../model/state.js';
import { resolveIdentities, type Identity } from '../resolve/identities.js';
import { digestOf } from './canonical.js';
import { diffTarget } from './diff-target.js';
import { sortChanges } from './order.js';
import { evaluateSafety } from './safety.js';
import { snapshotDigest } from './snapshot-digest.js';
import { summarize } from './summarize.js';

/**
 * The plan algorithm, end to end, with no I/O and no clock: everything it needs is in
 * PlanInput. The same input gives a byte-identical plan (golden tests pin this).
 */

export interface PlanInput {
  policy: Policy;
  policyDigest: string;
  policyCommit: string | null;
  roster: Roster;
  sisDigest: string;
  sisWarnings: readonly Diagnostic[];
  state: StateDocument;
  /** One snapshot per policy target, any order. */
  snapshots: readonly TargetSnapshot[];
  /** The strictest username constraints across all targets. */
  constraints: TargetConstraints;
  /** ISO-8601 time the plan is for (`--now`). */
  now: string;
}

export interface PlanOutput {
  plan: PlanDocument;
  identities: Identity[];
}

export function computePlan(input: PlanInput): PlanOutput {
  const observedAnchors = new Map<string, { username: string }>();
  const taken = new Set<string>();
  const byTarget = new Map(input.snapshots.map((s) => [s.target, s]));
  for (const t of input.policy.targets) {
    const snap = byTarget.get(t.name);
    if (!snap) continue;
    for (const a of snap.accounts) {
      taken.add(a.username.toLowerCase());
      if (a.anchor !== null && !observedAnchors.has(a.anchor)) observedAnchors.set(a.anchor, { username: a.username });
    }
  }

  const resolved = resolveIdentities({
    policy: input.policy,
    roster: input.roster,
    state: input.state,
    now: input.now,
    constraints: input.constraints,
    observedAnchors,
    takenUsernames: taken,
  });

  const changes: Change[] = [];
  const warnings: Diagnostic[] = [...input.sisWarnings, ...resolved.diagnostics];
  const managed: Record<string, number> = {};
  const targets: PlanDocument['inputs']['targets'] = {};
  for (const t of input.policy.targets) {
    const snap = byTarget.get(t.name) ?? { target: t.name, accounts: [], groups: [], containers: [] };
    const diff = diffTarget({ target: t.name, identities: resolved.identities, snapshot: snap, policy: input.policy, lastApplied: input.state.last_applied[t.name] ?? {} });
    changes.push(...diff.changes);
    warnings.push(...diff.diagnostics);
    managed[t.name] = diff.managedCount;
    targets[t.name] = { digest: snapshotDigest(snap), accounts: snap.accounts.length, groups: snap.groups.length };
  }
  sortChanges(changes);

  const safety = evaluateSafety({
    changes,
    policy: input.policy.safety,
    managed,
    sis: { mode: input.roster.mode, people: input.roster.people.length, previousPeople: input.state.sis?.people ?? null },
  });

  const body: Omit<PlanDocument, 'digest'> = {
    format_version: 1,
    created_at: input.now,
    inputs: {
      now: input.now,
      policy_digest: input.policyDigest,
      policy_commit: input.policyCommit,
      sis_digest: input.sisDigest,
      sis_people: input.roster.people.length,
      state_lineage: input.state.lineage,
      state_serial: input.state.serial,
      targets,
    },
    summary: summarize(changes),
    changes,
    state_updates: resolved.stateUpdates,
    decisions: resolved.decisions,
    safety,
    warnings: warnings.map(stripUndefined),
  };
  return { plan: { ...body, digest: planDigest(body) }, identities: resolved.identities };
}

/** The digest apply checks: over every field but `digest` itself. */
export function planDigest(body: Omit<PlanDocument, 'digest'> | PlanDocument): string {
  const { digest: _ignored, ...rest } = body as PlanDocument;
  return digestOf(rest);
}

function stripUndefined(d: Diagnostic): Diagnostic {
  return JSON.parse(JSON.stringify(d)) as Diagnostic;
}
