import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** The time every bench plans for (the generated districts' school year). */
export const BENCH_NOW = '2026-10-01T12:00:00.000Z';

/**
 * A million people need more than Node's default heap; the RSS column shows what is used. The
 * generation sizes are bin/run.js's, so the bench plans as `rollcall plan` does.
 */
export const HEAP = ['--max-old-space-size=12000', '--max-semi-space-size=64', '--initial-old-space-size=1024'];

/**
 * wallMs: the whole process, from spawn to exit, as a person running `rollcall plan` waits
 * for it (Node's start, loading the modules, the plan, exit). plan-once's own figure starts
 * after its imports and is kept as innerMs: 0.2-0.3 s less on this machine.
 */
export interface PlanProcessResult {
  wallMs: number;
  innerMs: number;
  maxRssMb: number;
  phases: Record<string, number>;
  changes: number;
  people: number;
  /** Against a snapshot: whether the plan came from the plan base refresh wrote, and how many people it re-planned... */
  fromBase?: boolean;
  rePlanned?: number;
  /** ...or why it planned in full. */
  fullBecause?: string;
}

/** One plan in a fresh process of the build at `root` (its dist/bench/plan-once.js); `planBase: false` plans in full, as `--no-plan-base`. */
export function planProcess(root: string, dir: string, snapshot?: string, planBase = true): PlanProcessResult {
  return timedProcess(join(root, 'dist/bench/plan-once.js'), [dir, BENCH_NOW, ...(snapshot ? [snapshot] : [])], planBase ? {} : { ROLLCALL_BENCH_PLAN_BASE: '0' });
}

/** One pull-request plan (`plan --base`) in a fresh process of the build at `root` (its dist/bench/plan-base-once.js). */
export function planBaseProcess(root: string, dir: string, snapshot: string, base: string): PlanProcessResult {
  return timedProcess(join(root, 'dist/bench/plan-base-once.js'), [dir, BENCH_NOW, snapshot, base]);
}

/** A bench script in a fresh process, timed from spawn to exit; its last stdout line is its JSON report. */
function timedProcess(script: string, args: string[], env: Record<string, string> = {}): PlanProcessResult {
  const t0 = performance.now();
  const out = execFileSync(process.execPath, [...HEAP, script, ...args], { encoding: 'utf8', maxBuffer: 1 << 24, env: { ...process.env, ...env } });
  const wallMs = Math.round(performance.now() - t0);
  const inner = JSON.parse(out.trim().split('\n').pop()!) as Omit<PlanProcessResult, 'innerMs'>;
  return { ...inner, wallMs, innerMs: inner.wallMs };
}
