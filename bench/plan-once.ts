import { runPlan } from '../engine/run/plan-run.js';

/**
 * One plan in a fresh process, for the harness: prints one JSON line with wall time per
 * phase and peak RSS. Run as `node dist/bench/plan-once.js DIR NOW`.
 */
const [dir, now] = process.argv.slice(2);
if (!dir) throw new Error('usage: plan-once DIR [NOW]');
const t0 = performance.now();
const phases: Record<string, number> = {};
const result = await runPlan({ dir, now: now ?? '2026-10-01T12:00:00.000Z', timings: phases });
const wall = performance.now() - t0;
process.stdout.write(JSON.stringify({ wallMs: Math.round(wall), phases, changes: result.plan.changes.length, people: result.plan.inputs.sis_people, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }) + '\n');
