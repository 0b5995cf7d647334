import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runImpact } from '../../engine/impact/run-impact.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { runRefresh } from '../../engine/run/refresh-run.js';
import { col, peopleWithRole, readCsv } from '../helpers/district.js';
import { applyPlan, changeStudentNaming, commitAll, editFile, gitDistrict } from './helpers.js';

const NOW = '2026-10-01T12:00:00.000Z';
const LATER = '2026-10-02T12:00:00.000Z';

describe('rollcall plan --base: the impact of a policy change', { timeout: 240_000 }, () => {
  let dir: string;
  let students: Set<string>;
  let accounts: Map<string, { username: string; email: string }>;

  beforeAll(async () => {
    dir = await gitDistrict();
    const first = (await runPlan({ dir, now: NOW })).plan;
    const report = await applyPlan(dir, first, NOW);
    expect(report.failed).toEqual([]);
    accounts = new Map(first.changes.filter((c) => c.kind === 'account' && c.action === 'create').map((c) => [c.anchor!, { username: String(c.after!.username), email: String(c.after!.email) }]));
    students = new Set(peopleWithRole(join(dir, 'sis'), 'student').filter((id) => accounts.has(id)));
  });

  it('with no policy change, the impact is empty although the plan is not', async () => {
    const run = await runImpact({ dir, now: LATER, base: 'main' });
    expect(run.impact.entries).toEqual([]);
    expect(run.impact.rules).toEqual([]);
    expect(run.impact.headline).toMatch(/no effect/);
  });

  it('plans against a refresh snapshot file (--refresh=false) as against the target it was taken from', async () => {
    const { path } = await runRefresh({ dir, now: LATER });
    const live = await runImpact({ dir, now: LATER, base: 'main' });
    const fromFile = await runImpact({ dir, now: LATER, base: 'main', snapshotFile: path });
    expect(JSON.stringify(fromFile.headPlan)).toBe(JSON.stringify(live.headPlan));
    expect(JSON.stringify(fromFile.impact)).toBe(JSON.stringify(live.impact));
    await expect(runImpact({ dir, now: LATER, base: 'main', snapshotFile: join(dir, 'no-such-snapshot.jsonl') })).rejects.toThrow(/rollcall refresh/);
  });

  it('a naming-rule change gives exactly the expected renames and nothing else', async () => {
    changeStudentNaming(dir);
    const head = await commitAll(dir, 'students: new username template, rename on');
    const { impact, headPlan, basePlan } = await runImpact({ dir, now: LATER, base: 'main~1' });
    expect(impact.head.commit).toBe(head);
    expect(impact.rules.map((r) => `${r.change} ${r.rule}`)).toEqual(['modified naming.renames', 'modified naming.usernames[students]']);
    // Nothing but renames of students' accounts, every one of them, by the students rule.
    expect(new Set(impact.entries.map((e) => `${e.change} ${e.kind} ${e.action} ${e.rule}`))).toEqual(new Set(['added account rename naming.usernames[students]']));
    // Every student whose username is below the 20-character limit is renamed. At the limit,
    // the new rule's output is cut to the same name (`vvenkataraman-thomas`), or reads as
    // the cut name plus a collision number (`ewashington-nelson38`), and the rule keeps it.
    const renamed = new Set(impact.entries.map((e) => e.anchor!));
    for (const a of renamed) expect(students.has(a)).toBe(true);
    const kept = [...students].filter((a) => !renamed.has(a));
    for (const a of kept) expect(accounts.get(a)!.username).toHaveLength(20);
    expect(kept.length).toBeLessThan(students.size / 100);
    for (const e of impact.entries) {
      const before = accounts.get(e.anchor!)!;
      const after = e.head!.after!;
      expect(e.head!.before).toEqual({ username: before.username, email: before.email });
      const name = String(after.username);
      expect(name).not.toBe(before.username);
      // The new templates' four-digit year (or `st` + identifier), unless cut at 20 characters.
      if (name.length < 20) expect(name).toMatch(/20\d\d\d*$|^st\d+$/);
      else expect(name).toHaveLength(20);
      expect(after.email).toBe(`${String(after.username)}@students.maplewood.k12.example`);
      expect(after.aliases).toContain(before.email);
    }
    expect(impact.summary.by_action).toEqual({ rename: renamed.size });
    expect(impact.headline).toBe(`This change renames ${renamed.size} accounts; 0 disables, 0 deletions.`);
    // The base plan is the unchanged policy's plan: nothing to do after the apply.
    expect(basePlan.changes).toEqual([]);
    expect(headPlan.changes.length).toBe(renamed.size);
    expect(impact.safety.introduced).toContain('rename.count');
  });

  it('a group-rule change: new groups and one membership entry per member, by that rule', async () => {
    editFile(dir, 'policy/groups.yaml', (t) => t.replace('name: "{school|lower}-class-of-{gradYear}"', 'name: "{school|lower}-cohort-{gradYear}"'));
    try {
      const { impact } = await runImpact({ dir, now: LATER, base: 'HEAD' });
      expect(impact.rules.map((r) => r.rule)).toEqual(['groups.rules[grade-cohort]']);
      expect(new Set(impact.entries.map((e) => `${e.change} ${e.kind} ${e.action} ${e.rule}`))).toEqual(new Set([
        'added group create groups.rules[grade-cohort]',
        'added membership add groups.rules[grade-cohort]',
      ]));
      const adds = impact.entries.filter((e) => e.kind === 'membership');
      expect(new Set(adds.map((e) => e.anchor))).toEqual(students);
      expect(adds.length).toBe(students.size);
      const groups = impact.entries.filter((e) => e.kind === 'group').map((e) => e.key.split(':')[2]!);
      expect(groups.every((g) => /^[a-z]+-cohort-20\d\d$/.test(g))).toBe(true);
      expect(new Set(adds.map((e) => String(e.head!.after!.group)))).toEqual(new Set(groups));
      expect(impact.headline).toBe(`This change creates ${groups.length} groups, adds ${students.size} group memberships; 0 disables, 0 deletions.`);
    } finally {
      editFile(dir, 'policy/groups.yaml', (t) => t.replace('-cohort-{gradYear}', '-class-of-{gradYear}'));
    }
  });

  it('a display-name template change is attributed to its rule, and alters nothing else', async () => {
    editFile(dir, 'policy/naming.yaml', (t) => t.replace('"{preferredGiven} {preferredFamily}"', '"{preferredFamily}, {preferredGiven}"'));
    const { impact } = await runImpact({ dir, now: LATER, base: 'HEAD' });
    expect(impact.head.commit).toMatch(/-dirty$/);
    expect(impact.rules.map((r) => r.rule)).toEqual(['naming.displayName[preferred-display]']);
    expect(new Set(impact.entries.map((e) => `${e.change} ${e.kind} ${e.action} ${e.rule}`))).toEqual(new Set(['added account update naming.displayName[preferred-display]']));
    const users = readCsv(join(dir, 'sis/users.csv'));
    expect(impact.entries.length).toBe(accounts.size);
    for (const e of impact.entries.slice(0, 50)) {
      const row = users.rows.find((r) => r[col(users, 'sourcedId')] === e.anchor)!;
      const family = row[col(users, 'preferredFamilyName')] || row[col(users, 'familyName')];
      expect(Object.keys(e.head!.after!)).toEqual(['displayName']);
      expect(String(e.head!.after!.displayName).startsWith(`${family}, `)).toBe(true);
    }
  });
});
