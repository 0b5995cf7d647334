import { describe, expect, it } from 'vitest';
import type { ObservedAccount, TargetSnapshot } from '../../engine/model/accounts.js';
import type { Person, Roster } from '../../engine/model/people.js';
import { emptyState, type StateDocument } from '../../engine/model/state.js';
import { computePlan } from '../../engine/plan/build-plan.js';
import { parsePolicyFiles } from '../../engine/policy/load.js';
import { SANDBOX_CONSTRAINTS } from '../../engine/resolve/naming/constraints.js';

/** The correlation rules on small hand-made directories, through the pure plan entry. */

const NOW = '2026-10-01T12:00:00.000Z';
const ROOT = `version: 1
district: { name: Test, domain: test.example }
roles: [student]
schools: [{ code: MHS, name: High }, { code: CMS, name: Middle }]
sis: { format: oneroster-csv, path: sis }
targets:
  sandbox: { provider: sandbox }
`;
const CORRELATION = `matchers:
  - { id: mail, match: email, template: "{given|translit|lower}.{family|translit|lower}@old.example", confidence: strong }
  - { id: name, match: name, with: school, confidence: weak }
`;

function person(id: string, given: string, family: string, school = 'o-mhs'): Person {
  return {
    sourcedId: id, enabledUser: true, sisUsername: '', identifier: id.toUpperCase(), userIds: [], givenName: given, familyName: family, middleName: '',
    preferredGivenName: '', preferredFamilyName: '', preferredMiddleName: '', email: '', grades: ['09'],
    roles: [{ role: 'student', orgSourcedId: school, roleType: 'primary' }], enrollments: [], source: { file: 'users.csv', line: 2 },
  };
}

function account(id: string, username: string, given: string, family: string, path = 'Students/MHS', anchor: string | null = null): ObservedAccount {
  return { id, anchor, username, givenName: given, familyName: family, displayName: `${given} ${family}`, email: `${username}@old.example`, path, enabled: true, aliases: [] };
}

async function plan(people: Person[], accounts: ObservedAccount[], files: Record<string, string> = {}, opts: { adoption?: boolean; root?: string; state?: StateDocument } = {}) {
  const all: Record<string, string> = {
    'rollcall.yaml': opts.root ?? ROOT,
    'policy/correlation.yaml': CORRELATION,
    'policy/placement.yaml': 'rules:\n  - { when: { role: student }, path: "Students/{school}" }\n',
    ...files,
  };
  const loaded = await parsePolicyFiles(Object.entries(all).map(([path, text]) => ({ path, text })));
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const roster: Roster = {
    sourceFormat: 'oneroster-1.2-csv', mode: 'bulk', classes: [], academicSessions: [],
    orgs: [{ sourcedId: 'o-mhs', name: 'High', type: 'school', identifier: 'MHS' }, { sourcedId: 'o-cms', name: 'Middle', type: 'school', identifier: 'CMS' }],
    people,
  };
  const snapshot: TargetSnapshot = { target: 'sandbox', accounts, groups: [], containers: ['Students', 'Students/MHS', 'Students/CMS'] };
  return computePlan({
    policy: loaded.policy, policyDigest: loaded.digest, policyCommit: null, roster, sisDigest: '0'.repeat(64), sisWarnings: [],
    state: opts.state ?? emptyState(''), snapshots: [snapshot], constraints: SANDBOX_CONSTRAINTS, now: NOW, ...(opts.adoption ? { adoption: true } : {}),
  }).plan;
}

const actions = (p: Awaited<ReturnType<typeof plan>>, anchor: string) => p.changes.filter((c) => c.anchor === anchor && c.kind === 'account').map((c) => c.action).sort();

describe('correlation outcomes', () => {
  it('matched, ambiguous (claimed twice, or weak only) and unmatched, with a summary', async () => {
    const p = await plan(
      [person('p1', 'José', 'Núñez'), person('p2', 'Ana', 'Lee'), person('p3', 'Ana', 'Lee'), person('p4', 'Kim', 'Park'), person('p5', 'Max', 'Ode', 'o-cms')],
      [account('u1', 'jose.nunez', 'José', 'Núñez'), account('u2', 'ana.lee', 'Ana', 'Lee'), account('u3', 'ana.lee2', 'Ana', 'Lee'), account('u4', 'kpark', 'Kim', 'Park'), account('u9', 'gone.person', 'Gone', 'Person')],
      {}, { adoption: true },
    );
    expect(p.changes.find((c) => c.action === 'adopt')).toMatchObject({ anchor: 'p1', object_id: 'u1', after: { anchor: 'p1', username: 'jose.nunez' }, reason: { cause: 'adoption', rule: 'mail' } });
    expect(actions(p, 'p2')).toEqual([]);
    expect(actions(p, 'p3')).toEqual([]);
    expect(actions(p, 'p4')).toEqual([]); // only a weak (name + school) candidate
    expect(actions(p, 'p5')).toEqual(['create']);
    const amb = p.decisions.filter((x) => x.kind === 'ambiguous-correlation');
    expect(amb.map((x) => [x.anchor, x.candidates])).toEqual([['p2', ['u2', 'u3']], ['p3', ['u2', 'u3']], ['p4', ['u4']]]);
    const { orphan_ids, ...counts } = p.correlation!.targets.sandbox!;
    expect(orphan_ids).toEqual(['u9']);
    expect(counts).toEqual({ linked: 0, matched: 1, decided: 0, ambiguous: 3, unmatched_persons: 1, orphans: 1, out_of_scope: 0, excluded: 0, not_a_person: 0, held_changes: 0 });
    // The adopted account is then managed as usual, after the adopt, keeping its username.
    const update = p.changes.find((c) => c.anchor === 'p1' && c.action === 'update');
    expect(update?.depends_on).toContain('sandbox:account:p1:adopt');
    expect(p.changes.some((c) => c.action === 'rename')).toBe(false);
  });

  it('decisions win over the matchers; stale decisions are warnings; notAPerson is neither orphan nor candidate', async () => {
    const people = [person('p2', 'Ana', 'Lee'), person('p3', 'Ana', 'Lee')];
    const accounts = [account('u2', 'ana.lee', 'Ana', 'Lee'), account('u3', 'ana.lee2', 'Ana', 'Lee'), account('u8', 'robotics', 'Robotics', 'Club')];
    const p = await plan(people, accounts, {
      'decisions/ana-lee.yaml': `decisions:
  - { target: sandbox, person: p2, account: ana.lee2 }
  - { target: sandbox, person: p3, account: u2 }
  - { target: sandbox, account: u8, notAPerson: true, reason: club account }
  - { target: sandbox, person: p3, account: u404 }
`,
    }, { adoption: true });
    const adopts = p.changes.filter((c) => c.action === 'adopt').map((c) => [c.anchor, c.object_id, c.reason.rule]);
    expect(adopts).toEqual([['p2', 'u3', 'decisions/ana-lee.yaml[0]'], ['p3', 'u2', 'decisions/ana-lee.yaml[1]']]);
    expect(p.decisions).toEqual([]);
    expect(p.correlation!.targets.sandbox).toMatchObject({ decided: 2, not_a_person: 1, orphans: 0, ambiguous: 0 });
    expect(p.warnings.map((w) => w.code)).toContain('correlation.decision-ignored');
  });

  it('exclusions: never touched, not orphans, and the owner gets no second account', async () => {
    const p = await plan([person('p1', 'Pat', 'Boss')], [account('u1', 'pboss', 'Pat', 'Boss', 'Students/MHS'), account('k1', 'kiosk1', 'Kiosk', 'One', 'Shared/Kiosks/MHS')], {
      'policy/exclusions.yaml': `accounts:
  - { username: PBOSS, person: p1, reason: by hand }
  - { path: "Shared/**", reason: kiosks }
`,
    }, { adoption: true });
    expect(p.changes).toEqual([]);
    expect(p.decisions).toEqual([]);
    expect(p.correlation!.targets.sandbox).toMatchObject({ excluded: 2, orphans: 0, unmatched_persons: 0 });
  });

  it('adoption mode holds back disables (and lifecycle moves); without it they are planned', async () => {
    // p9 left the SIS; their linked account would be suspended and moved to Inactive.
    const root = ROOT;
    const files = { 'policy/lifecycle.yaml': 'withdrawal: { suspendAfterDays: 0, path: "Inactive" }\n' };
    const accounts = [account('u9', 'left.kid', 'Left', 'Kid', 'Students/MHS', 'p9')];
    const state = emptyState('l');
    state.people.p9 = { username: 'left.kid', first_seen: '2025-01-01T00:00:00Z' };
    const normal = await plan([person('p1', 'New', 'Kid')], accounts, files, { root, state });
    expect(actions(normal, 'p9')).toContain('disable');
    const adopting = await plan([person('p1', 'New', 'Kid')], accounts, files, { root, state, adoption: true });
    expect(actions(adopting, 'p9')).toEqual([]);
    expect(adopting.state_updates.filter((u) => u.anchor === 'p9' && (u.field === 'suspended_at' || u.field === 'delete_after'))).toEqual([]);
    expect(adopting.correlation!.targets.sandbox!.held_changes).toBe(actions(normal, 'p9').length);
    // The same switch written in rollcall.yaml.
    const switched = await plan([person('p1', 'New', 'Kid')], accounts, files, { root: `${ROOT}adoption: true\n`, state });
    expect(actions(switched, 'p9')).toEqual([]);
  });

  it('overrides replace computed attributes, name themselves as the reason, and stop at their expiry', async () => {
    const accounts = [account('u1', 'jose.nunez', 'José', 'Núñez', 'Students/MHS', 'p1')];
    const state = emptyState('l');
    state.people.p1 = { username: 'jose.nunez', first_seen: '2025-01-01T00:00:00Z' };
    const p = await plan([person('p1', 'José', 'Núñez'), person('p2', 'Ana', 'Lee')], accounts, {
      'policy/overrides.yaml': `overrides:
  - { id: court-order, person: p1, attribute: displayName, value: "J. N.", reason: court order 114, expires: 2027-06-30 }
  - { person: p1, attribute: path, value: Students/CMS, reason: attends CMS this term, expires: 2026-12-31 }
  - { person: p2, attribute: email, value: ana@test.example, reason: old, expires: 2026-09-01 }
`,
    }, { state });
    const update = p.changes.find((c) => c.anchor === 'p1' && c.action === 'update');
    expect(update?.after).toMatchObject({ displayName: 'J. N.' });
    expect(update?.reason).toMatchObject({ cause: 'policy', rule: 'court-order' });
    expect(update?.reason.detail).toContain('court order 114');
    const move = p.changes.find((c) => c.anchor === 'p1' && c.action === 'move');
    expect(move?.after).toEqual({ path: 'Students/CMS' });
    expect(move?.reason.rule).toBe('overrides[1]');
    const create = p.changes.find((c) => c.anchor === 'p2' && c.action === 'create');
    expect(create?.after?.email).not.toBe('ana@test.example');
    expect(p.warnings.map((w) => w.code)).toContain('overrides.expired');
  });

  it('attribute matchers read provider extras; email matchers also see aliases', async () => {
    const withExtra = { ...account('u1', 'x1', 'A', 'B'), extra: { employeeNumber: 'P1' } };
    const aliased = { ...account('u2', 'x2', 'C', 'D'), email: 'new@old.example', aliases: ['carl.dunn@old.example'] };
    const p = await plan([person('p1', 'Abe', 'Bell'), person('p2', 'Carl', 'Dunn')], [withExtra, aliased], {
      'policy/correlation.yaml': `matchers:
  - { id: emp, match: attribute, attribute: extra.employeeNumber, field: identifier, confidence: strong }
  - { id: mail, match: email, template: "{given|lower}.{family|lower}@old.example", confidence: strong }
`,
    }, { adoption: true });
    expect(p.changes.filter((c) => c.action === 'adopt').map((c) => [c.anchor, c.object_id, c.reason.rule])).toEqual([['p1', 'u1', 'emp'], ['p2', 'u2', 'mail']]);
  });
});
