import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeTrial, makeTemplate, prng, requireBuilt, runTrial, type Template } from '../../bench/crash-soak.js';
import { type GoogleEmulator, startGoogleEmulator } from '../emulators/google/index.js';
import { googleTargetLines } from '../helpers/google-target.js';

/**
 * The crash trial against an emulator: the example district applied by the CLI to a `google`
 * target on the Google Workspace emulator (which lives in this test process, so it survives
 * the apply being SIGKILLed), killed once a seeded random number of users and memberships
 * exist, then the same plan resumed. Nothing created twice, nothing lost, state consistent.
 */

const KEY_ENV = 'ROLLCALL_CRASH_GOOGLE_KEY';
const SEED = 3;

describe('apply to Google Workspace (emulator) killed with SIGKILL converges on resume', () => {
  let emu: GoogleEmulator;
  let work: string;
  let template: Template;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    requireBuilt();
    emu = await startGoogleEmulator({ domains: ['maplewood.k12.example', 'students.maplewood.k12.example'], quota: null });
    env = { [KEY_ENV]: JSON.stringify(emu.serviceAccount) };
    work = mkdtempSync(join(tmpdir(), 'rollcall-crash-google-'));
    const target = ['targets:', ...googleTargetLines(emu, KEY_ENV), ''].join('\n');
    template = await makeTemplate(join(work, 'template'), (y) => y.replace(/targets:\n[\s\S]*$/, target), env);
  });
  afterAll(async () => {
    await emu?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('killed mid-apply at a random point, the resumed apply converges', async () => {
    expect(template.plan.summary.total).toBeGreaterThanOrEqual(10_000);
    const creates = template.plan.changes.filter((c) => c.kind === 'account' && c.action === 'create').length;
    const members = template.plan.changes.reduce((n, c) => n + (c.kind === 'membership' ? c.members?.length ?? 0 : 0), 0);
    // Objects the apply makes, in order: users first, then memberships; kill at a random one.
    const at = 1 + Math.floor(prng(SEED)() * (creates + members));
    const made = (): number => {
      let n = emu.state.users.size;
      for (const g of emu.state.groups.values()) n += g.members.size;
      return n;
    };
    const r = await runTrial(template, work, { index: 0, kill: { kind: 'when', label: `after ${at} users+memberships`, ready: () => made() >= at }, recover: 'resume' }, { env });
    console.info(describeTrial(r));
    expect(r.problems, describeTrial(r)).toEqual([]);
    expect(r.phase).toBe('mid-apply');
    expect(r.recoverExit).toBe(0);
    expect(r.notices.some((n) => /broke stale lock .* is no longer running/.test(n))).toBe(true);
    expect(r.notices.some((n) => /recovered \d+ applied change\(s\) from an interrupted apply; resuming this plan/.test(n))).toBe(true);
    // The emulator itself holds exactly one user per planned create.
    expect(emu.state.users.size).toBe(creates);
  }, 300_000);
});
