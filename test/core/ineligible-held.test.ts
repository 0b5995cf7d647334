import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TargetSnapshot } from '../../engine/model/accounts.js';
import type { Policy } from '../../engine/model/policy.js';
import { computePlan } from '../../engine/plan/build-plan.js';
import { buildFixture } from '../../engine/policytest/fixture.js';
import { parseTestFile } from '../../engine/policytest/parse.js';
import { loadPolicyInput, targetConstraints } from '../../engine/run/inputs.js';
import { scratchDistrict } from '../helpers/district.js';

/**
 * A person in the export holding no eligible role (here only a guardian row) is planned like a
 * person gone from it (test/e2e/grace-ineligible): no rule renders anything from their facts.
 * That includes the username: a username rule that matches anyone (no `when`) must not ask for
 * a rename approval while the account is held, nor rename it when it is suspended; a person
 * gone from the export keeps their username through both. The plan's SIS line counts the lost
 * role once, as it counts a person gone once.
 */

async function policyWith(renames: 'approve' | 'rename'): Promise<Policy> {
  const dir = scratchDistrict('rollcall-ineligible-held-');
  const naming = join(dir, 'policy', 'naming.yaml');
  const text = readFileSync(naming, 'utf8');
  const edited = text
    .replace('\nemail:', '  - id: everyone-else\n    templates: ["x{identifier}"]\n    collision: { strategy: number, minDigits: 1, start: 2 }\n    maxLength: 20\n\nemail:')
    .replace('renames: keep', `renames: ${renames}`);
  expect(edited).toContain('everyone-else');
  expect(edited).toContain(`renames: ${renames}`);
  writeFileSync(naming, edited);
  return (await loadPolicyInput({ dir })).policy;
}

const ACCOUNT = { id: 'acct-g', anchor: 'stu-g', username: 'gguard27', givenName: 'Gia', familyName: 'Guard', displayName: 'Gia Guard', email: 'gguard27@students.maplewood.k12.example', enabled: true, aliases: [] };

function plan(policy: Policy, now: string, missingSince: string, inExport: boolean) {
  const yaml = `
now: ${now}
tests:
  - name: x
    state: { people: { stu-g: { username: gguard27, role: student, grade: 12, school: MHS, gradYear: 2027${missingSince ? `, missingSince: ${missingSince}` : ''} } } }
    people: ${inExport ? '\n      - { id: stu-g, given: Gia, family: Guard, identifier: 4001, role: guardian, school: MHS, grade: 12 }' : '[]'}
    expect: { stu-g: { lifecycle: active } }
`;
  const parsed = parseTestFile('inline.yaml', yaml);
  expect(parsed.diagnostics).toEqual([]);
  const tc = parsed.cases[0]!;
  const fx = buildFixture(tc, policy);
  const snapshots: TargetSnapshot[] = fx.snapshots.map((s, i) => (i === 0 ? { ...s, accounts: [{ ...ACCOUNT, path: 'Students/MHS/2027' }] } : s));
  return computePlan({
    policy, policyDigest: 'x', policyCommit: null, roster: fx.roster, sisDigest: 'x', sisWarnings: [], state: fx.state,
    snapshots, constraints: targetConstraints(policy), now: tc.now,
  });
}

describe('a person in the export with no eligible role left, beside a person gone from it', () => {
  let approve: Policy;
  let rename: Policy;
  beforeAll(async () => {
    approve = await policyWith('approve');
    rename = await policyWith('rename');
  });

  it('under a username rule that matches anyone: asks no rename approval while the account is held (grace period)', () => {
    for (const inExport of [false, true]) {
      const { plan: p } = plan(approve, '2026-10-01', '', inExport);
      expect(p.decisions.filter((d) => d.anchor === 'stu-g')).toEqual([]);
      expect(p.changes.filter((c) => c.anchor === 'stu-g')).toEqual([]);
    }
  });

  it('under a username rule that matches anyone: keeps the username when the account is suspended', () => {
    const story = (inExport: boolean) => {
      const { plan: p, identities } = plan(rename, '2026-11-15', '2026-10-01', inExport);
      return { changes: p.changes.filter((c) => c.anchor === 'stu-g').map((c) => `${c.action} ${JSON.stringify(c.after)}`).sort(), username: identities.find((i) => i.anchor === 'stu-g')?.username };
    };
    const gone = story(false);
    expect(gone.username).toBe('gguard27');
    expect(gone.changes).toEqual(['disable {"enabled":false}', 'move {"path":"Alumni/2027"}']);
    expect(story(true)).toEqual(gone);
  });

  it('counts the lost role once in the SIS line, on the plan that starts the grace period, as a person gone is counted once', () => {
    const changes = (now: string, missingSince: string, inExport: boolean) => plan(approve, now, missingSince, inExport).plan.inputs.sis_changes;
    expect(changes('2026-10-01', '', false)).toEqual({ added: 0, gone: 1, changed: 0 });
    expect(changes('2026-10-01', '', true)).toEqual({ added: 0, gone: 0, changed: 1 });
    // Since the apply that recorded missing_since nothing has changed in the export: not counted again.
    for (const now of ['2026-10-02', '2026-11-15']) {
      expect(changes(now, '2026-10-01', false)).toEqual({ added: 0, gone: 0, changed: 0 });
      expect(changes(now, '2026-10-01', true)).toEqual({ added: 0, gone: 0, changed: 0 });
    }
  });
});

