import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import Plan from '../../cli/commands/plan.js';
import Refresh from '../../cli/commands/refresh.js';
import { runApply } from '../../engine/run/apply-run.js';
import { planFromBase } from '../../engine/run/plan-from-base.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { runRefresh } from '../../engine/run/refresh-run.js';
import { col, peopleWithRole, readCsv, scratchDistrict } from '../helpers/district.js';
import { runCommand } from '../helpers/run-command.js';

const NOW = '2026-10-01T12:00:00.000Z';
const LATER = '2026-10-02T12:00:00.000Z';

/**
 * Refresh once, plan many, with the plan base: refresh plans the export in full and keeps that
 * plan with each person's inputs; a plan whose export changed only in a few users.csv rows
 * re-plans those people alone. Whatever it answers must be the full plan, byte for byte; and
 * whatever changed besides those rows (state after an apply, the policy, the day, another
 * export file) must make it plan in full.
 */
describe('plan from the plan base refresh wrote', () => {
  let dir: string;
  let snapshotFile: string;
  let users: string;

  /** Replace one field of one row in place, leaving every other line's bytes as they are. */
  const editInPlace = (id: string, column: string, value: string): void => {
    const t = readCsv(users);
    const row = t.rows.find((r) => r[col(t, 'sourcedId')] === id)!;
    const text = readFileSync(users, 'utf8');
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.startsWith(id + ',') || l.startsWith(`"${id}",`));
    // Quoted lists hold commas: the field is found by its value between two commas, once.
    const was = `,${row[col(t, column)]!},`;
    expect(lines[at]!.split(was).length).toBe(2);
    lines[at] = lines[at]!.replace(was, `,${value},`);
    writeFileSync(users, lines.join('\n'));
  };

  const full = async (now = LATER): Promise<string> => JSON.stringify((await runPlan({ dir, now, snapshotFile })).plan);

  beforeAll(async () => {
    dir = scratchDistrict('rollcall-plan-base-');
    users = join(dir, 'sis', 'users.csv');
    const first = (await runPlan({ dir, now: NOW })).plan;
    expect((await runApply({ dir, plan: first, accept: [], now: () => NOW, actor: 'test', lockTimeoutMs: 0 })).failed).toEqual([]);
    const refreshed = await runRefresh({ dir, now: LATER });
    snapshotFile = refreshed.path;
    expect(refreshed.base).toEqual({ written: true, people: expect.any(Number) });
  }, 120_000);

  it('with nothing changed, is the full plan', async () => {
    const out = await planFromBase({ dir, now: LATER, snapshotFile });
    expect('plan' in out && out.changed).toBe(0);
    expect('plan' in out && JSON.stringify(out.plan)).toBe(await full());
  });

  it('a family name and a given name changed in users.csv: only those people are re-planned, and the plan is the full plan', async () => {
    const students = [...new Set(peopleWithRole(join(dir, 'sis'), 'student'))].sort();
    editInPlace(students[3]!, 'familyName', 'Okonkwo');
    editInPlace(students[7]!, 'givenName', 'Zoë');
    const out = await planFromBase({ dir, now: LATER, snapshotFile });
    if (!('plan' in out)) throw new Error(`planned in full: ${out.fallback}`);
    expect(out.changed).toBe(2);
    const text = JSON.stringify(out.plan);
    expect(text).toBe(await full());
    expect(out.plan.changes.filter((c) => c.action === 'update').map((c) => c.anchor).sort()).toEqual([students[3], students[7]].sort());
  });

  it('the CLI prints the same plan from the base as in full', async () => {
    const fast = await runCommand(Plan, ['--dir', dir, '--now', LATER, '--refresh=false', '--format', 'json']);
    const slow = await runCommand(Plan, ['--dir', dir, '--now', LATER, '--refresh=false', '--format', 'json', '--no-plan-base']);
    expect(fast.code).toBe(0);
    expect(fast.stdout).toBe(slow.stdout);
    const text = await runCommand(Plan, ['--dir', dir, '--now', LATER, '--refresh=false']);
    expect(text.stderr).toContain('Planned from the plan base refresh wrote: 2 people re-planned');
    expect(JSON.parse(fast.stdout).changes.length).toBeGreaterThan(0);
  });

  it('plans in full, and says why, when the day, the policy or another export file changed', async () => {
    const nextDay = await planFromBase({ dir, now: '2026-10-03T08:00:00.000Z', snapshotFile });
    expect(nextDay).toMatchObject({ fallback: expect.stringContaining('another day') });

    // Touched but the same bytes: still the base's (checked by SHA-256).
    const roles = join(dir, 'sis', 'roles.csv');
    const later = new Date('2026-10-02T13:00:00Z');
    utimesSync(roles, later, later);
    expect('plan' in (await planFromBase({ dir, now: LATER, snapshotFile }))).toBe(true);
    const before = readFileSync(roles, 'utf8');
    writeFileSync(roles, before.replace(/\n$/, '\n\n'));
    expect(await planFromBase({ dir, now: LATER, snapshotFile })).toMatchObject({ fallback: expect.stringContaining('roles.csv changed') });
    const cli = await runCommand(Plan, ['--dir', dir, '--now', LATER, '--refresh=false']);
    expect(cli.stderr).toContain('Planning in full: the plan base does not apply (roles.csv changed since refresh)');
    writeFileSync(roles, before);

    const naming = join(dir, 'policy', 'naming.yaml');
    const policy = readFileSync(naming, 'utf8');
    writeFileSync(naming, policy.replace('{username}@maplewood.k12.example', '{username}@staff.maplewood.k12.example'));
    expect(await planFromBase({ dir, now: LATER, snapshotFile })).toMatchObject({ fallback: expect.stringContaining('policy changed since refresh') });
    writeFileSync(naming, policy);
  });

  it('takes a policy change no one\'s plan depends on: a comment, a safety limit, a reserved username', async () => {
    const naming = join(dir, 'policy', 'naming.yaml');
    const safety = join(dir, 'policy', 'safety.yaml');
    const [namingBefore, safetyBefore] = [readFileSync(naming, 'utf8'), readFileSync(safety, 'utf8')];
    const edits: [string, string, string][] = [
      [naming, namingBefore, namingBefore + '\n# a comment changes the digest, not the policy\n'],
      [safety, safetyBefore, safetyBefore.replace('  remove: { count: 2000 }', '  remove: { count: 2000 }\n  update: { count: 1 }')],
      [naming, namingBefore, namingBefore.replace('reserved: [admin,', 'reserved: [benchreserved, admin,')],
    ];
    for (const [file, before, after] of edits) {
      expect(after).not.toBe(before);
      writeFileSync(file, after);
      const out = await planFromBase({ dir, now: LATER, snapshotFile });
      if (!('plan' in out)) throw new Error(`planned in full: ${out.fallback}`);
      expect(JSON.stringify(out.plan)).toBe(await full());
      if (file === safety) expect(out.plan.safety.violations.map((v) => v.id)).toContain('update.count');
      writeFileSync(file, before);
    }
  });

  it('after an apply, plans in full until the next refresh', async () => {
    const plan = (await runPlan({ dir, now: LATER, snapshotFile })).plan;
    expect((await runApply({ dir, plan, accept: [], now: () => LATER, actor: 'test', lockTimeoutMs: 0 })).failed).toEqual([]);
    expect(await planFromBase({ dir, now: LATER, snapshotFile })).toMatchObject({ fallback: expect.stringMatching(/state/) });
    const refreshed = await runCommand(Refresh, ['--dir', dir, '--now', LATER]);
    expect(refreshed.stdout).toMatch(/Plan base: \d+ people planned once/);
    const out = await planFromBase({ dir, now: LATER, snapshotFile });
    expect('plan' in out && JSON.stringify(out.plan)).toBe(await full());
  });

  it('refresh keeps no base when state is unreadable, and the plan then says so', async () => {
    writeFileSync(join(dir, '.rollcall', 'state.json'), '{"format_version":2,"lineage":"x",');
    const refreshed = await runRefresh({ dir, now: LATER });
    expect(refreshed.base).toEqual({ written: false, reason: expect.stringContaining('state or the export has errors') });
    expect(await planFromBase({ dir, now: LATER, snapshotFile })).toMatchObject({ fallback: expect.stringContaining('no plan base'), hadBase: false });
  });
});
