import type { TargetSnapshot } from '../model/accounts.js';
import type { Diagnostic } from '../model/diagnostics.js';
import type { Change, CorrelationSummary, PendingDecision, PlanDocument, PlanInputs, SisChanges, StateUpdate } from '../model/plan.js';
import type { Roster } from '../model/people.js';
import type { Policy } from '../model/policy.js';
import type { TargetConstraints } from '../model/provider.js';
import type { StateDocument } from '../model/state.js';
import { resolveIdentities, type Identity } from '../resolve/identities.js';
import { AnchorOrderedMap } from '../resolve/anchor-ordered-map.js';
import { annotateOverrides, applyOverrides } from '../correlate/overrides.js';
import { PlanCorrelation } from '../correlate/plan-hooks.js';
import { createHash } from 'node:crypto';
import { diffTarget, type DesiredGroupCount, type DesiredGroupMeta } from './diff-target.js';
import { sortChanges } from './order.js';
import { evaluateSafety } from './safety.js';
import { snapshotDigest } from './snapshot-digest.js';
import { snapshotFacts } from '../model/snapshot-facts.js';
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
  /** `plan --adopt`: adoption mode for this plan; undefined = the policy's `adoption:` switch. */
  adoption?: boolean | undefined;
  /**
   * Called as each phase ends (prepare, resolve, diff, correlate, order, safety). The core reads no clock: a
   * benchmark passes a callback that does.
   */
  onPhase?: (phase: string) => void;
  /** Groups people outside this roster want, per target (engine/incremental; see DiffInput.alsoDesired). */
  alsoDesired?: Readonly<Record<string, readonly DesiredGroupMeta[]>>;
  /** Report each target's desired groups with member counts (PlanOutput.desired), for a plan base. */
  reportDesired?: boolean;
}

export interface PlanOutput {
  plan: PlanDocument;
  identities: Identity[];
  /** Accounts each target's diff counted as managed: the base of percent limits (engine/incremental reuses it). */
  managed: Record<string, number>;
  /** With reportDesired: each target's desired groups and how many people want each. */
  desired?: Record<string, DesiredGroupCount[]>;
}

export function computePlan(input: PlanInput): PlanOutput {
  // Correlation (engine/correlate) decides which accounts are whose before resolve runs; each
  // target's diff then sees its `prepared` snapshot. Without correlation policy it is a no-op.
  const correlation = new PlanCorrelation(input);
  // Accounts come in anchor order from a refresh: then this stays flat arrays (see AnchorOrderedMap).
  const observedAnchors = new AnchorOrderedMap<{ username: string }>();
  const byTarget = new Map(input.snapshots.map((s) => [s.target, s]));
  const selected = input.policy.targets.map((t) => byTarget.get(t.name)).filter((s) => s !== undefined);
  // Every account's username is never issued again; read only when someone needs a new name
  // (allocation asks), not in a district where everyone has one.
  const taken: Iterable<string> = {
    *[Symbol.iterator]() {
      for (const snap of selected) for (const a of snap.accounts) yield a.username.toLowerCase();
    },
  };
  // The accounts correlation keeps, and those it sets aside: who holds which name.
  const seenAccounts = (visit: (a: { anchor: string | null; username: string }) => void): void => {
    for (const snap of selected) {
      for (const a of correlation.snapshot(snap).accounts) visit(a);
      for (const a of correlation.excludedAccounts(snap.target)) visit(a);
    }
  };
  seenAccounts((a) => {
    if (a.anchor !== null && !observedAnchors.has(a.anchor)) observedAnchors.set(a.anchor, { username: a.username });
  });
  // lower-case username -> anchor ('' unanchored): only username overrides read it.
  const holders = new Map<string, string>();
  if ((input.policy.overrides ?? []).length > 0) {
    seenAccounts((a) => {
      const lower = a.username.toLowerCase();
      if (!holders.has(lower)) holders.set(lower, a.anchor ?? '');
    });
  }

  const phase = input.onPhase ?? ((): void => undefined);
  phase('prepare');
  const resolved = resolveIdentities({
    policy: correlation.resolvePolicy(input.policy),
    roster: input.roster,
    state: input.state,
    now: input.now,
    constraints: input.constraints,
    observedAnchors,
    takenUsernames: taken,
  });
  phase('resolve');

  const overridden = applyOverrides(resolved.identities, input.policy.overrides ?? [], input.now.slice(0, 10), holders);
  let changes: Change[] = [];
  const warnings: Diagnostic[] = [...input.sisWarnings, ...resolved.diagnostics, ...overridden.diagnostics];
  const managed: Record<string, number> = {};
  const targets: PlanDocument['inputs']['targets'] = {};
  const desired: Record<string, DesiredGroupCount[]> = {};
  for (const t of input.policy.targets) {
    const snap = byTarget.get(t.name) ?? { target: t.name, accounts: [], groups: [], containers: [] };
    const diff = diffTarget({ target: t.name, identities: overridden.identities, snapshot: correlation.snapshot(snap), policy: input.policy, lastApplied: input.state.last_applied[t.name] ?? {}, hold: correlation.hold(t.name), alsoDesired: input.alsoDesired?.[t.name], reportDesired: input.reportDesired });
    if (diff.desired) desired[t.name] = diff.desired;
    for (const c of diff.changes) changes.push(c);
    for (const d of diff.diagnostics) warnings.push(d);
    managed[t.name] = diff.managedCount;
    // A snapshot file refresh wrote carries its digest (engine/model/snapshot-facts.ts).
    targets[t.name] = { digest: snapshotFacts(snap)?.digest ?? snapshotDigest(snap), accounts: snap.accounts.length, groups: snap.groups.length };
  }
  phase('diff');
  const adopted = correlation.finish(input.policy, changes, resolved.stateUpdates);
  changes = adopted.changes;
  for (const d of adopted.diagnostics) warnings.push(d);
  annotateOverrides(changes, overridden.applied);
  phase('correlate');
  sortChanges(changes);
  phase('order');

  const safety = evaluateSafety({
    changes,
    policy: input.policy.safety,
    managed,
    sis: {
      mode: input.roster.mode,
      people: input.roster.people.length,
      previousPeople: input.state.sis?.people ?? null,
      eligible: resolved.sisEligible,
      // State written before rollcall recorded the eligible count: only people are compared.
      previousEligible: input.state.sis?.eligible ?? null,
    },
  });

  const plan = assemblePlan({
    now: input.now,
    policyDigest: input.policyDigest,
    policyCommit: input.policyCommit,
    sisDigest: input.sisDigest,
    sisPeople: input.roster.people.length,
    sisEligible: resolved.sisEligible,
    sisChanges: resolved.sisChanges,
    stateLineage: input.state.lineage,
    stateSerial: input.state.serial,
    targets,
    changes,
    stateUpdates: adopted.stateUpdates,
    decisions: [...resolved.decisions, ...adopted.decisions],
    safety,
    warnings: warnings.map(stripUndefined),
    correlation: adopted.summary ?? undefined,
  });
  phase('safety');
  return { plan, identities: overridden.identities, managed, ...(input.reportDesired ? { desired } : {}) };
}

/** What a plan document holds, as the core works it out (the summary follows from the changes). */
export interface PlanParts {
  now: string;
  policyDigest: string;
  policyCommit: string | null;
  sisDigest: string;
  sisPeople: number;
  sisEligible: number;
  sisChanges: SisChanges;
  stateLineage: string;
  stateSerial: number;
  targets: PlanInputs['targets'];
  changes: Change[];
  stateUpdates: StateUpdate[];
  decisions: PendingDecision[];
  safety: PlanDocument['safety'];
  warnings: Diagnostic[];
  correlation: CorrelationSummary | undefined;
}

/**
 * The plan document laid out key for key as every plan is (its JSON and digest depend on the
 * order): the full plan and the incremental one (engine/incremental) both come through here.
 */
export function assemblePlan(p: PlanParts): PlanDocument {
  return withLazyDigest({
    format_version: 1,
    created_at: p.now,
    inputs: {
      now: p.now,
      policy_digest: p.policyDigest,
      policy_commit: p.policyCommit,
      sis_digest: p.sisDigest,
      sis_people: p.sisPeople,
      sis_eligible: p.sisEligible,
      sis_changes: p.sisChanges,
      state_lineage: p.stateLineage,
      state_serial: p.stateSerial,
      targets: p.targets,
    },
    summary: summarize(p.changes),
    changes: p.changes,
    state_updates: p.stateUpdates,
    decisions: p.decisions,
    safety: p.safety,
    warnings: p.warnings,
    ...(p.correlation ? { correlation: p.correlation } : {}),
  });
}

/**
 * Hashing a district-sized plan (a 100k-person first plan is ~160 MB of JSON) costs seconds;
 * a plan only shown as text never needs it. The digest is an enumerable getter computed on
 * first use, so JSON output, saved plans and apply see it exactly as a plain field.
 */
function withLazyDigest(body: Omit<PlanDocument, 'digest'>): PlanDocument {
  let cached: string | undefined;
  const plan = { ...body } as PlanDocument;
  Object.defineProperty(plan, 'digest', {
    enumerable: true,
    configurable: true,
    get: () => (cached ??= planDigest(body)),
  });
  return plan;
}

/**
 * The digest apply checks: over every field but `digest` itself, hashed piecewise (a plan
 * can hold millions of changes; one giant string would not fit in V8). Key order is the
 * order rollcall writes, which JSON.parse preserves, so a saved plan re-hashes to the
 * same value; any edit, even a re-serialization with sorted keys, is caught.
 */
export function planDigest(body: Omit<PlanDocument, 'digest'> | PlanDocument): string {
  const h = createHash('sha256');
  const { digest: _ignored, changes, state_updates, warnings, ...rest } = body as PlanDocument;
  h.update(JSON.stringify(rest));
  for (const c of changes) h.update('\nC' + JSON.stringify(c));
  for (const u of state_updates) h.update('\nU' + JSON.stringify(u));
  for (const w of warnings) h.update('\nW' + JSON.stringify(w));
  return h.digest('hex');
}

function stripUndefined(d: Diagnostic): Diagnostic {
  return JSON.parse(JSON.stringify(d)) as Diagnostic;
}
