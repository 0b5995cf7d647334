import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runImpact } from '../../engine/impact/run-impact.js';
import { runVerify } from '../../engine/impact/run-verify.js';
import type { ImpactDocument } from '../../engine/impact/types.js';
import { renderVerifyMarkdown, renderVerifyText } from '../../engine/render/impact-verify.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { peopleWithRole, removePeople } from '../helpers/district.js';
import { addStudents, applyPlan, changeStudentNaming, commitAll, editFile, gitDistrict } from './helpers.js';

/**
 * The merge simulation: a naming change is approved on a branch; the SIS moves on (20 new
 * students, 5 withdrawn) before the merge; apply-on-merge verifies and applies the approved
 * renames plus the SIS's creates and disables. A policy edit slipped in after approval is
 * refused.
 */

const APPLIED = '2026-10-01T12:00:00.000Z';
const APPROVED = '2026-10-02T12:00:00.000Z';
// Merged the same day, so no pre-enrollment window opens in between (that case is reported
// as `changed`, see verify.ts; the unit tests cover it).
const MERGED = '2026-10-02T18:00:00.000Z';

interface Scenario {
  dir: string;
  approved: ImpactDocument;
  added: string[];
  removed: Set<string>;
}

async function approveThenMoveSis(): Promise<Scenario> {
  const dir = await gitDistrict('rollcall-merge-');
  const first = (await runPlan({ dir, now: APPLIED })).plan;
  expect((await applyPlan(dir, first, APPLIED)).failed).toEqual([]);
  // The PR: the naming change, and its impact as the plan workflow saves it.
  changeStudentNaming(dir);
  await commitAll(dir, 'students: new username templates, renames on');
  const approved = (await runImpact({ dir, now: APPROVED, base: 'main~1' })).impact;
  expect(approved.summary.by_action.rename).toBeGreaterThan(1500);
  // Overnight the SIS moved on: 20 new students, 5 withdrawn.
  const sis = join(dir, 'sis');
  const students = [...new Set(peopleWithRole(sis, 'student'))];
  const removed = new Set(students.filter((_, i) => i % 211 === 7).slice(0, 5));
  expect(removed.size).toBe(5);
  removePeople(sis, removed);
  const added = addStudents(sis, 20, 'm');
  return { dir, approved, added, removed };
}

describe('apply on merge: verify the policy part against the approved impact', { timeout: 240_000 }, () => {
  let s: Scenario;
  beforeEach(async () => {
    s = await approveThenMoveSis();
  });

  it('verifies, then applies the approved renames plus 20 creates and 5 disables', async () => {
    const { report, plan } = await runVerify({ dir: s.dir, now: MERGED, approved: s.approved, accept: [] });
    expect(report.reasons).toEqual([]);
    expect(report.ok).toBe(true);
    // The withdrawn students' approved renames are reported as "left"; the new students'
    // creates (with the new usernames) as "joined": neither is a mismatch.
    expect(report.reported.left).toBe([...s.removed].filter((a) => s.approved.entries.some((e) => e.anchor === a)).length);
    expect(report.reported.left).toBeGreaterThan(0);
    expect(report.reported.joined).toBeGreaterThanOrEqual(20);
    expect(report.reported.changed).toBe(0);
    const approvedRenames = s.approved.entries.filter((e) => e.action === 'rename' && !s.removed.has(e.anchor!));
    expect(report.policy_part.by_action).toEqual({ rename: approvedRenames.length });
    // The rest is the SIS's doing, within limits; the approved renames' own violation is accepted.
    expect(report.rest.safety.ok).toBe(true);
    expect(report.accept).toEqual(['rename.count']);

    const creates = plan.changes.filter((c) => c.kind === 'account' && c.action === 'create');
    const disables = plan.changes.filter((c) => c.action === 'disable');
    const renames = plan.changes.filter((c) => c.action === 'rename');
    expect(creates.map((c) => c.anchor).sort()).toEqual([...s.added].sort());
    expect(disables.map((c) => c.anchor).sort()).toEqual([...s.removed].sort());
    expect(renames.map((c) => c.anchor).sort()).toEqual(approvedRenames.map((e) => e.anchor).sort());
    for (const r of renames) expect(r.after).toEqual(approvedRenames.find((e) => e.anchor === r.anchor)!.head!.after);
    // New students get the new rule's names.
    for (const c of creates) expect(String(c.after!.username)).toMatch(/^n.*20\d\d\d*$/);
    const other = plan.changes.filter((c) => !['create', 'disable', 'rename', 'move', 'add', 'remove'].includes(c.action));
    expect(other).toEqual([]);

    const applied = await applyPlan(s.dir, plan, MERGED, report.accept);
    expect(applied.failed).toEqual([]);
    expect(applied.skipped).toEqual([]);
    expect((await runPlan({ dir: s.dir, now: MERGED })).plan.changes).toEqual([]);
  });

  it('a day later, a person whose pre-enrollment window opened is reported, not a mismatch', async () => {
    const { report, plan } = await runVerify({ dir: s.dir, now: '2026-10-03T12:00:00.000Z', approved: s.approved, accept: [] });
    expect(report.reasons).toEqual([]);
    expect(report.reported.changed).toBeGreaterThan(0);
    const creates = plan.changes.filter((c) => c.kind === 'account' && c.action === 'create').map((c) => c.anchor!);
    for (const a of s.added) expect(creates).toContain(a);
    // Beyond the 20 new students: people whose account became due overnight, created with
    // the new rule's names; their entries (create, memberships) were reported as changed.
    const due = creates.filter((a) => !s.added.includes(a));
    expect(due.length).toBeGreaterThan(0);
    expect(report.reported.changed).toBeGreaterThanOrEqual(due.length);
    expect(report.ok).toBe(true);
  });

  it('refuses a policy change slipped in after approval, even one with no effect today', async () => {
    editFile(s.dir, 'policy/naming.yaml', (t) => t.replace('reserved: [admin,', 'reserved: [principal, admin,'));
    await commitAll(s.dir, 'reserve one more name');
    const { report } = await runVerify({ dir: s.dir, now: MERGED, approved: s.approved, accept: [] });
    expect(report.ok).toBe(false);
    expect(report.accept).toEqual([]);
    expect(report.mismatches.map((m) => `${m.kind} ${m.subject}`)).toEqual(['rule-not-approved naming.reserved']);
    expect(report.reasons.join('\n')).toMatch(/naming\.reserved/);
  });

  it('refuses a slipped-in change that alters what the approved rule does', async () => {
    editFile(s.dir, 'policy/naming.yaml', (t) => t.replace('"{preferredGiven} {preferredFamily}"', '"{preferredFamily}, {preferredGiven}"'));
    await commitAll(s.dir, 'display names: family first');
    const { report } = await runVerify({ dir: s.dir, now: MERGED, approved: s.approved, accept: [] });
    expect(report.ok).toBe(false);
    expect(report.mismatches.some((m) => m.kind === 'rule-not-approved' && m.subject === 'naming.displayName[preferred-display]')).toBe(true);
    expect(report.mismatch_count).toBeGreaterThan(1000);
    expect(report.reasons.some((r) => /never approved/.test(r))).toBe(true);
    // The report apply.yml posts to an issue names people by pseudonym only: no sourcedId,
    // username or display name of a mismatched change.
    const people = report.mismatches.flatMap((m) => [m.change?.anchor, m.change?.after?.username, m.change?.before?.username, m.change?.after?.displayName, m.change?.before?.displayName]);
    const pii = [...new Set(people.filter((v): v is string => typeof v === 'string' && v.length > 3))];
    expect(pii.length).toBeGreaterThan(20);
    for (const text of [renderVerifyText(report, { showPii: false, pseudonymKey: 'k' }), renderVerifyMarkdown(report, { showPii: false, pseudonymKey: 'k' })]) {
      expect(text).toMatch(/p-[0-9a-f]{10}/);
      expect(pii.filter((v) => text.includes(v))).toEqual([]);
    }
  });

  it('refuses when the SIS-driven rest is over a safety limit, unless the operator accepts that violation', async () => {
    const sis = join(s.dir, 'sis');
    const more = new Set([...new Set(peopleWithRole(sis, 'student'))].filter((a) => !s.added.includes(a)).slice(0, 120));
    removePeople(sis, more);
    const refused = (await runVerify({ dir: s.dir, now: MERGED, approved: s.approved, accept: [] })).report;
    expect(refused.ok).toBe(false);
    expect(refused.mismatches.map((m) => `${m.kind} ${m.subject}`)).toEqual(['rest-unsafe disable.count', 'rest-unsafe disable.percent']);
    expect(refused.accept).toEqual([]);
    // Withdrawn students freed usernames, so a few approved renames now land on a lower
    // collision number: reported as shifted, still applied, not a mismatch.
    expect(refused.reported.shifted).toBeGreaterThan(0);
    const released = (await runVerify({ dir: s.dir, now: MERGED, approved: s.approved, accept: ['disable.count', 'disable.percent'] })).report;
    expect(released.ok).toBe(true);
    expect(released.accept).toEqual(['disable.count', 'disable.percent', 'rename.count']);
  });

  it('refuses an approved impact edited by hand', async () => {
    const edited: ImpactDocument = { ...s.approved, entries: s.approved.entries.slice(1) };
    const { report } = await runVerify({ dir: s.dir, now: MERGED, approved: edited, accept: [] });
    expect(report.ok).toBe(false);
    expect(report.mismatches[0]!.kind).toBe('approved-edited');
  });
});
