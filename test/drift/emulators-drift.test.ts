import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DriftItem } from '../../engine/drift/model.js';
import { runDrift } from '../../engine/drift/run-drift.js';
import type { PlanDocument } from '../../engine/model/plan.js';
import { runApply } from '../../engine/run/apply-run.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { type GoogleEmulator, startGoogleEmulator } from '../emulators/google/index.js';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph/index.js';
import { col, peopleWithRole, readCsv, removePeople, scratchDistrict } from '../helpers/district.js';
import { googleTargetLines } from '../helpers/google-target.js';

/**
 * Issue #9 acceptance for the cloud targets: the example district (trimmed to ~300 people)
 * on the Google and Graph emulators, plan + apply, then changes made directly in the
 * emulators' state (behind rollcall's back) are reported by drift with the right category;
 * after a fresh plan + apply, only what apply cannot fix (the orphan) remains.
 */
const NOW = '2026-10-01T12:00:00.000Z';
const KEEP = 300;

/** `category anchor-or-objectId`, sorted. */
function keys(items: readonly DriftItem[]): string[] {
  return items.map((i) => `${i.category} ${i.anchor ?? i.objectId ?? ''}`).sort();
}

/** A scratch district trimmed to KEEP people, its targets replaced by `targetYaml`. */
function district(prefix: string, targetYaml: string[]): string {
  const dir = scratchDistrict(prefix);
  const sis = join(dir, 'sis');
  const users = readCsv(join(sis, 'users.csv'));
  removePeople(sis, new Set(users.rows.slice(KEEP).map((r) => r[col(users, 'sourcedId')]!)));
  const yaml = readFileSync(join(dir, 'rollcall.yaml'), 'utf8').replace(/targets:\n[\s\S]*$/, ['targets:', ...targetYaml, ''].join('\n'));
  writeFileSync(join(dir, 'rollcall.yaml'), yaml);
  return dir;
}

function runner(dir: string, env: NodeJS.ProcessEnv) {
  const planAndApply = async (): Promise<PlanDocument> => {
    const { plan } = await runPlan({ dir, now: NOW, env });
    const report = await runApply({ dir, plan, accept: [], now: () => NOW, actor: 'test', lockTimeoutMs: 0, env });
    expect(report.failed).toEqual([]);
    return plan;
  };
  const drift = async () => runDrift({ dir, now: NOW, env });
  return { planAndApply, drift };
}

describe('drift on a google target (emulator)', () => {
  const KEY_ENV = 'ROLLCALL_DRIFT_GOOGLE_KEY';
  let emu: GoogleEmulator;
  let run: ReturnType<typeof runner>;
  let students: string[];
  let strayId = '';

  beforeAll(async () => {
    emu = await startGoogleEmulator({ domains: ['maplewood.k12.example', 'students.maplewood.k12.example'], quota: null });
    const dir = district('rollcall-drift-google-', googleTargetLines(emu, KEY_ENV));
    run = runner(dir, { ...process.env, [KEY_ENV]: JSON.stringify(emu.serviceAccount) });
    students = [...new Set(peopleWithRole(join(dir, 'sis'), 'student'))];
    await run.planAndApply();
  }, 60_000);
  afterAll(async () => emu?.stop());

  const userByAnchor = (anchor: string) => [...emu.state.users.values()].find((u) => JSON.stringify(u.resource['externalIds'] ?? []).includes(`"${anchor}"`));

  it('reports no drift right after apply', async () => {
    expect((await run.drift()).report.items).toEqual([]);
  }, 30_000);

  it('classifies changes made in the emulator and keeps only the orphan after apply', async () => {
    const renamed = students[5]!;
    const suspended = students[9]!;
    const r = userByAnchor(renamed)!;
    r.resource['name'] = { givenName: 'Someone', familyName: 'Else', fullName: 'Someone Else' };
    r.version += 1;
    const s = userByAnchor(suspended)!;
    expect(s.resource['suspended']).toBe(false);
    s.resource['suspended'] = true;
    s.version += 1;
    // An account nobody anchored, inside an org unit rollcall manages.
    const ou = String(r.resource['orgUnitPath']);
    expect(ou).toMatch(/^\/Rollcall\/Students\//);
    strayId = emu.state.seedUser({ primaryEmail: 'stray.account@students.maplewood.k12.example', orgUnitPath: ou }).resource.id;

    const tampered = await run.drift();
    expect(keys(tampered.report.items)).toEqual([`attribute-changed ${renamed}`, `orphan-account ${strayId}`, `unexpected-disabled ${suspended}`].sort());
    const changed = tampered.report.items.find((i) => i.category === 'attribute-changed')!;
    expect(changed.attrs.map((a) => a.name)).toContain('givenName');
    expect(changed.attrs.find((a) => a.name === 'givenName')?.observed).toBe('Someone');
    expect(changed.fixedBy.length).toBeGreaterThan(0);
    expect(tampered.report.items.find((i) => i.category === 'orphan-account')!.fixedBy).toEqual([]);

    await run.planAndApply();
    expect((userByAnchor(renamed)!.resource['name'] as Record<string, unknown>)['givenName']).not.toBe('Someone');
    expect(userByAnchor(suspended)!.resource['suspended']).toBe(false);
    const after = await run.drift();
    expect(keys(after.report.items)).toEqual([`orphan-account ${strayId}`]);
    expect(after.plan.changes).toEqual([]);
  }, 60_000);
});

describe('drift on an entra target (emulator)', () => {
  const TENANT = '11111111-2222-4333-8444-555555555555';
  const TIME_SCALE = 0.01;
  let emu: GraphEmulator;
  let run: ReturnType<typeof runner>;
  let students: string[];

  beforeAll(async () => {
    emu = await startGraphEmulator({
      tenantId: TENANT,
      clientId: 'drift-app',
      clientSecret: 'drift-secret-value',
      domains: ['maplewood.k12.example', 'students.maplewood.k12.example'],
      timeScale: TIME_SCALE,
    });
    const dir = district('rollcall-drift-entra-', [
      '  entra:',
      '    provider: entra',
      `    tenantId: ${TENANT}`,
      '    clientIdEnv: ROLLCALL_DRIFT_ENTRA_ID',
      '    clientSecretEnv: ROLLCALL_DRIFT_ENTRA_SECRET',
      `    authorityHost: ${emu.url}`,
      `    graphHost: ${emu.url}`,
      '    upnDomain: maplewood.k12.example',
      '    anchorAttribute: extensionAttribute2',
      `    timeScale: ${TIME_SCALE}`,
    ]);
    run = runner(dir, { ...process.env, ROLLCALL_DRIFT_ENTRA_ID: 'drift-app', ROLLCALL_DRIFT_ENTRA_SECRET: 'drift-secret-value' });
    students = [...new Set(peopleWithRole(join(dir, 'sis'), 'student'))];
    await run.planAndApply();
  }, 60_000);
  afterAll(async () => emu?.stop());

  const ext = (props: Record<string, unknown>) => (props['onPremisesExtensionAttributes'] ?? {}) as Record<string, unknown>;
  const userByAnchor = (anchor: string) => [...emu.state.users.values()].find((u) => ext(u.props)['extensionAttribute2'] === anchor);

  it('reports no drift right after apply', async () => {
    expect((await run.drift()).report.items).toEqual([]);
  }, 30_000);

  it('classifies changes made in the emulator and keeps only the orphan after apply', async () => {
    const renamed = students[5]!;
    const disabled = students[9]!;
    const r = userByAnchor(renamed)!;
    emu.state.update(r, { givenName: 'Someone' });
    const d = userByAnchor(disabled)!;
    expect(d.props['accountEnabled']).toBe(true);
    emu.state.update(d, { accountEnabled: false });
    // An unanchored account at a managed path (the path attribute is how placement reads back).
    const path = String(ext(r.props)['extensionAttribute1']);
    expect(path).toMatch(/^Students\//);
    const stray = emu.state.create('users', {
      accountEnabled: true,
      displayName: 'Stray Account',
      mailNickname: 'stray.account',
      userPrincipalName: 'stray.account@maplewood.k12.example',
      onPremisesExtensionAttributes: { extensionAttribute1: path },
    });

    const tampered = await run.drift();
    expect(keys(tampered.report.items)).toEqual([`attribute-changed ${renamed}`, `orphan-account ${stray.id}`, `unexpected-disabled ${disabled}`].sort());
    expect(tampered.report.items.find((i) => i.category === 'attribute-changed')!.attrs.find((a) => a.name === 'givenName')?.observed).toBe('Someone');

    await run.planAndApply();
    expect(userByAnchor(renamed)!.props['givenName']).not.toBe('Someone');
    expect(userByAnchor(disabled)!.props['accountEnabled']).toBe(true);
    const after = await run.drift();
    expect(keys(after.report.items)).toEqual([`orphan-account ${stray.id}`]);
    expect(after.plan.changes).toEqual([]);
  }, 60_000);
});
