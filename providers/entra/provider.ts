import type { TargetSnapshot } from '../../engine/model/accounts.js';
import { TerminalProviderError } from '../../engine/model/errors.js';
import { KIND_ORDER, type Change } from '../../engine/model/plan.js';
import type { ApplySecrets, ChangeOutcome, TargetProvider } from '../../engine/model/provider.js';
import { BatchRunner, type Op } from './batch.js';
import type { Lookup } from './lookup.js';
import { memberBindOp, prepare, resolveMembership } from './ops.js';
import { fullRead, incrementalRead } from './read.js';
import type { Requester } from './requests.js';
import type { EntraSettings } from './settings.js';

/**
 * The `entra` target. Besides the contract's one-change `apply`, it offers `applyMany` for
 * bulk work: changes go kind by kind (containers, accounts, groups, memberships), anchors are
 * checked 300 to a request, and writes travel 20 to a `$batch`, paced to the write quota.
 */

export type OutcomeListener = (changeId: string, outcome: ChangeOutcome) => void;

export class EntraProvider implements TargetProvider {
  constructor(
    readonly target: string,
    readonly settings: EntraSettings,
    readonly requester: Requester,
    readonly lookup: Lookup,
    readonly runner: BatchRunner,
    private readonly log: (message: string) => void,
  ) {}

  read(): Promise<TargetSnapshot> {
    return fullRead(this.target, this.requester, this.settings, this.lookup.attrs, this.log);
  }

  /** Reads only what changed since `previous.cursor`; a full read when the cursor is refused (410). */
  readIncremental(previous: TargetSnapshot): Promise<TargetSnapshot & { incremental: boolean }> {
    return incrementalRead(this.target, previous, this.requester, this.settings, this.lookup.attrs, this.log);
  }

  async apply(change: Change, secrets: ApplySecrets): Promise<ChangeOutcome> {
    const out = await this.applyMany([change], () => secrets);
    return out.get(change.id) ?? { status: 'failed', error: 'no outcome', terminal: false };
  }

  async applyMany(changes: readonly Change[], secretsFor: (change: Change) => ApplySecrets = () => ({}), onOutcome?: OutcomeListener): Promise<Map<string, ChangeOutcome>> {
    const outcomes = new Map<string, ChangeOutcome>();
    const settle = (id: string, o: ChangeOutcome): void => {
      outcomes.set(id, o);
      onOutcome?.(id, o);
    };
    const failedIds = (): Set<string> => new Set([...outcomes].filter(([, o]) => o.status === 'failed').map(([id]) => id));
    for (const kind of KIND_ORDER) {
      const failed = failedIds();
      const list: Change[] = [];
      for (const c of changes) {
        if (c.kind !== kind) continue;
        const dep = (c.depends_on ?? []).find((d) => failed.has(d));
        if (dep) settle(c.id, { status: 'failed', error: `not applied: change ${dep} it depends on failed`, terminal: false });
        else list.push(c);
      }
      if (list.length === 0) continue;
      if (kind === 'container') {
        // One at a time: several paths can share one administrative unit.
        for (const c of list) await this.runPrepared([c], secretsFor, settle);
        continue;
      }
      const anchors = list.filter((c) => c.anchor).map((c) => c.anchor!);
      if (anchors.length > 1) await this.lookup.prefetchAnchors(anchors, this.runner);
      if (kind === 'membership') await this.runMemberships(list, secretsFor, settle);
      else await this.runPrepared(list, secretsFor, settle);
    }
    return outcomes;
  }

  private async runPrepared(list: Change[], secretsFor: (c: Change) => ApplySecrets, settle: OutcomeListener): Promise<void> {
    const ops: Op[] = [];
    for (const c of list) {
      const r = await this.guard(c, () => prepare(c, secretsFor(c), { s: this.settings, lookup: this.lookup }));
      if ('status' in r) settle(c.id, r);
      else ops.push(r);
    }
    if (ops.length > 0) await this.runner.run(ops, settle);
  }

  /** Adds are grouped per group into PATCHes of up to 20 `members@odata.bind`. */
  private async runMemberships(list: Change[], secretsFor: (c: Change) => ApplySecrets, settle: OutcomeListener): Promise<void> {
    const others: Change[] = [];
    const adds = new Map<string, { changeId: string; userId: string }[]>();
    for (const c of list) {
      if (c.action !== 'add') {
        others.push(c);
        continue;
      }
      const r = await this.guard(c, () => resolveMembership(c, { s: this.settings, lookup: this.lookup }));
      if ('status' in r) settle(c.id, r);
      else adds.set(r.groupId, [...(adds.get(r.groupId) ?? []), { changeId: c.id, userId: r.userId }]);
    }
    const ops: Op[] = [];
    for (const [groupId, members] of adds) {
      for (let i = 0; i < members.length; i += 20) ops.push(memberBindOp(groupId, members.slice(i, i + 20)));
    }
    if (ops.length > 0) await this.runner.run(ops, settle);
    if (others.length > 0) await this.runPrepared(others, secretsFor, settle);
  }

  /** Lookup failures during preparation fail that change, not the whole apply. */
  private async guard<T extends object>(_c: Change, f: () => Promise<T | ChangeOutcome>): Promise<T | ChangeOutcome> {
    try {
      return await f();
    } catch (err) {
      // Refused credentials fail everything: stop the apply rather than fail each change.
      if (err instanceof TerminalProviderError && err.code === 'entra.auth') throw err;
      // Not logged: change ids carry usernames. The outcome carries the reason.
      return { status: 'failed', error: err instanceof Error ? err.message : String(err), terminal: false };
    }
  }

  async close(): Promise<void> {}
}
