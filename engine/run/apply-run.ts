import { randomUUID } from 'node:crypto';
import type { Change, MemberRef, PlanDocument } from '../model/plan.js';
import { RefusedError } from '../model/errors.js';
import type { ApplySecrets, ChangeOutcome, TargetProvider } from '../model/provider.js';
import type { JournalEntry } from '../model/state.js';
import { planDigest } from '../plan/build-plan.js';
import { snapshotDigest } from '../plan/snapshot-digest.js';
import { closeAll, loadPolicyInput, openProviders, openState, type RunOptions } from './inputs.js';
import { initialPasswordFor, type CredentialSink } from './passwords.js';
import { addDays } from '../resolve/school-year.js';
import { recordOutcome, recordStateUpdate, sisSnapshotOf } from './record.js';
import { foldJournal, unfoldedJournal } from './recover.js';
import { redactForJournal } from './redact.js';

/**
 * `rollcall apply PLAN`: carry out exactly the saved plan, or refuse it. Refusals happen
 * before anything is written: a plan edited by hand, a stale plan (policy, state serial or
 * target contents moved on), or a halted plan without an override naming each violation.
 */

export interface ApplyOptions extends RunOptions {
  plan: PlanDocument;
  /** Safety violation ids the operator accepts (`--accept disable.percent`). */
  accept: readonly string[];
  /** Time recorded in state and the journal (read by the CLI, not the core). */
  now: () => string;
  actor: string;
  lockTimeoutMs: number;
  credentials?: CredentialSink;
  onProgress?: (done: number, total: number) => void;
}

export interface ApplyReport {
  applied: number;
  already: number;
  failed: { id: string; error: string }[];
  skipped: { id: string; reason: string }[];
  serial: number;
  /** Stored initial passwords purged for age (passwords.keepDays). */
  purgedCredentials: number;
  /** Why the purge could not run (the store is unreadable with this key); never a secret. */
  purgeProblem?: string;
}

/** Journal intents are written for a batch before it runs, results after. */
const BATCH = 200;

/**
 * Run a batch with up to `limit(change)` changes in flight per target, never starting a
 * change before the changes it depends on have finished. Returns results in batch order.
 */
async function runConcurrently<R>(batch: readonly Change[], limit: (c: Change) => number, run: (c: Change) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(batch.length);
  const done = new Map<string, Promise<void>>();
  const inFlight = new Map<string, Set<Promise<void>>>();
  const kindOf = new Map<string, string>();
  for (let i = 0; i < batch.length; i++) {
    const change = batch[i]!;
    const deps = (change.depends_on ?? []).map((d) => done.get(d)).filter((p): p is Promise<void> => p !== undefined);
    const running = inFlight.get(change.target) ?? new Set<Promise<void>>();
    inFlight.set(change.target, running);
    // Kinds run in phases per target: every account exists before memberships start.
    if (kindOf.get(change.target) !== change.kind) {
      await Promise.all([...running]);
      kindOf.set(change.target, change.kind);
    }
    while (running.size >= Math.max(1, limit(change))) await Promise.race(running);
    const task = (async () => {
      if (deps.length > 0) await Promise.all(deps);
      results[i] = await run(change);
    })();
    const tracked = task.finally(() => running.delete(tracked));
    running.add(tracked);
    done.set(change.id, tracked);
  }
  await Promise.all([...inFlight.values()].flatMap((s) => [...s]));
  return results;
}

/**
 * A planned membership change names many members. Providers with `applyMembers` take it
 * whole (and batch); for the others apply expands it into one change per member (the shape
 * they verify anchors on), with the provider's concurrency.
 */
export async function applyMembers(provider: TargetProvider, change: Change): Promise<{ applied: number; already: number; failed: { id: string; error: string }[] }> {
  const members = change.members ?? [];
  const spec = change.action === 'add' ? change.after : change.before;
  const group = typeof spec?.group === 'string' ? spec.group : change.key;
  const result = { applied: 0, already: 0, failed: [] as { id: string; error: string }[] };
  if (provider.applyMembers) {
    // The provider batches values itself (LDAP: hundreds of members per modify).
    let outcomes: { member: MemberRef; outcome: ChangeOutcome }[];
    try {
      outcomes = await provider.applyMembers(change);
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      outcomes = members.map((member) => ({ member, outcome: { status: 'failed', error, terminal: false } }));
    }
    for (const { member, outcome } of outcomes) {
      if (outcome.status === 'applied') result.applied++;
      else if (outcome.status === 'already') result.already++;
      else result.failed.push({ id: `${change.id}#${member.anchor ?? members.indexOf(member)}`, error: outcome.error });
    }
    return result;
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < members.length) {
      const i = next++;
      const m = members[i]!;
      const memberKey = `${group}|${m.anchor ?? m.username}`;
      const one: Change = {
        id: `${change.target}:membership:${memberKey}:${change.action}`, target: change.target, kind: 'membership', action: change.action,
        ...(m.anchor ? { anchor: m.anchor } : {}), key: memberKey,
        ...(change.object_id ? { object_id: change.object_id } : {}),
        ...(change.action === 'add' ? { after: { group, member: m.username } } : { before: { group, member: m.username } }),
        reason: change.reason,
      };
      let outcome: ChangeOutcome;
      try {
        outcome = await provider.apply(one, {});
      } catch (e) {
        outcome = { status: 'failed', error: e instanceof Error ? e.message : String(e), terminal: false };
      }
      if (outcome.status === 'applied') result.applied++;
      else if (outcome.status === 'already') result.already++;
      else result.failed.push({ id: `${change.id}#${m.anchor ?? i}`, error: outcome.error });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(provider.concurrency ?? 1, members.length)) }, worker));
  return result;
}

export function verifyPlanIntegrity(plan: PlanDocument): void {
  if (plan.format_version !== 1) throw new RefusedError('plan.format', `unsupported plan format_version ${String(plan.format_version)}`);
  if (planDigest(plan) !== plan.digest) {
    throw new RefusedError('plan.tampered', 'the plan file does not match its digest: it was edited after it was made. Make a new plan with `rollcall plan --out FILE`.');
  }
}

export function checkSafetyAccepted(plan: PlanDocument, accept: readonly string[]): void {
  if (!plan.safety.halted) return;
  const missing = plan.safety.violations.filter((v) => !accept.includes(v.id));
  if (missing.length > 0) {
    throw new RefusedError('plan.halted', `the plan is halted by safety limits; nothing was applied.\n${missing.map((v) => `  - ${v.id}: ${v.detail}`).join('\n')}\nReview the plan; to accept, pass ${missing.map((v) => `--accept ${v.id}`).join(' ')}`);
  }
}

export async function runApply(opts: ApplyOptions): Promise<ApplyReport> {
  const { plan } = opts;
  verifyPlanIntegrity(plan);
  checkSafetyAccepted(plan, opts.accept);
  // The plan's own targets, whatever --target or enabled: say now.
  const loaded = await loadPolicyInput({ ...opts, targets: Object.keys(plan.inputs.targets) });
  if (loaded.digest !== plan.inputs.policy_digest) {
    throw new RefusedError('plan.stale-policy', 'the policy changed since this plan was made; nothing was applied. Make a new plan.');
  }
  const backend = openState(loaded, opts);
  let providers: Map<string, TargetProvider> | null = null;
  const lock = await backend.lock('apply', opts.lockTimeoutMs).catch(async (e: unknown) => {
    await backend.close();
    throw e;
  });
  try {
    // Read whole and fully checked, never deferred (StateReadOptions.deferMaps): this
    // state is written back, and a corrupt entry anywhere must stop the apply here, before
    // any target is changed.
    const state = await backend.read();
    if (state.lineage !== plan.inputs.state_lineage || state.serial !== plan.inputs.state_serial) {
      throw new RefusedError('plan.stale-state', `state moved on since this plan was made (plan serial ${plan.inputs.state_serial}, state serial ${state.serial}); nothing was applied. Make a new plan.`);
    }
    // An earlier apply killed before it wrote state left results in the journal: fold them in.
    const recovery = foldJournal(state, await unfoldedJournal(backend, state));
    const resuming = recovery.interruptedPlans.has(plan.digest);
    if (recovery.pending.length > 0) {
      opts.log?.(`recovered ${recovery.folded} applied change(s) from an interrupted apply${resuming ? '; resuming this plan' : ''}`);
    }
    providers = await openProviders(loaded, opts);
    for (const [name, p] of providers) {
      const expected = plan.inputs.targets[name];
      const snap = await p.read();
      // Resuming the same interrupted plan: the target moved because of that plan's own
      // partial apply; every change is idempotent by anchor, so re-running converges.
      if (!resuming && (!expected || snapshotDigest(snap) !== expected.digest)) {
        throw new RefusedError('plan.stale-target', `target ${name} changed since this plan was made; nothing was applied. Make a new plan.`);
      }
    }
    // A first apply names the state's lineage; plans made before it carry the empty one.
    if (!state.lineage) state.lineage = randomUUID();

    const report: ApplyReport = { applied: 0, already: 0, failed: [], skipped: [], serial: state.serial, purgedCredentials: 0 };
    const failedIds = new Set<string>();
    const failedAnchors = new Set<string>();
    // One initial password per person and rule in an apply: a student created in AD and in
    // Google at once learns one password (the teacher's sheet shows one), as districts that
    // sync passwords between directories expect.
    const issuedSecrets = new Map<string, ApplySecrets>();
    const secretsFor = (change: Change): ApplySecrets => {
      if (change.kind !== 'account' || change.action !== 'create') return {};
      if (!change.anchor) return initialPasswordFor(change, loaded.policy);
      const key = `${change.anchor}\u0000${change.password_rule ?? ''}`;
      let s = issuedSecrets.get(key);
      if (!s) {
        s = initialPasswordFor(change, loaded.policy);
        issuedSecrets.set(key, s);
      }
      return s;
    };
    let seq = recovery.lastSeq;
    const base = { plan_digest: plan.digest, policy_commit: plan.inputs.policy_commit, actor: opts.actor };
    const entry = (c: Change, outcome: JournalEntry['outcome'], at: string, error?: string): JournalEntry => ({
      seq: ++seq, at, ...base, change_id: c.id, target: c.target, action: c.action,
      ...(c.anchor ? { anchor: c.anchor } : {}), ...(c.reason.rule ? { rule: c.reason.rule } : {}), cause: c.reason.cause,
      outcome, ...(error ? { error } : {}), ...redactForJournal(c),
    });

    const total = plan.summary.total;
    const runOne = async (change: Change): Promise<JournalEntry | null> => {
      const blocked = change.depends_on?.find((d) => failedIds.has(d));
      if (blocked) {
        failedIds.add(change.id);
        report.skipped.push({ id: change.id, reason: `depends on ${blocked}, which failed` });
        return null;
      }
      const provider = providers!.get(change.target);
      let outcome: ChangeOutcome;
      if (!provider) outcome = { status: 'failed', error: `no provider for target ${change.target}`, terminal: true };
      else if (change.kind === 'membership' && change.members) {
        const r = await applyMembers(provider, change);
        report.applied += r.applied;
        report.already += r.already;
        for (const f of r.failed) report.failed.push(f);
        // Members were counted one by one above; the group change itself is not counted again.
        const at = opts.now();
        opts.onProgress?.(report.applied + report.already + report.failed.length + report.skipped.length, total);
        if (r.failed.length === 0) return entry(change, 'applied', at);
        failedIds.add(change.id);
        return entry(change, 'failed', at, `${r.failed.length} of ${change.members.length} member(s) failed`);
      } else {
        const secrets = secretsFor(change);
        try {
          outcome = await provider.apply(change, secrets);
        } catch (e) {
          outcome = { status: 'failed', error: e instanceof Error ? e.message : String(e), terminal: false };
        }
        if (secrets.initialPassword && outcome.status === 'applied' && opts.credentials && change.anchor) {
          await opts.credentials.record(change, secrets.initialPassword);
        }
      }
      const at = opts.now();
      recordOutcome(state, change, outcome, at);
      let result: JournalEntry;
      if (outcome.status === 'failed') {
        failedIds.add(change.id);
        if (change.anchor) failedAnchors.add(change.anchor);
        report.failed.push({ id: change.id, error: outcome.error });
        result = entry(change, 'failed', at, outcome.error);
      } else {
        if (outcome.status === 'applied') report.applied++;
        else report.already++;
        result = entry(change, 'applied', at);
      }
      opts.onProgress?.(report.applied + report.already + report.failed.length + report.skipped.length, total);
      return result;
    };

    for (let i = 0; i < plan.changes.length; i += BATCH) {
      const batch = plan.changes.slice(i, i + BATCH);
      await backend.appendJournal(batch.map((c) => entry(c, 'intent', opts.now())), lock);
      const results = await runConcurrently(batch, (c) => providers!.get(c.target)?.concurrency ?? 1, runOne);
      // Results are journaled in plan order whatever order they finished in.
      await backend.appendJournal(results.filter((r): r is JournalEntry => r !== null), lock);
    }

    for (const u of plan.state_updates) {
      if (failedAnchors.has(u.anchor) && u.field !== 'facts') continue;
      recordStateUpdate(state, u);
    }
    const now = opts.now();
    state.sis = sisSnapshotOf(plan, now);
    state.journal_seq = seq;
    const expected = state.serial;
    state.serial = expected + 1;
    await backend.write(state, expected, lock);
    report.serial = state.serial;
    // Initial passwords are kept only as long as sheets are printed (passwords.keepDays).
    // Everything is applied and recorded by now: a store that cannot be purged is reported, not fatal.
    if (opts.credentials?.purgeBefore) {
      try {
        report.purgedCredentials = opts.credentials.purgeBefore(addDays(now.slice(0, 10), -loaded.policy.passwords.keepDays));
      } catch (e) {
        report.purgeProblem = e instanceof Error ? e.message : String(e);
      }
    }
    return report;
  } finally {
    if (providers) await closeAll(providers);
    await lock.release();
    await backend.close();
  }
}
