import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { types } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../engine/model/errors.js';
import type { StateDocument } from '../../engine/model/state.js';
import { runApply } from '../../engine/run/apply-run.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { readStateFile, writeStateFile } from '../../engine/state/state-file.js';
import { peopleWithRole, removePeople, scratchDistrict } from '../helpers/district.js';

/**
 * Plans over a deferred registry: a newcomer whose first choice was issued to someone who has
 * since left (a name only the registry remembers) gets the name an eager plan gives, and apply
 * still reads the registry whole.
 */

const NOW = '2026-10-01T12:00:00.000Z';
const LATER = '2026-10-02T12:00:00.000Z';
const SIS_FILES = ['users.csv', 'roles.csv', 'enrollments.csv'];

describe('deferred registry in runs', () => {
  let dir: string;
  let statePath: string;
  let newcomer: string;

  beforeAll(async () => {
    dir = scratchDistrict('rollcall-lazy-registry-');
    statePath = join(dir, '.rollcall', 'state.json');
    const sis = join(dir, 'sis');
    newcomer = [...new Set(peopleWithRole(sis, 'student'))][7]!;
    // Applied without the newcomer, who then enrolls.
    for (const f of SIS_FILES) copyFileSync(join(sis, f), join(dir, `${f}.full`));
    removePeople(sis, new Set([newcomer]));
    const first = (await runPlan({ dir, now: NOW })).plan;
    const report = await runApply({ dir, plan: first, accept: [], now: () => NOW, actor: 'test', lockTimeoutMs: 0 });
    expect(report.failed).toEqual([]);
    for (const f of SIS_FILES) copyFileSync(join(dir, `${f}.full`), join(sis, f));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const usernameOf = (r: Awaited<ReturnType<typeof runPlan>>, anchor: string): string | null => r.identities.find((i) => i.anchor === anchor)?.username ?? null;

  it('a newcomer never gets a name only the registry holds, deferred or not', async () => {
    const before = await runPlan({ dir, now: LATER });
    const wanted = usernameOf(before, newcomer);
    expect(wanted).toBeTruthy();
    // Someone who left long ago was issued that name: it is in the registry and nowhere else.
    const doc = (await readStateFile(statePath))!.doc as StateDocument;
    expect(Object.values(doc.people).some((p) => p.username === wanted)).toBe(false);
    doc.registry[wanted!] = { anchor: 'left-in-2019', issued_at: '2019-08-01T00:00:00.000Z' };
    await writeStateFile(statePath, doc);

    const eager = await runPlan({ dir, now: LATER });
    const lazy = await runPlan({ dir, now: LATER, deferMaps: true });
    expect(types.isProxy(lazy.state.registry)).toBe(true);
    expect(types.isProxy(eager.state.registry)).toBe(false);
    const got = usernameOf(lazy, newcomer);
    expect(got).not.toBe(wanted);
    expect(got).toBe(usernameOf(eager, newcomer));
    expect(JSON.stringify(lazy.plan)).toBe(JSON.stringify(eager.plan));
    expect(lazy.plan.changes.some((c) => c.anchor === newcomer && c.action === 'create')).toBe(true);
  });

  it('apply reads the registry whole: a corrupt entry stops it before anything changes', async () => {
    const plan = (await runPlan({ dir, now: LATER, deferMaps: true })).plan;
    const lines = readFileSync(statePath, 'utf8').split('\n');
    const victim = lines.findIndex((l) => l.includes('"anchor":"left-in-2019"'));
    lines[victim] = lines[victim]!.replace('"anchor":"left-in-2019"', '"anchor":2019');
    writeFileSync(statePath, lines.join('\n'));
    const state = readFileSync(statePath, 'utf8');
    const err = await runApply({ dir, plan, accept: [], now: () => LATER, actor: 'test', lockTimeoutMs: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).diagnostics[0]).toMatchObject({ code: 'state.schema' });
    expect(readFileSync(statePath, 'utf8')).toBe(state);
    // A deferred plan with a newcomer walks the registry to restore names, so it reports it too.
    await expect(runPlan({ dir, now: LATER, deferMaps: true })).rejects.toMatchObject({ diagnostics: [{ code: 'state.schema' }] });
  });
});
