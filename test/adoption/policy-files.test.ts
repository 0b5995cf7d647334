import { describe, expect, it } from 'vitest';
import { parsePolicyFiles, type PolicyFile } from '../../engine/policy/load.js';

/** The adoption policy files: schema, cross-references and normalization, with positions. */

const ROOT = `version: 1
district: { name: Test, domain: test.example }
roles: [student, teacher]
schools: [{ code: MHS, name: High }]
sis: { format: oneroster-csv, path: sis }
targets:
  sandbox: { provider: sandbox }
`;

async function load(files: Record<string, string>, root = ROOT) {
  const list: PolicyFile[] = [{ path: 'rollcall.yaml', text: root }, ...Object.entries(files).map(([path, text]) => ({ path, text }))];
  return parsePolicyFiles(list);
}

describe('adoption policy files', () => {
  it('defaults: no matchers, nothing excluded, adoption off', async () => {
    const { policy, diagnostics } = await load({});
    expect(diagnostics).toEqual([]);
    expect(policy.correlation).toEqual({ matchers: [], scope: [] });
    expect(policy.exclusions).toEqual([]);
    expect(policy.overrides).toEqual([]);
    expect(policy.decisions).toEqual([]);
    expect(policy.adoption).toEqual({ enabled: false, renames: 'keep', allowDisable: false });
  });

  it('normalizes matchers in order, with per-kind defaults and compiled templates', async () => {
    const { policy, diagnostics } = await load({
      'policy/correlation.yaml': `scope: [Students]
matchers:
  - { match: anchor, confidence: strong }
  - { id: mail, match: email, template: "{given|lower}.{family|lower}@old.example", confidence: strong }
  - { match: attribute, attribute: extra.employeeNumber, field: userIds.StateID, confidence: strong, targets: [sandbox] }
  - { match: name, with: school, confidence: weak }
`,
    }, `${ROOT}adoption: { renames: rename }\n`);
    expect(diagnostics).toEqual([]);
    const m = policy.correlation!.matchers;
    expect(m.map((x) => [x.origin.id, x.kind, x.attribute, x.field, x.confidence])).toEqual([
      ['correlation.matchers[0]', 'anchor', 'anchor', 'identifier', 'strong'],
      ['mail', 'email', 'email', null, 'strong'],
      ['correlation.matchers[2]', 'attribute', 'extra.employeeNumber', 'userIds.StateID', 'strong'],
      ['correlation.matchers[3]', 'name', '', null, 'weak'],
    ]);
    expect(m[1]!.template?.text).toBe('{given|lower}.{family|lower}@old.example');
    expect(m[3]!.with).toBe('school');
    expect(policy.correlation!.scope).toEqual(['Students']);
    expect(policy.adoption).toEqual({ enabled: true, renames: 'rename', allowDisable: false });
  });

  it('reports mistakes with file and line: unknown keys, bad templates, unknown targets, selector-less exclusions, half decisions', async () => {
    const { diagnostics } = await load({
      'policy/correlation.yaml': `matchers:
  - { match: email, template: "{given|nosuch}@x", confidence: strong }
  - { match: attribute, field: identifier, confidence: strong }
  - { match: name, confidence: weak, targets: [sandbx] }
  - { match: username, confidence: maybe }
`,
      'policy/exclusions.yaml': `accounts:
  - { reason: forgot the selector }
  - { username: svc, reason: ok, colour: red }
`,
      'policy/overrides.yaml': `overrides:
  - { person: p1, attribute: displayName, value: X, reason: r, expires: 2027-01-01, targets: [sandbox] }
  - { person: p1, attribute: email, value: x@y, reason: r, expires: not-a-date }
`,
      'decisions/case-1.yaml': `decisions:
  - { target: sandbox, account: u1, person: p1, notAPerson: true, reason: both }
  - { target: sandbox, account: u2, notAPerson: true }
  - { target: sandbox, account: null, person: p3 }
`,
    });
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const at = errors.map((d) => `${d.source?.file}:${d.source?.line}:${d.code}`).sort();
    expect(at).toEqual([
      'decisions/case-1.yaml:2:policy.decision',
      'decisions/case-1.yaml:3:policy.decision-reason',
      'policy/correlation.yaml:2:policy.template',
      'policy/correlation.yaml:3:policy.correlation-attribute',
      'policy/correlation.yaml:4:policy.unknown-target',
      'policy/correlation.yaml:5:policy.enum',
      'policy/exclusions.yaml:2:policy.exclusion-selector',
      'policy/exclusions.yaml:3:policy.unknown-key',
      'policy/overrides.yaml:2:policy.override-targets',
      'policy/overrides.yaml:3:policy.format',
    ].sort());
  });

  it('reads decisions files, skipping entries nobody has filled in', async () => {
    const { policy, diagnostics } = await load({
      'decisions/a.yaml': `decisions:
  - { target: sandbox, account: u1, person: p1 }
  - { target: sandbox, account: null, person: p2 }
  - { target: sandbox, account: kiosk7, notAPerson: true, reason: shared kiosk }
`,
    });
    expect(diagnostics).toEqual([]);
    expect(policy.decisions!.map((d) => [d.origin.id, d.account, d.person, d.notAPerson])).toEqual([
      ['decisions/a.yaml[0]', 'u1', 'p1', false],
      ['decisions/a.yaml[2]', 'kiosk7', null, true],
    ]);
    expect(policy.decisions![0]!.origin.source).toMatchObject({ file: 'decisions/a.yaml', line: 2 });
  });
});
