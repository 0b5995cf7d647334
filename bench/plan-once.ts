import { runPlan } from '../engine/run/plan-run.js';
import { renderPlan } from '../cli/output.js';

/**
 * One plan in a fresh process, for the harness, the way `rollcall plan` runs it: read the
 * inputs, compute, render the text plan (discarded). With a snapshot file it plans against
 * that snapshot, as `plan --refresh=false`. Prints one JSON line with wall milliseconds per
 * phase and peak RSS. Run as `node dist/bench/plan-once.js DIR NOW [SNAPSHOT]`.
 */
const [dir, now, snapshotFile] = process.argv.slice(2);
if (!dir) throw new Error('usage: plan-once DIR [NOW] [SNAPSHOT]');
const t0 = performance.now();
const phases: Record<string, number> = {};
// As `rollcall plan --refresh=false` does: runPlan reads the snapshot file after the policy.
const result = await runPlan({ dir, now: now ?? '2026-10-01T12:00:00.000Z', timings: phases, deferMaps: true, ...(snapshotFile ? { snapshotFile } : {}) });
const tRender = performance.now();
const text = renderPlan(result.plan, { format: 'text', showPii: false, pseudonymKey: result.state.lineage, limit: 50 });
phases.render = Math.round(performance.now() - tRender);
const wall = performance.now() - t0;
process.stdout.write(JSON.stringify({ wallMs: Math.round(wall), phases, changes: result.plan.changes.length, people: result.plan.inputs.sis_people, textBytes: text.length, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }) + '\n');
