import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import Drift from '../../cli/commands/drift.js';
import type { DriftItem, DriftReport } from '../../engine/drift/model.js';
import { runDrift } from '../../engine/drift/run-drift.js';
import type { PlanDocument } from '../../engine/model/plan.js';
import { runApply } from '../../engine/run/apply-run.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { peopleWithRole, removePeople, scratchDistrict } from '../helpers/district.js';
import { runCommand } from '../helpers/run-command.js';
import { Tamper } from './tamper.js';

/**
 * The drift loop on the example district: plan + apply, change the sandbox behind
 * rollcall's back in every way drift classifies, check each is reported with the right
 * category, apply a fresh plan, and check what remains is exactly what apply cannot fix.
 */

const NOW = '2026-10-01T12:00:00.000Z';

async function apply(dir: string, plan: PlanDocument): Promise<void> {
  const report = await runApply({ dir, plan, accept: [], now: () => NOW, actor: 'test', lockTimeoutMs: 0 });
  expect(report.failed).toEqual([]);
}

async function planAndApply(dir: string): Promise<void> {
  await apply(dir, (await runPlan({ dir, now: NOW })).plan);
}

/** `category key` per item; the key is the anchor, or `group|objectId`, or the objectId. */
function keys(items: readonly DriftItem[]): string[] {
  return items.map((i) => `${i.category} ${i.category === 'privileged-member' ? `${i.group ?? ''}|${i.objectId ?? ''}` : (i.anchor ?? i.objectId ?? '')}`).sort();
}

describe('rollcall drift on the example district', () => {
  let dir: string;
  let students: string[];
  const who = { renamed: '', disabled: '', deleted: '', privileged: '', helpdesk: '', badName: '', withdrawn: '' };
  const orphans = { stray: '', kiosk: '', service: '' };
  let tampered: DriftReport;
  let tamperedPlan: PlanDocument;

  beforeAll(async () => {
    dir = scratchDistrict('rollcall-drift-');
    await planAndApply(dir);
    students = [...new Set(peopleWithRole(join(dir, 'sis'), 'student'))];
    const at = (i: number): string => students[i]!;
    Object.assign(who, { renamed: at(11), disabled: at(23), deleted: at(37), privileged: at(41), helpdesk: at(59), badName: at(67), withdrawn: at(83) });
    // A withdrawal rollcall has carried out: the account is disabled by plan + apply.
    removePeople(join(dir, 'sis'), new Set([who.withdrawn]));
    await planAndApply(dir);
  }, 120_000);

  it('reports no drift right after apply (exit 0)', async () => {
    const { report } = await runDrift({ dir, now: NOW });
    expect(report.items).toEqual([]);
    expect(report.summary.total).toBe(0);
    const cli = await runCommand(Drift, ['--dir', dir, '--now', NOW]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/^No drift/m);
  }, 60_000);

  it('classifies every change made behind rollcall\'s back', async () => {
    const t = new Tamper(dir);
    t.edit(who.renamed, { displayName: 'Someone Else Entirely' });
    t.edit(who.disabled, { enabled: false });
    t.remove(t.byAnchor(who.deleted).id);
    t.edit(who.badName, { username: 'Not A Policy Name!' });
    t.edit(who.withdrawn, { enabled: true });
    t.addGroup('domain-admins', [t.byAnchor(who.privileged).id]);
    t.addGroup('helpdesk-operators', [t.byAnchor(who.helpdesk).id]);
    orphans.stray = t.addAccount({ username: 'stray.account', path: 'Students/MHS/2030' }).id;
    // Allowed by the example's drift-allow.yaml (Students/*/Kiosks/**, until 2027-06-30).
    orphans.kiosk = t.addAccount({ username: 'kiosk01', path: 'Students/MHS/Kiosks/Lab' }).id;
    // Covered by an entry that has expired: reported again, with a warning.
    orphans.service = t.addAccount({ username: 'svc-printing', path: 'Staff/Service' }).id;
    const allowFile = join(dir, 'policy/drift-allow.yaml');
    // The file ends with a newline, so the appended entry starts on this line.
    const expiredLine = readFileSync(allowFile, 'utf8').split('\n').length;
    appendFileSync(allowFile, [
      '  - category: orphan-account',
      '    path: "Staff/Service/**"',
      '    reason: Print service account, until the new print server',
      '    expires: 2026-09-30',
      '',
    ].join('\n'));

    const run = await runDrift({ dir, now: NOW });
    tampered = run.report;
    tamperedPlan = run.plan;
    expect(keys(tampered.items)).toEqual([
      `attribute-changed ${who.renamed}`,
      `missing-account ${who.deleted}`,
      `orphan-account ${orphans.service}`,
      `orphan-account ${orphans.stray}`,
      `privileged-member domain-admins|${t.byAnchor(who.privileged).id}`,
      `privileged-member helpdesk-operators|${t.byAnchor(who.helpdesk).id}`,
      `unexpected-disabled ${who.disabled}`,
      `unexpected-enabled ${who.withdrawn}`,
      `username-out-of-policy ${who.badName}`,
    ].sort());
    expect(keys(tampered.allowed)).toEqual([`orphan-account ${orphans.kiosk}`]);
    // The entry's position: the line of its `- category:`, just above its kiosk path.
    const kioskLine = readFileSync(allowFile, 'utf8').split('\n').findIndex((l) => l.includes('Students/*/Kiosks/**'));
    expect(tampered.allowed[0]!.allow).toMatchObject({ index: 1, expires: '2027-06-30', source: { file: 'policy/drift-allow.yaml', line: kioskLine, column: 5 } });

    const by = (category: string, anchor: string): DriftItem => tampered.items.find((i) => i.category === category && i.anchor === anchor)!;
    expect(by('attribute-changed', who.renamed)).toMatchObject({ origin: 'outside', severity: 'low', fixedBy: [`sandbox:account:${who.renamed}:update`] });
    expect(by('attribute-changed', who.renamed).attrs.map((a) => [a.name, a.observed])).toEqual([['displayName', 'Someone Else Entirely']]);
    expect(by('attribute-changed', who.renamed).attrs[0]!.lastApplied).toBe(by('attribute-changed', who.renamed).attrs[0]!.expected);
    expect(by('unexpected-disabled', who.disabled)).toMatchObject({ origin: 'outside', fixedBy: [`sandbox:account:${who.disabled}:enable`] });
    expect(by('unexpected-enabled', who.withdrawn)).toMatchObject({ origin: 'outside', severity: 'high', fixedBy: [`sandbox:account:${who.withdrawn}:disable`] });
    expect(by('missing-account', who.deleted)).toMatchObject({ fixedBy: [`sandbox:account:${who.deleted}:create`] });
    expect(by('username-out-of-policy', who.badName)).toMatchObject({ origin: 'outside', username: 'Not A Policy Name!', fixedBy: [`sandbox:account:${who.badName}:rename`] });
    expect(by('username-out-of-policy', who.badName).detail).toMatch(/not a username rollcall issued.*naming constraints/);
    for (const i of tampered.items.filter((x) => x.category === 'orphan-account' || x.category === 'privileged-member')) expect(i.fixedBy).toEqual([]);
    expect(tampered.items.find((i) => i.group === 'domain-admins')!.detail).toMatch(/protected group domain-admins/);
    expect(tampered.items.find((i) => i.group === 'helpdesk-operators')!.detail).toMatch(/privileged group helpdesk-operators/);
    // Schools come from the SIS for people, from a school code in the path for orphans.
    expect(tampered.items.find((i) => i.objectId === orphans.stray)!.school).toBe('MHS');
    expect(by('attribute-changed', who.renamed).school).toMatch(/^(MPE|OHE|CMS|MHS)$/);

    expect(tampered.warnings.map((w) => w.code)).toContain('drift.allow-expired');
    const expired = tampered.warnings.find((w) => w.code === 'drift.allow-expired')!;
    expect(expired.source).toMatchObject({ file: 'policy/drift-allow.yaml', line: expiredLine, column: 5 });
    expect(tampered.summary).toMatchObject({ total: 9, allowed: 1, fixable: 5, by_severity: { high: 5, medium: 3, low: 1 } });

    const cli = await runCommand(Drift, ['--dir', dir, '--now', NOW, '--format', 'json']);
    expect(cli.code).toBe(2);
    expect(JSON.parse(cli.stdout)).toMatchObject({ summary: { total: 9 } });
    const html = join(dir, 'drift.html');
    const out = await runCommand(Drift, ['--dir', dir, '--now', NOW, '--format', 'html', '--out', html]);
    expect(out.code).toBe(2);
    expect(out.stdout).toMatch(/^Drift: 9 item\(s\)/);
    expect(readFileSync(html, 'utf8')).toMatch(/^<!doctype html>[\s\S]*Drift report[\s\S]*<\/html>\n$/);
  }, 60_000);

  it('is deterministic: the same inputs give the same report', async () => {
    const again = (await runDrift({ dir, now: NOW })).report;
    expect(JSON.stringify(again)).toBe(JSON.stringify(tampered));
  }, 60_000);

  it('after apply of a fresh plan, only what apply cannot fix remains: orphans and privileged members', async () => {
    // The plan attributes the corrections to drift.
    const causes = new Set(tamperedPlan.changes.filter((c) => c.kind === 'account').map((c) => `${c.action}:${c.reason.cause}`));
    expect(causes).toEqual(new Set(['update:drift', 'enable:drift', 'disable:drift', 'rename:drift', 'create:sis']));
    await apply(dir, tamperedPlan);
    const after = (await runDrift({ dir, now: NOW })).report;
    const t = new Tamper(dir);
    expect(keys(after.items)).toEqual([
      `orphan-account ${orphans.service}`,
      `orphan-account ${orphans.stray}`,
      `privileged-member domain-admins|${t.byAnchor(who.privileged).id}`,
      `privileged-member helpdesk-operators|${t.byAnchor(who.helpdesk).id}`,
    ].sort());
    expect((await runPlan({ dir, now: NOW })).plan.changes).toEqual([]);

    // A person resolves those: removes the stray accounts and the ungranted memberships.
    t.remove(orphans.stray);
    t.remove(orphans.service);
    t.removeMember('domain-admins', t.byAnchor(who.privileged).id);
    t.removeMember('helpdesk-operators', t.byAnchor(who.helpdesk).id);
    const clean = (await runDrift({ dir, now: NOW })).report;
    expect(clean.items).toEqual([]);
    expect(keys(clean.allowed)).toEqual([`orphan-account ${orphans.kiosk}`]);
    const cli = await runCommand(Drift, ['--dir', dir, '--now', NOW]);
    expect(cli.code).toBe(0);
  }, 120_000);
});
