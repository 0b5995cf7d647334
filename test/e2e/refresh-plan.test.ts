import { beforeAll, describe, expect, it } from 'vitest';
import type { PlanDocument } from '../../engine/model/plan.js';
import { runApply } from '../../engine/run/apply-run.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { runRefresh } from '../../engine/run/refresh-run.js';
import { readSnapshotFile } from '../../engine/run/snapshot-file.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../engine/model/errors.js';
import { snapshotFacts } from '../../engine/model/snapshot-facts.js';
import { editUser, peopleWithRole, removePeople, scratchDistrict } from '../helpers/district.js';

const NOW = '2026-10-01T12:00:00.000Z';
const LATER = '2026-10-02T12:00:00.000Z';

/**
 * Refresh once, plan many (`rollcall refresh`, then `plan --refresh=false`): a plan against
 * the snapshot file is the plan against the live target it was taken from, for the same
 * policy and SIS, and it stays that snapshot (changes made in the target afterwards are not
 * seen until the next refresh, as with Terraform's -refresh=false).
 */
describe('plan against a refresh snapshot', () => {
  let dir: string;
  let snapshotFile: string;

  beforeAll(async () => {
    dir = scratchDistrict('rollcall-refresh-plan-');
    const first = (await runPlan({ dir, now: NOW })).plan;
    await runApply({ dir, plan: first, accept: [], now: () => LATER, actor: 'test', lockTimeoutMs: 0 });
    const refreshed = await runRefresh({ dir, now: LATER });
    snapshotFile = refreshed.path;
    expect(refreshed.targets.find((t) => t.target === 'sandbox')?.accounts).toBeGreaterThan(1900);
  });

  const planBoth = async (): Promise<[PlanDocument, PlanDocument]> => {
    const live = (await runPlan({ dir, now: LATER })).plan;
    const { snapshots } = await readSnapshotFile(snapshotFile);
    // The file's own digest and id uniqueness stand in for the plan's (engine/model/snapshot-facts.ts).
    expect(snapshots.map((s) => snapshotFacts(s)?.uniqueIds)).toEqual(snapshots.map(() => true));
    const cached = (await runPlan({ dir, now: LATER, snapshots })).plan;
    // As `plan --refresh=false` runs it: the file named, read by runPlan after the policy.
    const fromFile = (await runPlan({ dir, now: LATER, snapshotFile })).plan;
    expect(JSON.stringify(fromFile)).toBe(JSON.stringify(cached));
    return [live, cached];
  };

  it('reads the policy first: a broken policy is reported before a missing snapshot file', async () => {
    const other = scratchDistrict('rollcall-refresh-order-');
    const missing = join(other, '.rollcall', 'no-such-snapshot.jsonl');
    await expect(runPlan({ dir: other, now: LATER, snapshotFile: missing })).rejects.toThrow(/rollcall refresh/);
    writeFileSync(join(other, 'policy', 'naming.yaml'), 'usernames: [\n');
    const err = await runPlan({ dir: other, now: LATER, snapshotFile: missing }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(JSON.stringify((err as InputError).diagnostics)).toContain('naming.yaml');
  });

  it('refuses a target the snapshot file does not hold, rather than plan it as empty', async () => {
    // Refresh read only the enabled sandbox; google is planned by --target.
    const err = await runPlan({ dir, now: LATER, snapshotFile, targets: ['google'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).diagnostics.map((d) => d.code)).toEqual(['snapshot.missing-target']);
    expect((err as InputError).diagnostics[0]!.summary).toMatch(/no target google \(refresh read sandbox\)/);
  });

  it('is empty right after the apply, as the live plan is', async () => {
    const [live, cached] = await planBoth();
    expect(live.changes).toEqual([]);
    expect(JSON.stringify(cached)).toBe(JSON.stringify(live));
  });

  it('gives the live plan byte for byte after a SIS change, group memberships included', async () => {
    const student = peopleWithRole(join(dir, 'sis'), 'student')[3]!;
    editUser(join(dir, 'sis'), student, { familyName: 'Quennell-Brightwater', givenName: 'Zed' });
    removePeople(join(dir, 'sis'), new Set([peopleWithRole(join(dir, 'sis'), 'student')[9]!]));
    const [live, cached] = await planBoth();
    expect(live.changes.some((c) => c.kind === 'account' && c.action === 'update')).toBe(true);
    expect(live.changes.some((c) => c.kind === 'membership' || c.kind === 'group')).toBe(true);
    expect(JSON.stringify(cached)).toBe(JSON.stringify(live));
  });
});
