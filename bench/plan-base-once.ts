import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeImpactFile } from '../engine/impact/file.js';
import { runImpact } from '../engine/impact/run-impact.js';
import { renderImpactMarkdown } from '../engine/render/impact-markdown.js';

/**
 * One pull-request plan in a fresh process, for the harness, the way the example workflow's
 * `rollcall plan --base REF --format markdown --out-impact impact.json` runs it: read the
 * inputs once, plan with the base policy and with the working tree's, compute the impact,
 * render the comment and save the impact. Prints one JSON line like plan-once. Run as
 * `node dist/bench/plan-base-once.js DIR NOW SNAPSHOT BASE`.
 */
const [dir, now, snapshotFile, base] = process.argv.slice(2);
if (!dir || !now || !snapshotFile || !base) throw new Error('usage: plan-base-once DIR NOW SNAPSHOT BASE');
const t0 = performance.now();
const phases: Record<string, number> = {};
const run = await runImpact({ dir, now, base, snapshotFile, timings: phases });
const tRender = performance.now();
renderImpactMarkdown(run.impact, { showPii: false, pseudonymKey: run.state.lineage, marker: 'rollcall-impact' });
const out = join(tmpdir(), `rollcall-bench-impact-${process.pid}.json`);
writeImpactFile(out, run.impact);
rmSync(out, { force: true });
phases.render = Math.round(performance.now() - tRender);
const wall = performance.now() - t0;
process.stdout.write(JSON.stringify({ wallMs: Math.round(wall), phases, changes: run.impact.entries.length, people: run.headPlan.inputs.sis_people, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }) + '\n');
