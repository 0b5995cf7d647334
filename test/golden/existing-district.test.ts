import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPlan } from '../../engine/run/plan-run.js';
import { computePlan, type PlanInput } from '../../engine/plan/build-plan.js';
import { loadPolicyInput, openState, readSis, readTargets, targetConstraints } from '../../engine/run/inputs.js';
import { SandboxStore } from '../../providers/sandbox/store.js';
import { materialize } from '../../bench/materialize.js';
import { generateDistrict, PRESETS } from '../../scripts/generate-district.js';
import { col, editUser, peopleWithRole, readCsv, removePeople, scratchDistrict } from '../helpers/district.js';

/**
 * The second golden plan: the small district after its first plan was carried out, then a
 * school day's worth of change: five withdrawals, a family-name change, a promotion to the
 * next grade, and drift behind rollcall's back (a display name edited, an account disabled,
 * a stranger added to an authoritative group). This exercises what a first plan cannot:
 * updates, moves, disables, member removals (managed and unmanaged), timers and drift causes.
 * Regenerate on purpose with UPDATE_GOLDEN=1.
 */

const GOLDEN = join(import.meta.dirname, 'existing-district.plan.json');
const NOW = '2026-10-01T12:00:00.000Z';
const LATER = '2026-10-02T12:00:00.000Z';

let dir: string;

beforeAll(async () => {
  dir = scratchDistrict('rollcall-golden-existing-');
  rmSync(join(dir, 'sis'), { recursive: true, force: true });
  await generateDistrict({ ...PRESETS.maplewood!, people: 150, seed: 424242 }, join(dir, 'sis'));
  await materialize((await runPlan({ dir, now: NOW })).plan, dir, NOW);

  const sis = join(dir, 'sis');
  const students = [...new Set(peopleWithRole(sis, 'student'))].sort();
  removePeople(sis, new Set(students.slice(0, 5)));
  editUser(sis, students[10]!, { familyName: 'Okonkwo-Baptiste' });
  const users = readCsv(join(sis, 'users.csv'));
  const promoted = users.rows.find((r) => r[col(users, 'sourcedId')] === students[20]);
  const grade = promoted?.[col(users, 'grades')] ?? '';
  if (/^\d\d$/.test(grade) && grade !== '12') editUser(sis, students[20]!, { grades: String(Number(grade) + 1).padStart(2, '0') });

  // Drift, written through the sandbox's own operation log.
  const store = new SandboxStore(join(dir, '.rollcall', 'sandbox'));
  const accounts = Object.values(store.data.accounts).sort((a, b) => (a.id < b.id ? -1 : 1));
  const edited = accounts[30]!;
  store.commit({ op: 'put-account', account: { ...edited, displayName: `${edited.displayName} (edited)` } });
  store.commit({ op: 'put-account', account: { ...accounts[31]!, enabled: false } });
  store.commit({ op: 'put-account', account: { id: 'stranger-1', anchor: null, username: 'stranger', givenName: 'S', familyName: 'T', displayName: 'S T', email: 'stranger@example.org', path: 'Staff', enabled: true, aliases: [] } });
  const group = Object.values(store.data.groups).sort((a, b) => (a.name < b.name ? -1 : 1))[0]!;
  store.commit({ op: 'add-member', group: group.id, member: 'stranger-1' });
  store.compact();
});

describe('golden plan of an existing district', () => {
  it('plans the day\'s changes exactly as the committed golden file', async () => {
    const { plan } = await runPlan({ dir, now: LATER });
    expect(plan.changes.length).toBeGreaterThan(10);
    for (const action of ['update', 'move', 'disable', 'enable', 'remove']) expect(plan.changes.some((c) => c.action === action), action).toBe(true);
    expect(plan.changes.some((c) => c.key.endsWith('#unmanaged'))).toBe(true);
    const text = JSON.stringify({ ...plan, inputs: { ...plan.inputs, policy_digest: '(example policy)', policy_commit: null } }, null, 2) + '\n';
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, text);
    expect(existsSync(GOLDEN), 'golden file missing: run with UPDATE_GOLDEN=1 once and review it').toBe(true);
    expect(text).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  it('plans the same whatever order state and snapshots list people and accounts in', async () => {
    // Resolve and diff walk state and accounts beside the sorted people when they come in
    // anchor order, and look them up otherwise: both must give the same plan.
    const opts = { dir, now: LATER };
    const loaded = await loadPolicyInput(opts);
    const backend = openState(loaded, opts);
    const state = await backend.read();
    await backend.close();
    const sis = await readSis(loaded, opts);
    const snapshots = await readTargets(loaded, opts);
    const input: PlanInput = {
      policy: loaded.policy, policyDigest: 'x', policyCommit: null, roster: sis.roster, sisDigest: sis.digest, sisWarnings: sis.warnings,
      state, snapshots, constraints: targetConstraints(loaded.policy, loaded.allTargets), now: LATER,
    };
    const byAnchor = (a: { anchor: string | null }, b: { anchor: string | null }): number => ((a.anchor ?? '') < (b.anchor ?? '') ? -1 : (a.anchor ?? '') > (b.anchor ?? '') ? 1 : 0);
    const sortedPeople = Object.fromEntries(Object.entries(state.people).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
    const plans = [
      { state: { ...state, people: sortedPeople }, snapshots: snapshots.map((x) => ({ ...x, accounts: [...x.accounts].sort(byAnchor) })) },
      { state: { ...state, people: Object.fromEntries(Object.entries(sortedPeople).reverse()) }, snapshots: snapshots.map((x) => ({ ...x, accounts: [...x.accounts].sort(byAnchor).reverse() })) },
    ].map((v) => JSON.stringify(computePlan({ ...input, ...v }).plan));
    expect(plans[0]).toBe(JSON.stringify(computePlan(input).plan));
    expect(plans[1]).toBe(plans[0]);
    expect(JSON.parse(plans[0]!).changes.length).toBeGreaterThan(10);
  });
});
