import type { ChangeOutcome } from '../../engine/model/provider.js';
import type { ClientCredentialsAuth } from './auth.js';
import { isRetriableStatus, sleep, type Pacing } from './pacing.js';
import type { Requester } from './requests.js';
import type { Step, StepResult } from './transport.js';

/**
 * Runs operations through JSON `$batch` (at most `maxBatch` <= 20 requests each) with bounded
 * concurrency. An operation is one or more requests that must run in order (chained with
 * `dependsOn`); operations on the same object (`objectKey`) keep their order: in one batch
 * they are chained, across batches the later waits for the earlier.
 *
 * Retries belong here: a 429 (on the batch or on one response inside it) pauses every worker
 * for Retry-After and re-queues the operation; 5xx and dropped connections re-queue with
 * jittered backoff; anything else goes to the operation's `interpret`, which may answer with
 * follow-up operations (e.g. after a benign "already exists" broke a dependsOn chain).
 */

export type OpResult = { outcomes: [string, ChangeOutcome][] } | { retry: Op[] };

export interface Op {
  /** Change ids this operation settles (may be empty for lookups). */
  changeIds: string[];
  steps: Step[];
  objectKey?: string;
  interpret(results: StepResult[]): OpResult | Promise<OpResult>;
  /**
   * Called before an operation is sent again after a transient failure, for writes that are
   * not idempotent (creating a group or AU twice makes two): return a result to settle it
   * without sending (e.g. it turns out to exist), or null to send it as it is.
   */
  refresh?(): Promise<OpResult | null>;
}

interface Queued {
  op: Op;
  seq: number;
  attempts: number;
  notBefore: number;
}

export interface RunnerOptions {
  maxBatch: number;
  concurrency: number;
  maxAttempts: number;
}

export interface RunnerStats {
  batches: number;
  direct: number;
  requeued: number;
}

export class BatchRunner {
  readonly stats: RunnerStats = { batches: 0, direct: 0, requeued: 0 };

  constructor(
    private readonly requester: Requester,
    private readonly auth: ClientCredentialsAuth,
    private readonly pacing: Pacing,
    private readonly opts: RunnerOptions,
  ) {}

  async run(ops: Op[], onOutcome?: (changeId: string, outcome: ChangeOutcome) => void): Promise<Map<string, ChangeOutcome>> {
    const outcomes = new Map<string, ChangeOutcome>();
    const queue: Queued[] = ops.map((op, i) => ({ op, seq: i, attempts: 0, notBefore: 0 }));
    const inFlightKeys = new Map<string, number>();
    let inFlight = 0;
    let aborted: unknown;
    let waiters: (() => void)[] = [];
    const signal = (): void => {
      const w = waiters;
      waiters = [];
      for (const f of w) f();
    };
    const changed = (): Promise<void> => new Promise((r) => waiters.push(r));

    const settle = (id: string, o: ChangeOutcome): void => {
      outcomes.set(id, o);
      onOutcome?.(id, o);
    };
    const insert = (q: Queued): void => {
      let lo = 0;
      let hi = queue.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (queue[mid]!.seq <= q.seq) lo = mid + 1;
        else hi = mid;
      }
      queue.splice(lo, 0, q);
    };
    const requeue = (q: Queued, delayMs: number, why: string, count = true): void => {
      const attempts = q.attempts + (count ? 1 : 0);
      if (attempts >= this.opts.maxAttempts) {
        for (const id of q.op.changeIds) settle(id, { status: 'failed', error: `gave up after ${attempts} attempts: ${why}`, terminal: false });
        return;
      }
      this.stats.requeued++;
      insert({ ...q, attempts, notBefore: Date.now() + delayMs });
    };

    const handle = async (q: Queued, results: StepResult[], crossDep: boolean): Promise<void> => {
      const throttled = results.filter((r) => r.status === 429);
      if (throttled.length > 0) {
        const wait = Math.max(...throttled.map((r) => this.pacing.retryAfterMs(r.headers)));
        this.pacing.pause(wait);
        requeue(q, wait, 'throttled (429)');
        return;
      }
      const transient = results.find((r) => r.status === 0 || (isRetriableStatus(r.status) && r.status !== 429));
      if (transient) {
        requeue(q, this.pacing.backoffMs(q.attempts + 1), `HTTP ${transient.status || 'connection lost'}`);
        return;
      }
      if (results.some((r) => r.status === 401)) {
        this.auth.invalidate();
        requeue(q, 0, 'HTTP 401');
        return;
      }
      if (crossDep && results[0]?.status === 424) {
        // An earlier operation on the same object failed in this batch; try again after it.
        requeue(q, 0, 'dependency failed', false);
        return;
      }
      let res: OpResult;
      try {
        res = await q.op.interpret(results);
      } catch (err) {
        const terminal = (err as { terminal?: boolean }).terminal === true;
        for (const id of q.op.changeIds) settle(id, { status: 'failed', error: err instanceof Error ? err.message : String(err), terminal });
        return;
      }
      if ('retry' in res) {
        if (q.attempts + 1 >= this.opts.maxAttempts) {
          for (const op of res.retry) for (const id of op.changeIds) settle(id, { status: 'failed', error: 'gave up: follow-up requests kept failing', terminal: false });
        } else {
          for (const op of res.retry) insert({ op, seq: q.seq, attempts: q.attempts + 1, notBefore: 0 });
        }
      } else {
        for (const [id, o] of res.outcomes) settle(id, o);
      }
    };

    const pick = (): { batch: Queued[]; wait: number } => {
      const now = Date.now();
      const batch: Queued[] = [];
      const blocked = new Set(inFlightKeys.keys());
      const picked = new Set<string>();
      let steps = 0;
      let wait = Infinity;
      for (let i = 0; i < queue.length && steps < this.opts.maxBatch; i++) {
        const q = queue[i]!;
        const key = q.op.objectKey;
        if (key && blocked.has(key) && !picked.has(key)) continue;
        if (q.notBefore > now || steps + q.op.steps.length > this.opts.maxBatch || (key && blocked.has(key))) {
          if (q.notBefore > now) wait = Math.min(wait, q.notBefore - now);
          if (key) blocked.add(key);
          continue;
        }
        batch.push(q);
        if (key) picked.add(key);
        steps += q.op.steps.length;
      }
      if (batch.length > 0) {
        const chosen = new Set(batch);
        const rest = queue.filter((q) => !chosen.has(q));
        queue.splice(0, queue.length, ...rest);
      }
      return { batch, wait };
    };

    const send = async (picked: Queued[]): Promise<void> => {
      const batch: Queued[] = [];
      for (const q of picked) {
        const refreshed = q.attempts > 0 && q.op.refresh ? await q.op.refresh().catch(() => null) : null;
        if (!refreshed) batch.push(q);
        else if ('retry' in refreshed) for (const op of refreshed.retry) insert({ op, seq: q.seq, attempts: q.attempts, notBefore: 0 });
        else for (const [id, o] of refreshed.outcomes) settle(id, o);
      }
      if (batch.length === 0) return;
      const writes = batch.reduce((n, q) => n + q.op.steps.filter((s) => s.method !== 'GET').length, 0);
      // Pause first, then take write slots: the slots are stamped when taken, so sending must follow at once.
      await this.pacing.waitForPause();
      await this.pacing.acquireWrites(writes);
      if (batch.length === 1 && batch[0]!.op.steps.length === 1) {
        this.stats.direct++;
        const r = await this.requester.once(batch[0]!.op.steps[0]!);
        await handle(batch[0]!, [r], false);
        return;
      }
      this.stats.batches++;
      const requests: Record<string, unknown>[] = [];
      const idsOf = new Map<Queued, string[]>();
      const crossDep = new Set<Queued>();
      const lastIdOfKey = new Map<string, string>();
      let n = 0;
      for (const q of batch) {
        const ids: string[] = [];
        q.op.steps.forEach((s, i) => {
          const id = String(++n);
          const req: Record<string, unknown> = { id, method: s.method, url: s.url };
          const headers: Record<string, string> = { ...(s.headers ?? {}) };
          if (s.body !== undefined) {
            req['body'] = s.body;
            headers['Content-Type'] = 'application/json';
          }
          if (Object.keys(headers).length > 0) req['headers'] = headers;
          const prevKeyStep = i === 0 && q.op.objectKey ? lastIdOfKey.get(q.op.objectKey) : undefined;
          if (i > 0) req['dependsOn'] = [ids[i - 1]!];
          else if (prevKeyStep) {
            req['dependsOn'] = [prevKeyStep];
            crossDep.add(q);
          }
          ids.push(id);
          requests.push(req);
        });
        if (q.op.objectKey) lastIdOfKey.set(q.op.objectKey, ids[ids.length - 1]!);
        idsOf.set(q, ids);
      }
      const sent = Date.now();
      const r = await this.requester.once({ method: 'POST', url: '/$batch', body: { requests } });
      this.pacing.noteLatency(Date.now() - sent);
      if (r.status !== 200) {
        if (r.status === 429) {
          const wait = this.pacing.retryAfterMs(r.headers);
          this.pacing.pause(wait);
          for (const q of batch) requeue(q, wait, 'batch throttled (429)');
        } else if (r.status === 0 || isRetriableStatus(r.status) || r.status === 401) {
          if (r.status === 401) this.auth.invalidate();
          for (const q of batch) requeue(q, this.pacing.backoffMs(q.attempts + 1), `batch HTTP ${r.status || 'connection lost'}`);
        } else {
          const msg = (r.body as { error?: { message?: string } } | undefined)?.error?.message ?? `HTTP ${r.status}`;
          for (const q of batch) for (const id of q.op.changeIds) settle(id, { status: 'failed', error: `batch refused: ${msg}`, terminal: true });
        }
        return;
      }
      const byId = new Map<string, StepResult>();
      for (const resp of ((r.body as { responses?: unknown[] } | undefined)?.responses ?? []) as { id: string; status: number; headers?: Record<string, string>; body?: unknown }[]) {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(resp.headers ?? {})) headers[k.toLowerCase()] = String(v);
        byId.set(String(resp.id), { status: resp.status, headers, body: resp.body });
      }
      for (const q of batch) {
        const results = idsOf.get(q)!.map((id) => byId.get(id) ?? { status: 0, headers: {}, body: undefined });
        await handle(q, results, crossDep.has(q));
      }
    };

    const worker = async (): Promise<void> => {
      for (;;) {
        if (queue.length === 0) {
          if (inFlight === 0) {
            signal();
            return;
          }
          await changed();
          continue;
        }
        await this.pacing.waitForPause();
        const { batch, wait } = pick();
        if (batch.length === 0) {
          await Promise.race([changed(), sleep(Number.isFinite(wait) ? wait : 50)]);
          continue;
        }
        inFlight++;
        for (const q of batch) if (q.op.objectKey) inFlightKeys.set(q.op.objectKey, (inFlightKeys.get(q.op.objectKey) ?? 0) + 1);
        try {
          await send(batch);
        } catch (err) {
          // Terminal for the whole run (e.g. the token endpoint refuses us): stop every worker.
          aborted ??= err;
          queue.splice(0, queue.length);
        } finally {
          inFlight--;
          for (const q of batch) {
            const k = q.op.objectKey;
            if (!k) continue;
            const c = (inFlightKeys.get(k) ?? 1) - 1;
            if (c <= 0) inFlightKeys.delete(k);
            else inFlightKeys.set(k, c);
          }
          signal();
        }
      }
    };
    await Promise.all(Array.from({ length: this.opts.concurrency }, worker));
    if (aborted !== undefined) throw aborted;
    return outcomes;
  }
}
