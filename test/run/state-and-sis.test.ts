import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runImpact } from '../../engine/impact/run-impact.js';
import { InputError } from '../../engine/model/errors.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { gitDistrict } from '../review/helpers.js';

/**
 * State and the SIS are read side by side (plan) or one after the other (plan --base): a state
 * that cannot be read is reported as the input error it is, whichever finishes first, never as
 * an unhandled rejection while the SIS is still being read.
 */
describe('reading state beside the SIS', () => {
  it('reports a broken state file from plan and from plan --base', async () => {
    const dir = await gitDistrict('rollcall-broken-state-');
    mkdirSync(join(dir, '.rollcall'), { recursive: true });
    writeFileSync(join(dir, '.rollcall', 'state.json'), '{"format_version": 2, "lineage": ');
    for (const run of [() => runPlan({ dir, now: '2026-10-01T12:00:00.000Z' }), () => runImpact({ dir, now: '2026-10-01T12:00:00.000Z', base: 'main' })]) {
      const err = await run().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect(JSON.stringify((err as InputError).diagnostics)).toContain('state.json');
    }
  });
});
