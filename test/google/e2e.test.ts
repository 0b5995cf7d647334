import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanDocument } from '../../engine/model/plan.js';
import { runApply } from '../../engine/run/apply-run.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { type GoogleEmulator, startGoogleEmulator } from '../emulators/google/index.js';
import { peopleWithRole, removePeople, scratchDistrict } from '../helpers/district.js';
import { googleTargetLines } from '../helpers/google-target.js';

/**
 * The example district with a `google` target on the emulator, through the engine:
 * plan -> apply -> plan is empty; a withdrawal suspends; groups follow the rules.
 */
const NOW = '2026-10-01T12:00:00.000Z';
const LATER = '2026-10-02T12:00:00.000Z';
const KEY_ENV = 'ROLLCALL_E2E_GOOGLE_KEY';

describe('example district on a google target', () => {
  let emu: GoogleEmulator;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    emu = await startGoogleEmulator({ domains: ['maplewood.k12.example', 'students.maplewood.k12.example'], quota: null });
    dir = scratchDistrict('rollcall-google-e2e-');
    const yaml = readFileSync(join(dir, 'rollcall.yaml'), 'utf8').replace(
      /targets:\n[\s\S]*$/,
      ['targets:', ...googleTargetLines(emu, KEY_ENV), ''].join('\n'),
    );
    writeFileSync(join(dir, 'rollcall.yaml'), yaml);
    env = { ...process.env, [KEY_ENV]: JSON.stringify(emu.serviceAccount) };
  });
  afterAll(async () => emu?.stop());

  const plan = async (now: string): Promise<PlanDocument> => (await runPlan({ dir, now, env })).plan;
  const apply = (p: PlanDocument, now: string) => runApply({ dir, plan: p, accept: [], now: () => now, actor: 'test', lockTimeoutMs: 0, env });

  it('applies the first plan and then plans no changes', async () => {
    const first = await plan(NOW);
    const creates = first.changes.filter((c) => c.kind === 'account' && c.action === 'create');
    expect(creates.length).toBeGreaterThan(1000);
    const report = await apply(first, NOW);
    expect(report.failed).toEqual([]);
    expect(report.skipped).toEqual([]);
    expect(emu.state.users.size).toBe(creates.length);
    const second = await plan(LATER);
    expect(second.changes.map((c) => c.id)).toEqual([]);
  }, 300_000);

  it('puts students in the sub-domain and groups by the rules', () => {
    const student = [...emu.state.users.values()].find((u) => u.resource.primaryEmail.endsWith('@students.maplewood.k12.example'));
    expect(student?.resource.orgUnitPath).toMatch(/^\/Rollcall\/Students\/[A-Z]+\/\d{4}$/);
    const mhs = emu.state.findGroup('mhs-students@maplewood.k12.example');
    expect(mhs?.members.size).toBeGreaterThan(0);
    for (const id of mhs?.members.keys() ?? []) {
      expect(emu.state.users.get(id)?.resource.orgUnitPath).toMatch(/^\/Rollcall\/Students\/MHS\//);
    }
  });

  it('suspends a withdrawn student', async () => {
    const sis = join(dir, 'sis');
    const gone = peopleWithRole(sis, 'student')[3] ?? '';
    removePeople(sis, new Set([gone]));
    const p = await plan(LATER);
    const disable = p.changes.find((c) => c.anchor === gone && c.action === 'disable');
    expect(disable).toBeDefined();
    const report = await apply(p, LATER);
    expect(report.failed).toEqual([]);
    const user = [...emu.state.users.values()].find((u) => JSON.stringify(u.resource.externalIds).includes(`"${gone}"`));
    expect(user?.resource.suspended).toBe(true);
    expect((await plan(LATER)).changes.filter((c) => c.anchor === gone && c.action === 'disable')).toEqual([]);
  }, 120_000);
});
