import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanDocument } from '../../engine/model/plan.js';
import { runApply } from '../../engine/run/apply-run.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph/index.js';
import { col, editUser, peopleWithRole, readCsv, removePeople, scratchDistrict } from '../helpers/district.js';

/**
 * Issue #6 acceptance for Entra: the example district (trimmed to ~300 people so it runs
 * fast) with its `entra` target pointed at the Graph emulator, through the engine:
 * plan -> apply -> plan is empty; a withdrawal disables; a rename keeps the old address in
 * otherMails; groups in the emulator hold exactly the plan's members.
 */
const NOW = '2026-10-01T12:00:00.000Z';
const LATER = '2026-10-02T12:00:00.000Z';
const TENANT = '11111111-2222-4333-8444-555555555555';
const ID_ENV = 'ROLLCALL_E2E_ENTRA_ID';
const SECRET_ENV = 'ROLLCALL_E2E_ENTRA_SECRET';
const KEEP = 300;
const TIME_SCALE = 0.01;

describe('example district on an entra target', () => {
  let emu: GraphEmulator;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let first: PlanDocument;

  beforeAll(async () => {
    emu = await startGraphEmulator({
      tenantId: TENANT,
      clientId: 'e2e-app',
      clientSecret: 'e2e-secret-value',
      domains: ['maplewood.k12.example', 'students.maplewood.k12.example'],
      timeScale: TIME_SCALE,
    });
    dir = scratchDistrict('rollcall-entra-e2e-');
    const sis = join(dir, 'sis');
    const users = readCsv(join(sis, 'users.csv'));
    removePeople(sis, new Set(users.rows.slice(KEEP).map((r) => r[col(users, 'sourcedId')]!)));
    // Only the entra target, rewritten to the emulator; `enabled: false` is dropped with it.
    const yaml = readFileSync(join(dir, 'rollcall.yaml'), 'utf8').replace(
      /targets:\n[\s\S]*$/,
      [
        'targets:',
        '  entra:',
        '    provider: entra',
        `    tenantId: ${TENANT}`,
        `    clientIdEnv: ${ID_ENV}`,
        `    clientSecretEnv: ${SECRET_ENV}`,
        `    authorityHost: ${emu.url}`,
        `    graphHost: ${emu.url}`,
        '    upnDomain: maplewood.k12.example',
        '    adminUnitFromPathSegment: 1',
        // sourcedIds are GUIDs, longer than employeeId's 16 characters.
        '    anchorAttribute: extensionAttribute2',
        `    timeScale: ${TIME_SCALE}`,
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'rollcall.yaml'), yaml);
    const naming = join(dir, 'policy/naming.yaml');
    writeFileSync(naming, readFileSync(naming, 'utf8').replace(/^renames: keep$/m, 'renames: rename'));
    expect(readFileSync(naming, 'utf8')).toMatch(/^renames: rename$/m);
    env = { ...process.env, [ID_ENV]: 'e2e-app', [SECRET_ENV]: 'e2e-secret-value' };
  });
  afterAll(async () => emu?.stop());

  const plan = async (now: string): Promise<PlanDocument> => (await runPlan({ dir, now, env, targets: ['entra'] })).plan;
  const apply = (p: PlanDocument, now: string) => runApply({ dir, plan: p, accept: [], now: () => now, actor: 'test', lockTimeoutMs: 0, env, targets: ['entra'] });
  const anchorOf = (props: Record<string, unknown> | undefined): string | undefined =>
    (props?.['onPremisesExtensionAttributes'] as Record<string, unknown> | undefined)?.['extensionAttribute2'] as string | undefined;
  const userByAnchor = (anchor: string) => [...emu.state.users.values()].find((u) => anchorOf(u.props) === anchor);

  it('applies the first plan and then plans no changes', async () => {
    first = await plan(NOW);
    const creates = first.changes.filter((c) => c.kind === 'account' && c.action === 'create');
    expect(creates.length).toBeGreaterThan(KEEP / 2);
    const report = await apply(first, NOW);
    expect(report.failed).toEqual([]);
    expect(report.skipped).toEqual([]);
    expect(emu.state.users.size).toBe(creates.length);
    // One account per anchor: no duplicates.
    const anchors = [...emu.state.users.values()].map((u) => anchorOf(u.props));
    expect(new Set(anchors).size).toBe(creates.length);
    const second = await plan(LATER);
    expect(second.changes.map((c) => c.id)).toEqual([]);
  }, 60_000);

  it('holds exactly the planned members in every group', () => {
    const desired = new Map<string, Set<string>>();
    for (const c of first.changes) {
      if (c.kind === 'group' && c.action === 'create') desired.set(c.key, desired.get(c.key) ?? new Set());
      if (c.kind === 'membership' && c.action === 'add') {
        const set = desired.get(c.key) ?? new Set<string>();
        for (const m of c.members ?? []) set.add(m.anchor ?? m.username);
        desired.set(c.key, set);
      }
    }
    expect(desired.size).toBeGreaterThan(3);
    expect([...desired.values()].some((s) => s.size > 0)).toBe(true);
    for (const [name, anchors] of desired) {
      const group = [...emu.state.groups.values()].find((g) => g.props['displayName'] === name);
      expect(group, name).toBeDefined();
      expect(group?.props['securityEnabled']).toBe(true);
      const actual = new Set([...(emu.state.members.get(group?.id ?? '') ?? [])].map((id) => String(anchorOf(emu.state.users.get(id)?.props))));
      expect([...actual].sort(), name).toEqual([...anchors].sort());
    }
  });

  it('disables a withdrawn student', async () => {
    const sis = join(dir, 'sis');
    const gone = peopleWithRole(sis, 'student')[3] ?? '';
    expect(userByAnchor(gone)?.props['accountEnabled']).toBe(true);
    removePeople(sis, new Set([gone]));
    const p = await plan(LATER);
    expect(p.changes.find((c) => c.anchor === gone && c.action === 'disable')).toBeDefined();
    const report = await apply(p, LATER);
    expect(report.failed).toEqual([]);
    expect(userByAnchor(gone)?.props['accountEnabled']).toBe(false);
    expect((await plan(LATER)).changes.filter((c) => c.anchor === gone)).toEqual([]);
  }, 60_000);

  it('renames a student and keeps the old address in otherMails', async () => {
    const sis = join(dir, 'sis');
    const who = peopleWithRole(sis, 'student')[7] ?? '';
    const before = userByAnchor(who);
    const oldUpn = String(before?.props['userPrincipalName']);
    const oldMail = String(before?.props['mail']);
    expect(oldMail).toMatch(/@students\.maplewood\.k12\.example$/);
    editUser(sis, who, { familyName: 'Quistorpwen', preferredFamilyName: '' });
    const p = await plan(LATER);
    const rename = p.changes.find((c) => c.anchor === who && c.action === 'rename');
    expect(rename).toBeDefined();
    expect(rename?.before?.['email']).toBe(oldMail);
    const report = await apply(p, LATER);
    expect(report.failed).toEqual([]);
    const after = userByAnchor(who);
    expect(after?.id).toBe(before?.id);
    expect(String(after?.props['userPrincipalName'])).toMatch(/^[a-z]*quistorpwen\d*@maplewood\.k12\.example$/);
    expect(after?.props['userPrincipalName']).not.toBe(oldUpn);
    expect(String(after?.props['mail'])).toMatch(/quistorpwen\d*@students\.maplewood\.k12\.example$/);
    expect((after?.props['otherMails'] as string[] | undefined)?.map((m) => m.toLowerCase())).toContain(oldMail.toLowerCase());
    expect((await plan(LATER)).changes.filter((c) => c.anchor === who)).toEqual([]);
  }, 60_000);
});
