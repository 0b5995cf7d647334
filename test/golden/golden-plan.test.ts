import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PlanDocument } from '../../engine/model/plan.js';
import { emptyState } from '../../engine/model/state.js';
import { computePlan } from '../../engine/plan/build-plan.js';
import { loadPolicyInput, readSis, targetConstraints } from '../../engine/run/inputs.js';
import { runPlan } from '../../engine/run/plan-run.js';
import type { Roster } from '../../engine/model/people.js';
import { generateDistrict, PRESETS } from '../../scripts/generate-district.js';
import { scratchDistrict } from '../helpers/district.js';

/**
 * Golden plans: a small generated district (deterministic generator, fixed seed) planned at a
 * fixed --now must give exactly the committed plan, byte for byte. Any change to the plan
 * algorithm that changes output shows up here as a reviewable diff of the golden file.
 * Regenerate on purpose with UPDATE_GOLDEN=1.
 */

const GOLDEN = join(import.meta.dirname, 'small-district.plan.json');
const NOW = '2026-10-01T12:00:00.000Z';

let dir: string;

beforeAll(async () => {
  dir = scratchDistrict('rollcall-golden-');
  rmSync(join(dir, 'sis'), { recursive: true, force: true });
  await generateDistrict({ ...PRESETS.maplewood!, people: 150, seed: 424242 }, join(dir, 'sis'));
});

describe('golden plan', () => {
  it('plans the small district exactly as the committed golden file', async () => {
    const { plan } = await runPlan({ dir, now: NOW });
    // The policy digest covers the example's policy files; the golden pins the plan around it.
    const text = JSON.stringify({ ...plan, inputs: { ...plan.inputs, policy_digest: '(example policy)', policy_commit: null } }, null, 2) + '\n';
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, text);
    expect(existsSync(GOLDEN), 'golden file missing: run with UPDATE_GOLDEN=1 once and review it').toBe(true);
    expect(text).toBe(readFileSync(GOLDEN, 'utf8'));
  });
});

describe('property: the plan does not depend on SIS row order', () => {
  let roster: Roster;
  let plan: (r: Roster) => PlanDocument;
  beforeAll(async () => {
    const loaded = await loadPolicyInput({ dir });
    const sis = await readSis(loaded, { dir });
    roster = sis.roster;
    plan = (r) => computePlan({
      policy: loaded.policy, policyDigest: loaded.digest, policyCommit: null, roster: r, sisDigest: sis.digest,
      sisWarnings: [], state: emptyState(''), snapshots: [], constraints: targetConstraints(loaded.policy, loaded.allTargets), now: NOW,
    }).plan;
  });

  it('any permutation of people, classes and orgs gives a byte-identical plan', () => {
    const expected = JSON.stringify(plan(roster));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const shuffle = <T>(xs: readonly T[]): T[] => {
          const out = [...xs];
          let s = seed;
          for (let i = out.length - 1; i > 0; i--) {
            s = (Math.imul(s, 1103515245) + 12345) >>> 0;
            const j = s % (i + 1);
            [out[i], out[j]] = [out[j]!, out[i]!];
          }
          return out;
        };
        const shuffled: Roster = { ...roster, people: shuffle(roster.people), classes: shuffle(roster.classes), orgs: shuffle(roster.orgs) };
        return JSON.stringify(plan(shuffled)) === expected;
      }),
      { numRuns: 25 },
    );
  });
});

