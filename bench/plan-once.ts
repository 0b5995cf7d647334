import { runPlan } from '../engine/run/plan-run.js';
import { renderPlan } from '../cli/output.js';

/**
 * One plan in a fresh process, for the harness, the way `rollcall plan` runs it: read the
 * inputs, compute, render the text plan (discarded). With a snapshot file it plans against
 * that snapshot, as `plan --refresh=false`, starting from the plan base refresh wrote when it
 * applies (and in full otherwise), as the CLI does; ROLLCALL_BENCH_PLAN_BASE=0 plans in full,
 * as `--no-plan-base`. Prints one JSON line with wall milliseconds per phase and peak RSS.
 * Run as `node dist/bench/plan-once.js DIR NOW [SNAPSHOT]`.
 */
const [dir, now = '2026-10-01T12:00:00.000Z', snapshotFile] = process.argv.slice(2);
if (!dir) throw new Error('usage: plan-once DIR [NOW] [SNAPSHOT]');
const t0 = performance.now();
const phases: Record<string, number> = {};
// As the CLI does, imported only when a plan may come from the base.
const fromBase = snapshotFile && process.env.ROLLCALL_BENCH_PLAN_BASE !== '0' ? await (await import('../engine/run/plan-from-base.js')).planFromBase({ dir, now, snapshotFile }) : undefined;
if (fromBase) phases.base = Math.round(performance.now() - t0);
// As `rollcall plan --refresh=false` does: runPlan reads the snapshot file after the policy.
const plan = fromBase && 'plan' in fromBase
  ? fromBase.plan
  : (await runPlan({ dir, now, timings: phases, deferMaps: true, ...(fromBase ? { loaded: fromBase.loaded } : {}), ...(snapshotFile ? { snapshotFile } : {}) })).plan;
const tRender = performance.now();
const text = renderPlan(plan, { format: 'text', showPii: false, pseudonymKey: plan.inputs.state_lineage, limit: 50 });
phases.render = Math.round(performance.now() - tRender);
const wall = performance.now() - t0;
const incremental = fromBase ? ('plan' in fromBase ? { fromBase: true, rePlanned: fromBase.changed } : { fromBase: false, fullBecause: fromBase.fallback }) : {};
process.stdout.write(JSON.stringify({ wallMs: Math.round(wall), phases, changes: plan.changes.length, people: plan.inputs.sis_people, textBytes: text.length, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024), ...incremental }) + '\n');
