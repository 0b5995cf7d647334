import { describe, expect, it } from 'vitest';
import { sortDiagnostics, type Diagnostic } from '../../engine/model/diagnostics.js';
import { parsePolicyFiles, type PolicyFile } from '../../engine/policy/load.js';

/** A small valid root; tests add or replace files. */
const ROOT = `version: 1
district: { name: Test, domain: test.k12.example }
roles: [student, teacher]
schools:
  - { code: MHS, name: High }
sis: { format: oneroster-csv, path: sis }
targets:
  sandbox: { provider: sandbox, path: x }
  ad: { provider: ldap, url: "ldaps://dc.test" }
`;

async function load(files: Record<string, string>) {
  const list: PolicyFile[] = Object.entries({ 'rollcall.yaml': ROOT, ...files }).map(([path, text]) => ({ path, text }));
  return parsePolicyFiles(list);
}

function errs(ds: Diagnostic[]): { at: string; code: string; summary: string }[] {
  return sortDiagnostics(ds)
    .filter((d) => d.severity === 'error')
    .map((d) => ({ at: `${d.source?.file}:${d.source?.line}:${d.source?.column}`, code: d.code, summary: d.summary }));
}

describe('defaults', () => {
  it('fills every section when only rollcall.yaml exists', async () => {
    const { policy, diagnostics, files } = await load({});
    expect(diagnostics).toEqual([]);
    expect(files).toEqual(['rollcall.yaml']);
    expect(policy.naming.usernames).toHaveLength(1);
    expect(policy.naming.usernames[0]).toMatchObject({ when: {}, maxLength: 20, collision: { strategy: 'number', minDigits: 1, start: 2 } });
    expect(policy.naming.usernames[0]?.templates.map((t) => t.text)).toEqual(['{given|first:1}{family}', 'u{identifier}']);
    expect(policy.naming.email[0]?.template.text).toBe('{username}@test.k12.example');
    expect(policy.naming.renames).toBe('keep');
    expect(policy.lifecycle.withdrawal).toMatchObject({ suspendAfterDays: 0, deleteAfterDays: null, path: null });
    expect(policy.lifecycle.holds).toEqual([]);
    expect(policy.safety.limits).toEqual({ disable: { count: null, percent: 5 }, delete: { count: null, percent: 2 }, rename: { count: 50, percent: null } });
    expect(policy.passwords.rules).toEqual([{ origin: { id: 'passwords.rules[default]' }, when: {}, kind: 'random', length: 16, changeAtNextLogin: true }]);
    expect(policy.state).toEqual({ backend: 'local', settings: { path: '.rollcall/state.json' } });
    expect(policy.targets.map((t) => [t.name, t.provider, t.settings])).toEqual([
      ['ad', 'ldap', { url: 'ldaps://dc.test' }],
      ['sandbox', 'sandbox', { path: 'x' }],
    ]);
  });

  it('names rules by position when they have no id, and fills rule-level defaults', async () => {
    const { policy, diagnostics } = await load({
      'policy/groups.yaml': 'groups:\n  - name: everyone\n',
      'policy/naming.yaml': 'usernames:\n  - templates: ["{family}"]\n',
      'policy/lifecycle.yaml': 'holds:\n  - { from: 2027-06-01, to: 2027-06-01, reason: one day }\n',
      'policy/passwords.yaml': 'rules:\n  - kind: words\n',
    });
    expect(diagnostics).toEqual([]);
    expect(policy.groups.rules[0]).toMatchObject({ origin: { id: 'groups[0]' }, forEach: 'person', membership: 'authoritative', targets: [], when: {} });
    expect(policy.naming.usernames[0]?.origin).toEqual({ id: 'naming.usernames[0]', source: { file: 'policy/naming.yaml', line: 2, column: 5 } });
    expect(policy.lifecycle.holds[0]).toMatchObject({ origin: { id: 'lifecycle.holds[0]' }, blocks: ['disable', 'delete'] });
    expect(policy.passwords.rules[0]).toMatchObject({ origin: { id: 'passwords.rules[0]' }, kind: 'words', length: 3, changeAtNextLogin: true });
    // An explicit naming file without email rules keeps the domain default.
    expect(policy.naming.email[0]?.template.text).toBe('{username}@test.k12.example');
  });

  it('reads bare grade numbers as CEDS codes and field values as text', async () => {
    const { policy, diagnostics } = await load({
      'policy/passwords.yaml': 'rules:\n  - when: { grade: [KG, 1, 09], gradYear: 2030, fields: { enabledUser: false } }\n    kind: words\n',
    });
    expect(diagnostics).toEqual([]);
    expect(policy.passwords.rules[0]?.when).toEqual({ grade: ['KG', '01', '09'], gradYear: [2030], fields: { enabledUser: ['false'] } });
  });
});

describe('cross-references and other checks', () => {
  it('reports an unknown role, a malformed path, percent over 100, an unknown provider and postgres without connection', async () => {
    const root = ROOT.replace('  ad: { provider: ldap, url: "ldaps://dc.test" }\n', '  ad: { provider: activedirectory }\nstate:\n  backend: postgres\n');
    const { diagnostics } = await load({
      'rollcall.yaml': root,
      'policy/placement.yaml': 'rules:\n  - when: { role: [student, techer] }\n    path: "Students//{school}"\nprotected: ["/Staff"]\n',
      'policy/safety.yaml': 'limits:\n  delete: { percent: 250 }\n',
    });
    expect(errs(diagnostics)).toEqual([
      { at: 'policy/placement.yaml:2:29', code: 'policy.unknown-role', summary: expect.stringContaining('Did you mean "teacher"?') },
      // Column of the empty segment: the second `/` of `//`, after the opening quote.
      { at: 'policy/placement.yaml:3:21', code: 'policy.path', summary: expect.stringContaining('empty segment') },
      { at: 'policy/placement.yaml:4:14', code: 'policy.path', summary: expect.stringContaining('starts with "/"') },
      { at: 'policy/safety.yaml:2:22', code: 'policy.range', summary: expect.stringContaining('<= 100') },
      { at: 'rollcall.yaml:9:19', code: 'policy.enum', summary: expect.stringContaining('"activedirectory" is not one of sandbox, ldap, google, entra') },
      // The mapping that lacks the connection settings.
      { at: 'rollcall.yaml:11:3', code: 'policy.state-connection', summary: expect.stringContaining('connectionEnv') },
    ]);
  });

  it('accepts postgres with connectionEnv and refuses a password in a connection string', async () => {
    const ok = await load({ 'rollcall.yaml': `${ROOT}state: { backend: postgres, connectionEnv: ROLLCALL_PG_URL }\n` });
    expect(ok.diagnostics).toEqual([]);
    expect(ok.policy.state).toEqual({ backend: 'postgres', settings: { connectionEnv: 'ROLLCALL_PG_URL', schema: 'rollcall' } });
    const bad = await load({ 'rollcall.yaml': `${ROOT}state: { backend: postgres, connection: "postgres://u:hunter2@db/x" }\n` });
    expect(errs(bad.diagnostics).map((e) => e.code)).toEqual(['policy.secret-in-policy']);
    expect(JSON.stringify(bad.diagnostics)).not.toContain('hunter2');
  });

  it('points a missing required key at the mapping that lacks it and a bad date at its value', async () => {
    const { diagnostics } = await load({
      'policy/lifecycle.yaml': 'holds:\n  - id: h\n    from: 2027-02-30\n    to: 2027-03-01\n',
      'policy/groups.yaml': 'groups:\n  - id: g\n    targets: [sandbox, gogle]\n',
    });
    expect(errs(diagnostics)).toEqual([
      { at: 'policy/groups.yaml:2:5', code: 'policy.missing-key', summary: 'Missing required key "name" in groups[0]' },
      { at: 'policy/groups.yaml:3:24', code: 'policy.unknown-target', summary: expect.stringContaining('Unknown target "gogle"') },
      { at: 'policy/lifecycle.yaml:2:5', code: 'policy.missing-key', summary: 'Missing required key "reason" in holds[0]' },
      { at: 'policy/lifecycle.yaml:3:11', code: 'policy.format', summary: expect.stringContaining('not a real date') },
    ]);
  });

  it('checks templates by use: class fields only with forEach: class, username only in email', async () => {
    const { diagnostics } = await load({
      'policy/groups.yaml': 'groups:\n  - name: "c-{class.code}"\n  - name: "c-{class.code}"\n    forEach: class\n',
      'policy/naming.yaml': 'usernames:\n  - templates: ["{username}x"]\nemail:\n  - template: "{username}@x.example"\n',
    });
    expect(errs(diagnostics)).toEqual([
      { at: 'policy/groups.yaml:2:15', code: 'policy.template', summary: expect.stringContaining('Unknown field "class.code"') },
      { at: 'policy/naming.yaml:2:19', code: 'policy.template', summary: expect.stringContaining('Unknown field "username"') },
    ]);
  });

  it('puts template errors on the exact character in plain, quoted and block scalars', async () => {
    const { diagnostics } = await load({
      'policy/naming.yaml': [
        'usernames:',
        '  - templates:',
        '      - x{given}{nope}',
        "      - '{given}{nope}'",
        '      - >-',
        '        {given}{nope}',
        'displayName:',
        '  - template: "{given} {family|upper:2}"',
      ].join('\n'),
    });
    const e = errs(diagnostics);
    expect(e.map((x) => x.at)).toEqual(['policy/naming.yaml:3:18', 'policy/naming.yaml:4:18', 'policy/naming.yaml:6:17', 'policy/naming.yaml:8:32']);
    expect(e.slice(0, 3).every((x) => x.summary.includes('Unknown field "nope"'))).toBe(true);
    expect(e[3]?.summary).toContain('upper');
  });

  it('reports unknown keys at the key with a suggestion, including in rollcall.yaml', async () => {
    const { diagnostics } = await load({ 'rollcall.yaml': ROOT.replace('schools:', 'shcools: []\nschools:') });
    expect(errs(diagnostics)).toEqual([{ at: 'rollcall.yaml:4:1', code: 'policy.unknown-key', summary: expect.stringContaining('Did you mean "schools"?') }]);
  });

  it('does not cascade: a broken roles list does not make every role reference an error', async () => {
    const { diagnostics } = await load({
      'rollcall.yaml': ROOT.replace('roles: [student, teacher]', 'roles: student'),
      'policy/passwords.yaml': 'rules:\n  - when: { role: student }\n    kind: random\n',
    });
    expect(errs(diagnostics).map((e) => [e.at, e.code])).toEqual([['rollcall.yaml:3:8', 'policy.type']]);
  });

  it('warns when the $schema comment names another schema', async () => {
    const { diagnostics } = await load({ 'policy/safety.yaml': '# yaml-language-server: $schema=../schemas/naming.schema.json\nmaxSisShrinkPercent: 5\n' });
    expect(diagnostics).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'policy.schema-comment', source: { file: 'policy/safety.yaml', line: 1, column: 33 } }),
    ]);
  });
});

describe('where sections are written', () => {
  it('accepts a section inline in rollcall.yaml and locates its errors there', async () => {
    const { policy, diagnostics } = await load({
      'rollcall.yaml': `${ROOT}naming:\n  usernames:\n    - id: all\n      templates: ["{given}{famly}"]\n`,
    });
    expect(errs(diagnostics)).toEqual([{ at: 'rollcall.yaml:13:28', code: 'policy.template', summary: expect.stringContaining('"famly"') }]);
    expect(diagnostics[0]?.path).toBe('/naming/usernames/0/templates/0');
    expect(policy.naming.usernames[0]?.origin).toEqual({ id: 'all', source: { file: 'rollcall.yaml', line: 12, column: 7 } });
  });

  it('refuses a section written both inline and in its own file, and two files for one section', async () => {
    const { diagnostics } = await load({
      'rollcall.yaml': `${ROOT}safety:\n  maxSisShrinkPercent: 5\n`,
      'policy/safety.yaml': 'maxSisShrinkPercent: 7\n',
      'policy/groups.yaml': 'groups: []\n',
      'policy/groups.yml': 'groups: []\n',
    });
    expect(errs(diagnostics).map((e) => [e.at, e.code])).toEqual([
      ['policy/groups.yml:1:1', 'policy.duplicate-file'],
      ['rollcall.yaml:10:1', 'policy.duplicate-section'],
    ]);
  });

  it('reports a missing rollcall.yaml', async () => {
    const { diagnostics } = await parsePolicyFiles([{ path: 'policy/naming.yaml', text: 'renames: keep\n' }]);
    expect(diagnostics.map((d) => [d.code, d.source?.file])).toEqual([['policy.missing-root', 'rollcall.yaml']]);
  });

  it('reports duplicate YAML keys and only the first syntax error of a file', async () => {
    const { diagnostics } = await load({
      'policy/safety.yaml': 'maxSisShrinkPercent: 5\nmaxSisShrinkPercent: 6\n',
      'policy/naming.yaml': 'usernames: [\n  - x\nrenames: [\n',
    });
    expect(errs(diagnostics).map((e) => [e.at, e.code])).toEqual([
      ['policy/naming.yaml:2:3', 'policy.yaml-syntax'],
      ['policy/safety.yaml:2:1', 'policy.duplicate-key'],
    ]);
  });
});
