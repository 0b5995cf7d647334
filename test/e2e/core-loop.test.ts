import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { RefusedError } from '../../engine/model/errors.js';
import type { PlanDocument } from '../../engine/model/plan.js';
import { runApply } from '../../engine/run/apply-run.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { REPO, col, editUser, peopleWithRole, readCsv, removePeople, scratchDistrict } from '../helpers/district.js';

const NOW = '2026-10-01T12:00:00.000Z';
const LATER = '2026-10-02T12:00:00.000Z';

function validator() {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv.compile(JSON.parse(readFileSync(join(REPO, 'schemas/plan.schema.json'), 'utf8')));
}

async function apply(dir: string, plan: PlanDocument, now = LATER) {
  return runApply({ dir, plan, accept: [], now: () => now, actor: 'test', lockTimeoutMs: 0 });
}

describe('the core loop on the example district', () => {
  let dir: string;
  let first: PlanDocument;

  beforeAll(async () => {
    dir = scratchDistrict();
    first = (await runPlan({ dir, now: NOW })).plan;
  });

  it('plans one account per eligible person, with unique usernames, valid against the plan schema', () => {
    const validate = validator();
    expect(validate(first), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const creates = first.changes.filter((c) => c.kind === 'account' && c.action === 'create');
    const eligible = new Set(['student', 'teacher', 'aide', 'principal', 'counselor', 'siteAdministrator', 'districtAdministrator']);
    // Eligible: an eligible role that is current (or starts within the 14-day pre-enrollment
    // window) held by a user whose access is not curtailed (enabledUser=true).
    const roles = readCsv(join(dir, 'sis/roles.csv'));
    const users = readCsv(join(dir, 'sis/users.csv'));
    const enabled = new Set(users.rows.filter((r) => r[col(users, 'enabledUser')] === 'true').map((r) => r[col(users, 'sourcedId')]));
    const people = new Set(roles.rows.filter((r) => {
      const begin = r[col(roles, 'beginDate')] ?? '';
      const end = r[col(roles, 'endDate')] ?? '';
      return eligible.has(r[col(roles, 'role')]!) && (!begin || begin <= '2026-10-15') && (!end || end > '2026-10-01');
    }).map((r) => r[col(roles, 'userSourcedId')]).filter((id) => enabled.has(id)));
    expect(people.size).toBeGreaterThan(1900);
    expect(creates.length).toBe(people.size);
    const usernames = creates.map((c) => c.after!.username as string);
    expect(new Set(usernames).size).toBe(usernames.length);
    expect(new Set(creates.map((c) => c.anchor)).size).toBe(creates.length);
    expect(first.safety.ok).toBe(true);
    expect(JSON.stringify(first)).not.toMatch(/password"\s*:/i);
  });

  it('is deterministic: the same inputs give a byte-identical plan', async () => {
    const again = (await runPlan({ dir, now: NOW })).plan;
    expect(JSON.stringify(again)).toBe(JSON.stringify(first));
  });

  it('applies, then re-plans to no changes; an old plan is refused after another apply', async () => {
    const report = await apply(dir, first);
    expect(report.failed).toEqual([]);
    expect(report.applied).toBe(first.summary.total);
    const second = (await runPlan({ dir, now: LATER })).plan;
    expect(second.changes).toEqual([]);
    await expect(apply(dir, first)).rejects.toThrow(RefusedError);
    await expect(apply(dir, first)).rejects.toMatchObject({ code: 'plan.stale-state' });
  });

  it('refuses a plan edited by hand, and applies nothing', async () => {
    const plan = (await runPlan({ dir, now: LATER })).plan;
    const edited = { ...plan, changes: [{ id: 'x', target: 'sandbox', kind: 'account', action: 'delete', key: 'x', reason: { cause: 'sis', detail: '' } }] } as PlanDocument;
    await expect(apply(dir, edited)).rejects.toMatchObject({ code: 'plan.tampered' });
  });

  it('removing 10 students changes exactly those 10 people', async () => {
    const students = [...new Set(peopleWithRole(join(dir, 'sis'), 'student'))];
    const gone = new Set(students.filter((_, i) => i % 97 === 5).slice(0, 10));
    expect(gone.size).toBe(10);
    removePeople(join(dir, 'sis'), gone);
    const plan = (await runPlan({ dir, now: LATER })).plan;
    expect(plan.inputs.sis_changes).toEqual({ added: 0, gone: 10, changed: 0 });
    for (const c of plan.changes) {
      if (c.kind === 'container') continue;
      if (c.kind === 'membership') {
        expect(c.action).toBe('remove');
        for (const m of c.members ?? []) expect(gone.has(m.anchor ?? ''), `unexpected member change in ${c.id}`).toBe(true);
        continue;
      }
      expect(gone.has(c.anchor ?? ''), `unexpected change ${c.id}`).toBe(true);
    }
    const removedMembers = new Set(plan.changes.filter((c) => c.kind === 'membership').flatMap((c) => (c.members ?? []).map((m) => m.anchor)));
    expect([...removedMembers].sort()).toEqual([...gone].sort());
    const disables = plan.changes.filter((c) => c.action === 'disable');
    expect(disables.map((c) => c.anchor).sort()).toEqual([...gone].sort());
    expect(disables.every((c) => c.reason.cause === 'lifecycle' && c.reason.rule === 'lifecycle.withdrawal')).toBe(true);
    const moves = plan.changes.filter((c) => c.action === 'move');
    expect(moves.length).toBe(10);
    expect(moves.every((c) => c.after!.path === 'Inactive/Students')).toBe(true);
    // Each withdrawn student leaves at least their school, cohort and section groups.
    expect(plan.summary.by_action.remove).toBeGreaterThanOrEqual(20);
    const report = await apply(dir, plan);
    expect(report.failed).toEqual([]);
    const after = (await runPlan({ dir, now: LATER })).plan;
    expect(after.changes).toEqual([]);
    expect(after.inputs.sis_changes).toEqual({ added: 0, gone: 0, changed: 0 });
  });

  it('a family-name change updates names but issues no new username', async () => {
    const students = [...new Set(peopleWithRole(join(dir, 'sis'), 'student'))];
    const who = students[3]!;
    editUser(join(dir, 'sis'), who, { familyName: 'Quintanilla-Okafor' });
    const plan = (await runPlan({ dir, now: LATER })).plan;
    expect(plan.changes.map((c) => `${c.anchor}:${c.action}`)).toEqual([`${who}:update`]);
    expect(plan.inputs.sis_changes).toEqual({ added: 0, gone: 0, changed: 0 });
    const [update] = plan.changes;
    expect(Object.keys(update!.after!).sort()).toEqual(['displayName', 'familyName']);
    expect(update!.reason.cause).toBe('sis');
  });
});
