import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Person } from '../../engine/model/people.js';
import { computePlan, type PlanInput } from '../../engine/plan/build-plan.js';
import { buildBase, type PersonCapsule, type PlanBase } from '../../engine/incremental/base.js';
import { planIncrementally, type IncrementalRequest } from '../../engine/incremental/plan-incremental.js';
import { loadPolicyInput, openState, readSis, readTargets, targetConstraints } from '../../engine/run/inputs.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { SandboxStore } from '../../providers/sandbox/store.js';
import { materialize } from '../../bench/materialize.js';
import { generateDistrict, PRESETS } from '../../scripts/generate-district.js';
import { peopleWithRole, removePeople, scratchDistrict } from '../helpers/district.js';

/**
 * The incremental plan against the full plan: a district after its first apply, with a day of
 * withdrawals and drift, planned in full (the base); then random edits to a few people's
 * users.csv fields, planned both in full and incrementally from the base. Every incremental
 * plan must be the full plan byte for byte, or decline; and it must not decline most of the
 * time for what districts change most (names, grades), or it would be useless.
 */

const NOW = '2026-10-01T12:00:00.000Z';
const LATER = '2026-10-02T12:00:00.000Z';

let input: PlanInput;
let base: PlanBase;
let capsules: PersonCapsule[];

/** Through JSON, as the base file stores them. */
const stored = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

beforeAll(async () => {
  const dir = scratchDistrict('rollcall-incremental-');
  rmSync(join(dir, 'sis'), { recursive: true, force: true });
  await generateDistrict({ ...PRESETS.maplewood!, people: 400, seed: 99 }, join(dir, 'sis'));
  await materialize((await runPlan({ dir, now: NOW })).plan, dir, NOW);
  const sis = join(dir, 'sis');
  const students = [...new Set(peopleWithRole(sis, 'student'))].sort();
  removePeople(sis, new Set(students.slice(0, 4)));
  const store = new SandboxStore(join(dir, '.rollcall', 'sandbox'));
  const accounts = Object.values(store.data.accounts).sort((a, b) => (a.id < b.id ? -1 : 1));
  store.commit({ op: 'put-account', account: { ...accounts[40]!, displayName: `${accounts[40]!.displayName} (edited)` } });
  store.commit({ op: 'put-account', account: { ...accounts[41]!, enabled: false } });
  store.compact();

  const opts = { dir, now: LATER };
  const loaded = await loadPolicyInput(opts);
  const backend = openState(loaded, opts);
  const state = await backend.read();
  await backend.close();
  const read = await readSis(loaded, opts);
  input = {
    policy: loaded.policy, policyDigest: loaded.digest, policyCommit: null, roster: read.roster, sisDigest: read.digest, sisWarnings: read.warnings,
    state, snapshots: await readTargets(loaded, opts), constraints: targetConstraints(loaded.policy, loaded.allTargets), now: LATER,
  };
  const built = buildBase(input, computePlan({ ...input, reportDesired: true }));
  base = stored(built.base);
  capsules = stored(built.capsules);
}, 120_000);

function request(changed: { capsule: PersonCapsule; person: Person }[], now = LATER): IncrementalRequest {
  return { base, changed, birthFacts: false, policy: input.policy, policyDigest: input.policyDigest, policyCommit: null, constraints: input.constraints, now, sisDigest: input.sisDigest };
}

function fullPlan(people: ReadonlyMap<string, Person>, now = LATER): string {
  const roster = { ...input.roster, people: input.roster.people.map((p) => people.get(p.sourcedId) ?? p) };
  return JSON.stringify(computePlan({ ...input, roster, now }).plan);
}

describe('incremental plan', () => {
  it('re-planning anyone unchanged gives the base plan: every person\'s capsule holds their whole part', () => {
    const full = JSON.stringify(base.plan);
    const reasons = new Map<string, number>();
    let served = 0;
    for (const capsule of capsules) {
      const out = planIncrementally(request([{ capsule, person: capsule.person }]));
      if ('plan' in out) {
        expect(JSON.stringify(out.plan)).toBe(full);
        served++;
      } else reasons.set(out.fallback, (reasons.get(out.fallback) ?? 0) + 1);
    }
    // Declining is allowed only for what couples people; never because a capsule misses part of a person's plan.
    for (const r of reasons.keys()) expect(r).not.toMatch(/does not hold|no longer makes|differ/);
    expect(served).toBeGreaterThan(capsules.length * 0.9);
  });

  it('a few people\'s names, grades and flags changed: the full plan byte for byte, or a decline', () => {
    const grades = ['KG', '01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'];
    const edit = fc.record({
      who: fc.integer({ min: 0, max: 1_000_000 }),
      field: fc.constantFrom('familyName', 'givenName', 'preferredGivenName', 'preferredFamilyName', 'middleName', 'grades', 'enabledUser', 'identifier', 'email'),
      value: fc.constantFrom('Okonkwo', 'García-Núñez', 'Lee', "O'Brien", 'Zoë', '', '  spaced  name '),
      grade: fc.constantFrom(...grades),
    });
    let served = 0;
    let runs = 0;
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        const people = new Map<string, Person>();
        const changed = new Map<string, { capsule: PersonCapsule; person: Person }>();
        for (const e of edits) {
          const capsule = capsules[e.who % capsules.length]!;
          const before = people.get(capsule.anchor) ?? stored(capsule.person);
          const person: Person = { ...before };
          if (e.field === 'grades') person.grades = [e.grade];
          else if (e.field === 'enabledUser') person.enabledUser = !person.enabledUser;
          else if (e.field === 'email') person.email = e.value === '' ? '' : `${e.value.trim().replace(/\W/g, '') || 'x'}@example.org`;
          else person[e.field] = e.value;
          people.set(capsule.anchor, person);
          changed.set(capsule.anchor, { capsule, person });
        }
        runs++;
        const out = planIncrementally(request([...changed.values()]));
        if ('fallback' in out) {
          expect(out.fallback).not.toMatch(/does not hold|no longer makes|differ/);
          if (process.env.DEBUG_INC) console.log('fallback:', out.fallback);
          return;
        }
        served++;
        const want = fullPlan(people);
        if (JSON.stringify(out.plan) !== want && process.env.DEBUG_INC) {
          console.log(createTwoFilesPatch('full', 'inc', JSON.stringify(JSON.parse(want), null, 1), JSON.stringify(out.plan, null, 1)).slice(0, 4000));
        }
        expect(JSON.stringify(out.plan)).toBe(want);
        expect(out.plan.digest).toBe(computePlan({ ...input, roster: { ...input.roster, people: input.roster.people.map((p) => people.get(p.sourcedId) ?? p) } }).plan.digest);
      }),
      { numRuns: Number(process.env.INC_RUNS ?? 150), seed: Number(process.env.INC_SEED ?? 20261127) },
    );
    expect(served).toBeGreaterThan(runs * 0.5);
  });

  it('declines a base made on another day, or under another policy', () => {
    const capsule = capsules[10]!;
    const out = planIncrementally(request([{ capsule, person: capsule.person }], '2026-10-03T08:00:00.000Z'));
    expect(out).toEqual({ fallback: expect.stringContaining('another day') });
    const other = planIncrementally({ ...request([{ capsule, person: capsule.person }]), policyDigest: 'sha256:other' });
    expect(other).toEqual({ fallback: expect.stringContaining('policy changed') });
  });

  it('with nobody changed, later the same day, is the base plan at the new time', () => {
    const at = '2026-10-02T18:30:00.000Z';
    const out = planIncrementally(request([], at));
    expect('plan' in out && JSON.stringify(out.plan)).toBe(fullPlan(new Map(), at));
  });
});
