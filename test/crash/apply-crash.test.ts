import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeTrial, makeTemplate, requireBuilt, runTrial, trialSpecs, type Template, type TrialResult } from '../../bench/crash-soak.js';

/**
 * Crash safety of `rollcall apply`, with real processes: the CLI applies the example
 * district (~15,700 operations to the sandbox target) and is SIGKILLed at seeded random
 * points, then the same plan is resumed (or a new plan made and applied). CI runs 4 trials
 * (killed at a random sandbox operation then resumed; at a random operation then re-planned;
 * after a random delay; right after the state write); `node dist/bench/crash-soak.js` runs 20+.
 */

/** ~20 s a trial on a 2-core runner; 4 here (plus 2 in concurrency.test.ts), 20+ in the soak. */
const TRIALS = 4;
const SEED = 39;

describe('apply killed with SIGKILL converges on the next run', () => {
  let work: string;
  let template: Template;
  const results: TrialResult[] = [];

  beforeAll(async () => {
    requireBuilt();
    work = mkdtempSync(join(tmpdir(), 'rollcall-crash-'));
    template = await makeTemplate(join(work, 'template'));
  });

  afterAll(() => {
    if (work && results.every((r) => r.problems.length === 0)) rmSync(work, { recursive: true, force: true });
  });

  it('the district is big enough: at least 10,000 planned operations', () => {
    expect(template.plan.summary.total).toBeGreaterThanOrEqual(10_000);
    expect(template.plan.safety.ok).toBe(true);
  });

  // Specs are computed from the seed and the plan's size once the template exists.
  for (let i = 0; i < TRIALS; i++) {
    it(`trial ${i}: kill, recover, no duplicates, nothing lost, state consistent`, async () => {
      const spec = trialSpecs(TRIALS, SEED, template.opsLines)[i]!;
      const r = await runTrial(template, work, spec);
      results.push(r);
      console.info(describeTrial(r));
      expect(r.problems, describeTrial(r)).toEqual([]);
      if (spec.kill.kind === 'ops') {
        // Killed mid-apply, with its lock left behind: the next run reported breaking it.
        expect(r.phase, describeTrial(r)).toBe('mid-apply');
        expect(r.lockLeft).toBe(true);
        expect(r.notices.some((n) => /^broke stale lock [0-9a-f-]+ on state .*state\.json: its holder .+? pid (\d+) \(pid \1 on this host, since \S+\) is no longer running$/.test(n)), r.notices.join('\n')).toBe(true);
        if (spec.recover === 'resume') expect(r.notices.some((n) => /recovered \d+ applied change\(s\) from an interrupted apply; resuming this plan/.test(n))).toBe(true);
      }
      if (spec.kill.kind === 'state-written') expect(r.phase).toBe('after-state-write');
      // A run that wrote state before it died (or finished before the kill) spent its plan: resuming it is refused as stale.
      const spent = r.phase === 'after-state-write' || r.phase === 'finished-before-kill';
      expect(r.recoverExit).toBe(spent && spec.recover === 'resume' ? 1 : 0);
    }, 120_000);
  }
});
