import { runPlan } from '../engine/run/plan-run.js';
import { materialize } from './materialize.js';

/**
 * Benchmark setup, in its own process: plan the district from nothing and materialize that
 * plan in the sandbox and state, as a completed apply would leave them.
 * Run as `node dist/bench/setup-existing.js DIR NOW`.
 */
const [dir, now] = process.argv.slice(2);
if (!dir || !now) throw new Error('usage: setup-existing DIR NOW');
const first = await runPlan({ dir, now });
await materialize(first.plan, dir, now);
