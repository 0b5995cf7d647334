import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PlanInput, PlanOutput } from '../engine/plan/build-plan.js';
import { BENCH_NOW, planProcess } from './plan-process.js';

/**
 * Interleaved A/B of two builds on the same inputs: the only fair comparison on a machine
 * whose speed drifts by tens of percent within an hour. Each build is a checkout with its own
 * `dist/` (`npm run build`, not `tsc` alone: the build also precompiles the validators).
 *
 *   git worktree add --detach ../base <rev> && ln -s "$PWD/node_modules" ../base/node_modules
 *   (cd ../base && npm run build)
 *   node dist/bench/ab.js --builds ../base,. --repo bench/out/bench-50k/repo [--snapshot FILE] [--runs 12] [--mode core|plan]
 *
 * --mode core (default): one process reads the inputs once (with the last build's readers)
 *   and runs each build's `computePlan` in turn, a collection before each: resolve and diff
 *   alone, without start-up and reads.
 * --mode plan: each run is a fresh process of the build's `dist/bench/plan-once.js`, builds
 *   alternating: whole plans with reads and peak RSS, as `npm run bench` measures them, in
 *   full (never from the plan base: each build trusts only a base it wrote).
 * --snapshot defaults to the repo's `.rollcall/snapshot.jsonl` when it exists.
 *
 * Prints every run as it ends, then per build the median of each phase and of the total.
 */

const args = process.argv.slice(2);
const arg = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
};
const builds = arg('builds', '').split(',').filter(Boolean).map((b) => resolve(b));
const repo = resolve(arg('repo', ''));
const runs = Number(arg('runs', '8'));
const mode = arg('mode', 'core');
const NOW = BENCH_NOW;
const defaultSnapshot = join(repo, '.rollcall/snapshot.jsonl');
const snapshotFile = arg('snapshot', existsSync(defaultSnapshot) ? defaultSnapshot : '');

if (builds.length < 2 || !existsSync(repo) || (mode !== 'core' && mode !== 'plan')) {
  process.stderr.write('usage: node dist/bench/ab.js --builds A,B[,...] --repo DIR [--snapshot FILE] [--runs N] [--mode core|plan]\n');
  process.exit(2);
}
for (const b of builds) {
  if (!existsSync(join(b, 'dist/engine/plan/build-plan.js'))) {
    process.stderr.write(`${b} has no dist/: run npm run build there first\n`);
    process.exit(2);
  }
}

type Times = Record<string, number>;
const results = new Map<string, Times[]>(builds.map((b) => [b, []]));

function record(build: string, t: Times): void {
  results.get(build)!.push(t);
  process.stdout.write(`${build}  ${Object.entries(t).map(([k, v]) => `${k} ${v}`).join('  ')}\n`);
}

const distModule = async <T>(build: string, path: string): Promise<T> => (await import(pathToFileURL(join(build, 'dist', path)).href)) as T;

if (mode === 'core') {
  type Inputs = typeof import('../engine/run/inputs.js');
  type SnapshotFile = typeof import('../engine/run/snapshot-file.js');
  type ComputePlan = (input: PlanInput) => PlanOutput;
  const reader = builds[builds.length - 1]!;
  const inputs = await distModule<Inputs>(reader, 'engine/run/inputs.js');
  const opts = { dir: repo, now: NOW };
  const loaded = await inputs.loadPolicyInput(opts);
  const backend = inputs.openState(loaded, opts);
  const state = await backend.read();
  await backend.close();
  const sis = await inputs.readSis(loaded, opts, {});
  const snapshots = snapshotFile ? (await (await distModule<SnapshotFile>(reader, 'engine/run/snapshot-file.js')).readSnapshotFile(snapshotFile)).snapshots : await inputs.readTargets(loaded, opts);
  const engines = await Promise.all(builds.map(async (b) => (await distModule<{ computePlan: ComputePlan }>(b, 'engine/plan/build-plan.js')).computePlan));
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) process.stderr.write('note: run node with --expose-gc so each run starts from a collected heap\n');
  for (let r = 0; r < runs; r++) {
    builds.forEach((build, e) => {
      gc?.();
      const t: Times = {};
      let last = performance.now();
      const t0 = last;
      engines[e]!({
        policy: loaded.policy, policyDigest: loaded.digest, policyCommit: loaded.commit, roster: sis.roster, sisDigest: sis.digest, sisWarnings: sis.warnings,
        state, snapshots, constraints: inputs.targetConstraints(loaded.policy, loaded.allTargets), now: NOW,
        onPhase: (p) => {
          const now = performance.now();
          t[p] = Math.round(now - last);
          last = now;
        },
      });
      t.total = Math.round(performance.now() - t0);
      record(build, t);
    });
  }
} else {
  for (let r = 0; r < runs; r++) {
    for (const build of builds) {
      // In full: a plan base is one build's (keyed by its build id), so builds would not compare alike.
      const run = planProcess(build, repo, snapshotFile || undefined, false);
      // wall: the whole process, spawn to exit; inner: plan-once's own figure, after its imports.
      record(build, { ...run.phases, inner: run.innerMs, wall: run.wallMs, rssMb: run.maxRssMb });
    }
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
process.stdout.write(`\nmedians of ${runs} (${mode}):\n`);
for (const [build, list] of results) {
  const keys = Object.keys(list[0] ?? {}).filter((k) => list.some((t) => t[k]! > 0));
  process.stdout.write(`${build}  ${keys.map((k) => `${k} ${median(list.map((t) => t[k] ?? 0))}`).join('  ')}\n`);
}
