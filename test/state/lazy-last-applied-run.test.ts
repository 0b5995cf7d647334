import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { types } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../engine/model/errors.js';
import type { PlanDocument } from '../../engine/model/plan.js';
import { runApply } from '../../engine/run/apply-run.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { editUser, peopleWithRole, scratchDistrict } from '../helpers/district.js';

/**
 * Which runs defer last_applied: a plan may (it writes no state); apply may not, so a
 * corrupt entry anywhere stops it before any target is touched.
 */

const NOW = '2026-10-01T12:00:00.000Z';
const LATER = '2026-10-02T12:00:00.000Z';

function treeDigest(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else h.update(`${p}\0`).update(readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex');
}

describe('deferred last_applied in runs', () => {
  let dir: string;
  let who: string;
  let plan: PlanDocument;

  beforeAll(async () => {
    dir = scratchDistrict('rollcall-lazy-');
    const first = (await runPlan({ dir, now: NOW })).plan;
    const report = await runApply({ dir, plan: first, accept: [], now: () => NOW, actor: 'test', lockTimeoutMs: 0 });
    expect(report.failed).toEqual([]);
    who = [...new Set(peopleWithRole(join(dir, 'sis'), 'student'))][5]!;
    editUser(join(dir, 'sis'), who, { familyName: 'Quintanilla-Okafor' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a deferred plan is the eager plan, byte for byte', async () => {
    const eager = await runPlan({ dir, now: LATER });
    const lazy = await runPlan({ dir, now: LATER, deferMaps: true });
    expect(types.isProxy(lazy.state.last_applied.sandbox)).toBe(true);
    expect(types.isProxy(eager.state.last_applied.sandbox)).toBe(false);
    // The registry is deferred by the same option.
    expect(types.isProxy(lazy.state.registry)).toBe(true);
    expect(JSON.stringify(lazy.plan)).toBe(JSON.stringify(eager.plan));
    expect(lazy.plan.changes.map((c) => `${c.anchor}:${c.action}`)).toEqual([`${who}:update`]);
    plan = lazy.plan;
  });

  it('apply reads state whole: a corrupt entry of someone the plan does not touch stops it before anything changes', async () => {
    const statePath = join(dir, '.rollcall', 'state.json');
    const lines = readFileSync(statePath, 'utf8').split('\n');
    const start = lines.indexOf('"sandbox":{');
    const victim = lines.findIndex((l, i) => i > start && l.startsWith('"') && !l.startsWith(`"${who}"`));
    lines[victim] = lines[victim]!.replace('"enabled":true', '"enabled":"yes"');
    writeFileSync(statePath, lines.join('\n'));
    const before = treeDigest(join(dir, '.rollcall'));
    const err = await runApply({ dir, plan, accept: [], now: () => LATER, actor: 'test', lockTimeoutMs: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).diagnostics[0]).toMatchObject({ code: 'state.schema' });
    expect(treeDigest(join(dir, '.rollcall'))).toBe(before);
    // An eager plan reports it too; a deferred one only if it looks that entry up.
    await expect(runPlan({ dir, now: LATER })).rejects.toMatchObject({ diagnostics: [{ code: 'state.schema' }] });
  });
});
