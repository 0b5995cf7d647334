import { beforeAll, describe, expect, it } from 'vitest';
import type { TargetSnapshot } from '../../engine/model/accounts.js';
import type { Policy } from '../../engine/model/policy.js';
import { explainPerson, type Explanation } from '../../engine/explain/explain.js';
import { renderExplanation } from '../../engine/explain/render.js';
import { computePlan } from '../../engine/plan/build-plan.js';
import { buildFixture } from '../../engine/policytest/fixture.js';
import { parseTestFile } from '../../engine/policytest/parse.js';
import { loadPolicyInput, targetConstraints } from '../../engine/run/inputs.js';
import { MAPLEWOOD } from '../helpers/district.js';

let policy: Policy;
beforeAll(async () => {
  policy = (await loadPolicyInput({ dir: MAPLEWOOD })).policy;
});

/** Explain one person of an inline fixture (the policytest format) against the example policy. */
function explain(yaml: string, anchor: string, extra: (snaps: TargetSnapshot[]) => void = () => undefined): Explanation {
  const parsed = parseTestFile('inline.yaml', yaml);
  expect(parsed.diagnostics).toEqual([]);
  const tc = parsed.cases[0]!;
  const fx = buildFixture(tc, policy);
  extra(fx.snapshots);
  const constraints = targetConstraints(policy);
  const { plan, identities } = computePlan({
    policy, policyDigest: 'x', policyCommit: null, roster: fx.roster, sisDigest: 'x', sisWarnings: [], state: fx.state,
    snapshots: fx.snapshots, constraints, now: tc.now,
  });
  return explainPerson({ anchor, policy, roster: fx.roster, state: fx.state, snapshots: fx.snapshots, plan, identities, constraints, now: tc.now });
}

const janes = `
now: 2026-10-01
tests:
  - name: x
    people:
      - { id: stu-jane-a, given: Jane, family: Smith, identifier: 2001, school: MHS, grade: 10 }
      - { id: stu-jane-b, given: Jane, family: Smith, identifier: 2002, school: MHS, grade: 10 }
      - { id: stu-jane-c, given: Jane, family: Smith, identifier: 2003, school: MHS, grade: 10 }
      - { id: tch-admin, given: A, family: Dmin, role: teacher, school: CMS }
      - { id: stu-k, given: Kit, family: Moon, school: MPE, grade: KG }
    expect:
      stu-jane-a: { username: jsmith29 }
`;

describe('explain', () => {
  it('shows each username template, what blocked it, and the rules that did not match', () => {
    const e = explain(janes, 'stu-jane-c');
    expect(e.username.story).toMatchObject({ username: 's2003', how: 'issued' });
    expect(e.username.story.templates.map((t) => [t.output, t.verdict])).toEqual([['jsmith29', 'taken'], ['jasmith29', 'taken'], ['s2003', 'chosen']]);
    expect(e.username.rules).toEqual([
      expect.objectContaining({ rule: 'students', matched: true }),
      expect.objectContaining({ rule: 'staff', matched: false, why: 'not tried: an earlier rule matched' }),
    ]);
    expect(e.username.rules[0]!.source).toMatchObject({ file: 'policy/naming.yaml', line: expect.any(Number) });
    expect(e.email).toMatchObject({ value: 's2003@students.maplewood.k12.example', template: '{username}@students.maplewood.k12.example' });
    expect(e.displayName.value).toBe('Jane Smith');
    expect(e.sis).toMatchObject({ role: 'student', school: 'MHS', grade: '10', gradYear: 2029, eligibility: 'active' });
  });

  it('says which key failed for a rule that did not match', () => {
    const staff = explain(janes, 'tch-admin');
    expect(staff.username.rules[0]).toMatchObject({ rule: 'students', matched: false, why: 'role is teacher; the rule wants student' });
    expect(staff.username.story.templates.map((t) => [t.output, t.verdict]).slice(0, 2)).toEqual([['admin', 'reserved'], ['a.dmin', 'chosen']]);
    expect(staff.username.story.templates[2]!.verdict).toBe('not-needed');
    const kid = explain(janes, 'stu-k');
    const sections = kid.groups.rules.find((r) => r.rule === 'class-sections');
    expect(sections).toMatchObject({ matched: false, why: 'school is MPE; the rule wants CMS, MHS' });
    expect(kid.groups.rules.filter((r) => r.matched).map((r) => r.rule)).toEqual(['school-students', 'grade-cohort']);
    expect(kid.password).toMatchObject({ rule: 'young-students' });
    expect(kid.password.rules.map((r) => r.matched)).toEqual([true, false, false]);
    expect(kid.targets[0]).toMatchObject({ target: 'sandbox', path: 'Students/MPE/2039', groups: ['mpe-class-of-2039', 'mpe-students'], account: null });
    expect(kid.targets[0]!.changes.map((c) => `${c.kind}:${c.action}`)).toContain('account:create');
  });

  it('names the collision suffix when every template is unavailable', () => {
    const e = explain(`
now: 2026-10-01
tests:
  - name: x
    state: { issued: { jsmith29: stu-old-1, jasmith29: stu-old-2 } }
    unmanaged: [s2005]
    people:
      - { id: stu-e, given: Jane, family: Smith, identifier: 2005, school: MHS, grade: 10 }
    expect: { stu-e: { username: jsmith292 } }
`, 'stu-e');
    expect(e.username.story).toMatchObject({ username: 'jsmith292', how: 'numbered', collision: { base: 'jsmith29', suffix: '2', minDigits: 1, start: 2 } });
    expect(e.username.story.templates.map((t) => t.verdict)).toEqual(['issued-before', 'issued-before', 'taken-unmanaged']);
  });

  it('explains a withdrawal held by the summer hold, and a withdrawal with an account: found by anchor, then disabled and moved', () => {
    const held = explain(`
now: 2027-07-01
tests:
  - name: x
    state: { people: { stu-s: { username: ssummer29, role: student, grade: 10, school: MHS } } }
    expect: { stu-s: { lifecycle: active } }
`, 'stu-s');
    expect(held.sis).toBeNull();
    expect(held.lifecycle).toMatchObject({ state: 'active', rule: 'summer-2027', date: '2027-08-16' });
    expect(held.lifecycle?.timers).toEqual([expect.objectContaining({ field: 'missing_since', value: '2027-07-01' })]);
    expect(held.username.story).toMatchObject({ username: 'ssummer29' });

    const gone = explain(`
now: 2026-10-01
tests:
  - name: x
    state: { people: { stu-g: { username: kgone29, role: student, grade: 10, school: MHS } } }
    expect: { stu-g: { lifecycle: suspended } }
`, 'stu-g', (snaps) => {
      snaps[0]!.accounts.push({ id: 'acct-1', anchor: 'stu-g', username: 'kgone29', givenName: 'K', familyName: 'Gone', displayName: 'K Gone', email: 'kgone29@students.maplewood.k12.example', path: 'Students/MHS/2029', enabled: true, aliases: [] });
    });
    expect(gone.lifecycle).toMatchObject({ state: 'suspended', rule: 'lifecycle.withdrawal' });
    expect(gone.placement.note).toContain('lifecycle.withdrawal');
    expect(gone.targets[0]!.account).toMatchObject({ id: 'acct-1', username: 'kgone29', enabled: true });
    expect(gone.targets[0]!.changes.map((c) => `${c.action}:${c.reason.rule ?? ''}`).sort()).toEqual(['disable:lifecycle.withdrawal', 'move:lifecycle.withdrawal']);
    const text = renderExplanation(gone);
    expect(text).toContain('Lifecycle: suspended (rule lifecycle.withdrawal, date 2026-10-01)');
    expect(text).toContain('account: kgone29 at Students/MHS/2029, enabled [acct-1]');
    expect(text).toMatch(/planned: move account from path=Students\/MHS\/2029 to path=Inactive\/Students/);
  });

  it('a person in the export with no eligible role is explained as the plan holds them: no rule of the other role, nothing placed or removed until the suspension', () => {
    // A senior whose only role left is guardian (no policy provisions it): the account, with
    // its student email, path and groups, is held as it is for the graduation stage's 30 days.
    const account = (snaps: TargetSnapshot[]): void => {
      snaps[0]!.accounts.push({ id: 'acct-g', anchor: 'stu-g', username: 'gguard27', givenName: 'Gia', familyName: 'Guard', displayName: 'Gia Guard', email: 'gguard27@students.maplewood.k12.example', path: 'Students/MHS/2027', enabled: true, aliases: [] });
    };
    const fixture = (now: string, missingSince: string): string => `
now: ${now}
tests:
  - name: x
    state: { people: { stu-g: { username: gguard27, role: student, grade: 12, school: MHS, gradYear: 2027${missingSince ? `, missingSince: ${missingSince}` : ''} } } }
    people:
      - { id: stu-g, given: Gia, family: Guard, role: guardian, school: MHS, grade: 12 }
    expect: { stu-g: { lifecycle: active } }
`;
    const held = explain(fixture('2026-10-01', ''), 'stu-g', account);
    expect(held.sis).toMatchObject({ role: 'guardian', eligibility: 'ineligible' });
    expect(held.lifecycle).toMatchObject({ state: 'active', rule: 'lifecycle.graduation', date: '2026-10-31' });
    expect(held.targets[0]!.changes).toEqual([]);
    // The plan renders nothing from the guardian row: no staff email rule, no placement.
    expect([...held.email.rules, ...held.displayName.rules, ...held.placement.rules, ...held.groups.rules, ...held.password.rules, ...held.username.rules]).toEqual([]);
    expect(held.email.template).toBeNull();
    expect(held.placement.template).toBeNull();
    expect(held.placement.note).not.toContain('placed by');
    expect(held.placement.note).toContain('held');
    const text = renderExplanation(held);
    expect(text).not.toContain('staff-email');
    expect(text).toContain('Email: (kept as it is)');
    expect(text).toMatch(/Groups: \(kept as they are/);
    expect(text).toContain('desired: path (leave in place); groups (kept as they are)');
    // No username rule was tried, so none "does not match": the name held stays.
    expect(held.username.story).toMatchObject({ username: 'gguard27', how: 'kept' });
    expect(text).toContain('Username: gguard27: kept, the person is not planned from the SIS');
    expect(text).not.toContain('no username rule matches');

    // Suspended: disabled, moved to the cohort's Alumni path, out of every group; the email stays.
    const suspended = explain(fixture('2026-11-15', '2026-10-01'), 'stu-g', account);
    expect(suspended.lifecycle).toMatchObject({ state: 'suspended', rule: 'lifecycle.graduation' });
    expect(suspended.targets[0]!.changes.map((c) => c.action).sort()).toEqual(['disable', 'move']);
    expect(suspended.targets[0]!.path).toBe('Alumni/2027');
    expect(suspended.email.rules).toEqual([]);
    expect(suspended.email.template).toBeNull();
    expect(suspended.placement).toMatchObject({ rules: [], template: 'Alumni/{gradYear}' });
    const after = renderExplanation(suspended);
    expect(after).not.toContain('staff');
    expect(after).toContain('Email: (kept as it is)');
    expect(after).toContain('Groups: (none)');
  });
});
