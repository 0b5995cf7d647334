import { describe, expect, it } from 'vitest';
import { applyAllowList, type DriftAllowPolicy } from '../../engine/drift/allow.js';
import { parseDriftAllow } from '../../engine/drift/allow-load.js';
import { globToRegExp } from '../../engine/drift/glob.js';
import type { DriftItem } from '../../engine/drift/model.js';

function item(over: Partial<DriftItem>): DriftItem {
  return { id: 'x', category: 'orphan-account', severity: 'high', origin: 'outside', target: 'sandbox', school: '', attrs: [], detail: '', fixedBy: [], ...over };
}

describe('drift allow-list globs', () => {
  it.each([
    ['Students/*/Kiosks/**', 'Students/MHS/Kiosks/Lab', true],
    ['Students/*/Kiosks/**', 'Students/MHS/Kiosks', true],
    ['Students/*/Kiosks/**', 'Students/MHS/2030/Kiosks/Lab', false],
    ['Staff/**', 'Staff/MHS', true],
    ['Staff/**', 'Staffing', false],
    ['**/Lab', 'Students/MHS/Lab', true],
    ['**/Lab', 'Lab', true],
    ['svc-*', 'svc-print', true],
    ['svc-*', 'svc-a/b', false],
    ['kiosk0?', 'kiosk01', true],
    ['a.b', 'axb', false],
    ['a+(b)', 'a+(b)', true],
  ])('%s matches %s: %s', (glob, value, expected) => {
    expect(globToRegExp(glob).test(value)).toBe(expected);
  });
});

describe('applyAllowList', () => {
  const allow: DriftAllowPolicy = {
    file: 'policy/drift-allow.yaml',
    privilegedGroups: [],
    allow: [
      { index: 0, category: 'orphan-account', path: 'Students/*/Kiosks/**', reason: 'kiosks', expires: '2026-10-01', source: { file: 'policy/drift-allow.yaml', line: 3, column: 5 } },
      { index: 1, category: 'privileged-member', group: 'domain-admins', username: 'itadmin', reason: 'IT', expires: '2026-09-30' },
      { index: 2, category: 'attribute-changed', anchor: 'nobody', reason: 'unused', expires: '2027-01-01' },
    ],
  };
  const items = [
    item({ id: 'a', path: 'Students/MHS/Kiosks/1' }),
    item({ id: 'b', path: 'Students/MHS/2030' }),
    item({ id: 'c', category: 'privileged-member', group: 'domain-admins', username: 'itadmin' }),
    item({ id: 'd', category: 'unexpected-enabled', path: 'Students/MHS/Kiosks/1' }),
  ];

  it('allows what matches category and every selector, through the expiry day inclusive', () => {
    const out = applyAllowList(items, allow, '2026-10-01T23:59:00Z');
    expect(out.allowed.map((i) => i.id)).toEqual(['a']);
    expect(out.allowed[0]!.allow).toEqual({ index: 0, reason: 'kiosks', expires: '2026-10-01', source: { file: 'policy/drift-allow.yaml', line: 3, column: 5 } });
    expect(out.items.map((i) => i.id)).toEqual(['b', 'c', 'd']);
  });

  it('stops applying an expired entry, reports its items and warns; warns about unused entries', () => {
    const out = applyAllowList(items, allow, '2026-10-02T00:00:00Z');
    expect(out.allowed).toEqual([]);
    expect(out.items.map((i) => i.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(out.warnings.map((w) => [w.code, w.path])).toEqual([
      ['drift.allow-expired', '/allow/0/expires'],
      ['drift.allow-expired', '/allow/1/expires'],
      ['drift.allow-unused', '/allow/2'],
    ]);
    expect(out.warnings[0]!.summary).toMatch(/expired on 2026-10-01.*1 item/);
    expect(out.warnings[0]!.source).toEqual({ file: 'policy/drift-allow.yaml', line: 3, column: 5 });
  });
});

describe('parseDriftAllow', () => {
  const file = 'policy/drift-allow.yaml';

  it('reads entries with their positions and sorted privileged groups', () => {
    const text = [
      '# yaml-language-server: $schema=../schemas/drift-allow.schema.json',
      'privilegedGroups: [b-admins, a-admins]',
      'allow:',
      '  - category: orphan-account',
      '    path: "Staff/Service/**"',
      '    reason: print server',
      '    expires: 2027-01-31',
      '',
    ].join('\n');
    const { allow, diagnostics } = parseDriftAllow(file, text);
    expect(diagnostics).toEqual([]);
    expect(allow.privilegedGroups).toEqual(['a-admins', 'b-admins']);
    expect(allow.allow).toEqual([{ index: 0, category: 'orphan-account', path: 'Staff/Service/**', reason: 'print server', expires: '2027-01-31', source: { file, line: 4, column: 5 } }]);
  });

  it('reports every mistake with file, line and column', () => {
    const text = [
      'allow:',
      '  - category: orphans',
      '    path: "x"',
      '    reason: r',
      '    expires: 2027-02-30x',
      '  - category: orphan-account',
      '    reason: no selector',
      '    expires: 2027-01-01',
      '  - category: orphan-account',
      '    path: y',
      '    expires: 2027-01-01',
      '    resaon: typo',
      '',
    ].join('\n');
    const { diagnostics } = parseDriftAllow(file, text);
    const got = diagnostics.map((d) => `${d.source?.line}:${d.source?.column} ${d.code}`).sort();
    expect(got).toEqual([
      '12:5 policy.unknown-key',
      '2:15 policy.enum',
      '5:14 policy.format',
      '6:5 drift.allow-selector',
      '9:5 policy.missing-key',
    ].sort());
    expect(diagnostics.every((d) => d.severity === 'error' && d.source?.file === file)).toBe(true);
  });

  it('reports a YAML syntax error at its line', () => {
    const { diagnostics } = parseDriftAllow(file, 'allow:\n  - { category: orphan-account\n');
    expect(diagnostics[0]).toMatchObject({ severity: 'error', code: 'policy.yaml-syntax', source: { file, line: 2 } });
  });
});
