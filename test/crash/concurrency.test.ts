import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateDocument } from '../../engine/model/state.js';
import { postgresStateBackend } from '../../engine/state/postgres.js';
import {
  BIN, checkConverged, cloneTemplate, describeTrial, makeTemplate, requireBuilt, runTrial, trialSpecs, type CliResult, type StoreReader, type Template,
} from '../../bench/crash-soak.js';
import { startPostgres, type PostgresServer } from '../servers/postgres.js';

/**
 * Two `rollcall apply` processes of the same plan started at once, against the local and the
 * postgres state backends: exactly one proceeds; the other is refused (exit 1) naming the lock
 * holder and since when, or with --lock-timeout waits and is then refused because the state
 * serial moved on. Plus: a lock left by a SIGKILLed apply is broken and reported.
 */

interface Run extends CliResult {
  pid: number;
  endedAt: number;
}

function startApply(dir: string, plan: string, env: NodeJS.ProcessEnv, extra: string[] = []): Promise<Run> {
  return new Promise((res, rej) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, 'apply', plan, '--auto-approve', '--dir', dir, ...extra], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', rej);
    child.on('close', (code, signal) => res({ code, signal, stdout, stderr, ms: Math.round(performance.now() - started), pid: child.pid ?? -1, endedAt: Date.now() }));
  });
}

/** Start two applies of the same plan at the same moment; returns [winner, loser]. */
async function race(dir: string, env: NodeJS.ProcessEnv, extra: string[] = []): Promise<[Run, Run]> {
  const plan = join(dir, 'plan.json');
  const runs = await Promise.all([startApply(dir, plan, env, extra), startApply(dir, plan, env, extra)]);
  const winners = runs.filter((r) => r.code === 0);
  expect(winners.length, runs.map((r) => `pid ${r.pid} exit ${r.code}: ${r.stdout}${r.stderr}`).join('\n')).toBe(1);
  const winner = winners[0]!;
  const loser = runs.find((r) => r !== winner)!;
  expect(winner.stdout).toMatch(/Apply complete: \d+ applied, 0 already in effect, 0 failed/);
  expect(loser.code).toBe(1);
  expect(loser.stdout).not.toMatch(/Apply complete/);
  console.info(`winner pid ${winner.pid} (${winner.ms} ms); loser pid ${loser.pid} exit 1 after ${loser.ms} ms: ${loser.stderr.trim().split('\n').pop() ?? ''}`);
  return [winner, loser];
}

/** The refusal names the winner (`user@host pid N`, or the CI actor `... on host pid N`) and since when. */
function expectLockedBy(loser: Run, winner: Run, t0: number): void {
  const m = /is locked by (.+? pid (\d+)) since (\S+) \(operation: apply, lock id ([0-9a-f-]+)\)/.exec(loser.stderr);
  expect(m, loser.stderr).not.toBeNull();
  expect(Number(m![2])).toBe(winner.pid);
  const since = Date.parse(m![3]!);
  expect(since).toBeGreaterThanOrEqual(t0 - 1000);
  expect(since).toBeLessThanOrEqual(winner.endedAt);
  expect(loser.stderr).toMatch(/--lock-timeout/);
}

function expectWaitedThenStale(winner: Run, loser: Run): void {
  expect(loser.stderr, loser.stderr).toMatch(/state moved on since this plan was made \(plan serial 0, state serial 1\); nothing was applied/);
  // It waited for the winner's lock instead of failing at once.
  expect(loser.endedAt).toBeGreaterThanOrEqual(winner.endedAt);
  expect(loser.stderr).not.toMatch(/is locked by/);
}

describe('two applies at once', () => {
  let work: string;
  let template: Template;

  beforeAll(async () => {
    requireBuilt();
    work = mkdtempSync(join(tmpdir(), 'rollcall-concurrency-'));
    template = await makeTemplate(join(work, 'template'));
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe('local backend', () => {
    it('exactly one proceeds; the other exits 1 naming the holder and since when; the district converges', async () => {
      const dir = join(work, 'local-race');
      cloneTemplate(template, dir);
      const t0 = Date.now();
      const [winner, loser] = await race(dir, {});
      expectLockedBy(loser, winner, t0);
      expect(existsSync(join(dir, '.rollcall', 'state.json.lock'))).toBe(false);
      expect(await checkConverged(dir, template.plan, [template.plan])).toEqual([]);
    }, 120_000);

    it('with --lock-timeout the second waits, then is refused as stale because the serial moved on', async () => {
      const dir = join(work, 'local-wait');
      cloneTemplate(template, dir);
      const [winner, loser] = await race(dir, {}, ['--lock-timeout', '120']);
      expectWaitedThenStale(winner, loser);
      expect(await checkConverged(dir, template.plan, [template.plan])).toEqual([]);
    }, 180_000);
    // A lock left by a SIGKILLed local apply is covered by every trial of apply-crash.test.ts.
  });

  describe('postgres backend', () => {
    let server: PostgresServer;
    let pgTemplate: Template;
    let admin: pg.Client;
    let n = 0;

    /** Each scenario gets its own database; the policy (and so the plan) stays the same. */
    async function freshDatabase(): Promise<string> {
      const name = `rollcall_c${++n}`;
      await admin.query(`CREATE DATABASE ${name}`);
      const url = new URL(server.url);
      url.pathname = `/${name}`;
      return url.toString();
    }

    const pgStore = (url: string): StoreReader => async () => {
      const b = postgresStateBackend({ connectionString: url, schema: 'rollcall' });
      try {
        const state: StateDocument = await b.read();
        return { state: state.serial > 0 ? state : null, journal: await b.readJournal() };
      } finally {
        await b.close();
      }
    };

    beforeAll(async () => {
      server = await startPostgres();
      admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      const url = await freshDatabase();
      const yaml = (y: string) => y.replace(/state:\n {2}backend: local\n {2}path: \.rollcall\/state\.json\n/, 'state:\n  backend: postgres\n  connectionEnv: ROLLCALL_CRASH_PG_URL\n  schema: rollcall\n');
      pgTemplate = await makeTemplate(join(work, 'pg-template'), yaml, { ROLLCALL_CRASH_PG_URL: url });
      expect(readFileSync(join(work, 'pg-template', 'rollcall.yaml'), 'utf8')).toMatch(/backend: postgres/);
    });
    afterAll(async () => {
      await admin?.end();
      await server?.stop();
    });

    it('exactly one proceeds; the other exits 1 naming the holder and since when; the district converges', async () => {
      const url = await freshDatabase();
      const dir = join(work, 'pg-race');
      cloneTemplate(pgTemplate, dir);
      const t0 = Date.now();
      const [winner, loser] = await race(dir, { ROLLCALL_CRASH_PG_URL: url });
      expectLockedBy(loser, winner, t0);
      expect(`${loser.stderr}${loser.stdout}`).not.toContain(server.password);
      expect(await checkConverged(dir, pgTemplate.plan, [pgTemplate.plan], { env: { ROLLCALL_CRASH_PG_URL: url }, store: pgStore(url) })).toEqual([]);
    }, 120_000);

    it('with --lock-timeout the second waits, then is refused as stale because the serial moved on', async () => {
      const url = await freshDatabase();
      const dir = join(work, 'pg-wait');
      cloneTemplate(pgTemplate, dir);
      const [winner, loser] = await race(dir, { ROLLCALL_CRASH_PG_URL: url }, ['--lock-timeout', '120']);
      expectWaitedThenStale(winner, loser);
      expect(await checkConverged(dir, pgTemplate.plan, [pgTemplate.plan], { env: { ROLLCALL_CRASH_PG_URL: url }, store: pgStore(url) })).toEqual([]);
    }, 180_000);

    it('an apply SIGKILLed mid-run: PostgreSQL released its lock, the next apply reports it and resumes to convergence', async () => {
      const url = await freshDatabase();
      const [spec] = trialSpecs(1, 5, pgTemplate.opsLines);
      const r = await runTrial(pgTemplate, join(work, 'pg-crash'), spec!, { env: { ROLLCALL_CRASH_PG_URL: url }, store: pgStore(url) });
      expect(r.problems, describeTrial(r)).toEqual([]);
      expect(r.phase).toBe('mid-apply');
      expect(r.notices.some((x) => /cleared stale lock .* lost its database session, so PostgreSQL released the lock/.test(x)), r.notices.join('\n')).toBe(true);
      expect(r.notices.some((x) => /recovered \d+ applied change\(s\) from an interrupted apply; resuming this plan/.test(x))).toBe(true);
    }, 120_000);
  });
});
