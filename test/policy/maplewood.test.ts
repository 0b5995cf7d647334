import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadPolicy, loadPolicyOrThrow, type LoadedPolicy } from '../../engine/policy/load.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const maplewood = path.resolve(here, '../../examples/maplewood');

// The example evolves with the product; expectations are read from its text where they can be.
const raw = (rel: string): string => readFileSync(path.join(maplewood, rel), 'utf8');
const rawYaml = (rel: string): Record<string, unknown> => parse(raw(rel)) as Record<string, unknown>;
/** 1-based line and column where `needle` first occurs in the file. */
function posOf(rel: string, needle: string): { line: number; column: number } {
  const lines = raw(rel).split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`${needle} not in ${rel}`);
  return { line: i + 1, column: (lines[i] ?? '').indexOf(needle) + 1 };
}

describe('the maplewood example policy', () => {
  let loaded: LoadedPolicy;
  beforeAll(async () => {
    loaded = await loadPolicy(maplewood);
  });

  it('loads with no diagnostics at all', () => {
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.files.filter((f) => !f.startsWith('decisions/'))).toEqual([
      'policy/correlation.yaml',
      'policy/exclusions.yaml',
      'policy/groups.yaml',
      'policy/lifecycle.yaml',
      'policy/naming.yaml',
      'policy/overrides.yaml',
      'policy/passwords.yaml',
      'policy/placement.yaml',
      'policy/safety.yaml',
      'rollcall.yaml',
    ]);
    expect(loaded.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('loadPolicyOrThrow returns the same policy', async () => {
    const again = await loadPolicyOrThrow(maplewood);
    expect(again.digest).toBe(loaded.digest);
    expect(again.policy.naming.usernames.map((r) => r.origin.id)).toEqual(['students', 'staff']);
  });

  it('reads rollcall.yaml: district, roles, schools, sis, state, targets', () => {
    const p = loaded.policy;
    expect(p.district.domain).toBe('maplewood.k12.example');
    expect(p.roles).toEqual(rawYaml('rollcall.yaml').roles);
    expect(p.roles).not.toContain('guardian');
    expect(p.schools).toEqual(rawYaml('rollcall.yaml').schools);
    expect(p.schools.map((s) => s.code)).toEqual(expect.arrayContaining(['MPE', 'OHE', 'CMS', 'MHS']));
    expect(p.sis).toEqual({ format: 'oneroster-csv', path: 'sis', settings: {} });
    expect(p.state).toEqual({ backend: 'local', settings: { path: '.rollcall/state.json' } });
    expect(p.targets.map((t) => [t.name, t.provider, t.settings.enabled])).toEqual([
      ['ad', 'ldap', false],
      ['entra', 'entra', false],
      ['google', 'google', false],
      ['sandbox', 'sandbox', undefined],
    ]);
    expect(p.targets.find((t) => t.name === 'sandbox')).toEqual(
      { name: 'sandbox', provider: 'sandbox', settings: { path: '.rollcall/sandbox' }, origin: { id: 'targets.sandbox', source: { file: 'rollcall.yaml', ...posOf('rollcall.yaml', 'sandbox:') } } },
    );
  });

  it('compiles naming rules with their origins and fills collision defaults', () => {
    const [students, staff] = loaded.policy.naming.usernames;
    // A rule's origin is its mapping: the `id:` key of `- id: students`.
    expect(students?.origin).toEqual({ id: 'students', source: { file: 'policy/naming.yaml', ...posOf('policy/naming.yaml', 'id: students') } });
    expect(students?.when).toEqual({ role: ['student'] });
    expect(students?.templates.map((t) => t.text)).toEqual([
      '{preferredGiven|first:1}{family}{gradYear|last:2}',
      '{preferredGiven|first:2}{family}{gradYear|last:2}',
      's{identifier}',
    ]);
    // The template's origin is the scalar itself, at its opening quote.
    expect(students?.templates[0]?.origin.source).toEqual({ file: 'policy/naming.yaml', ...posOf('policy/naming.yaml', '"{preferredGiven|first:1}') });
    expect(students?.templates[0]?.parts[0]).toEqual({ kind: 'field', field: 'preferredGiven', filters: [{ name: 'first', args: ['1'] }] });
    expect(students?.collision).toEqual({ strategy: 'number', minDigits: 1, start: 2 });
    const writtenStaff = (rawYaml('policy/naming.yaml').usernames as { when: { role: string[] } }[])[1];
    expect(staff?.when.role).toEqual(writtenStaff?.when.role);
    expect(staff?.when.role?.every((r) => loaded.policy.roles.includes(r))).toBe(true);
    const email = loaded.policy.naming.email;
    expect(email.map((e) => e.origin.id)).toEqual(['student-email', 'staff-email']);
    // No `when:` means everyone.
    expect(email[1]?.when).toEqual({});
    expect(loaded.policy.naming.reserved).toContain('postmaster');
    expect(loaded.policy.naming.renames).toBe('keep');
  });

  it('fills group defaults and makes class fields available to forEach: class rules', () => {
    const rules = loaded.policy.groups.rules;
    expect(rules.map((r) => [r.origin.id, r.forEach, r.membership])).toEqual([
      ['school-students', 'person', 'authoritative'],
      ['school-staff', 'person', 'authoritative'],
      ['grade-cohort', 'person', 'authoritative'],
      ['class-sections', 'class', 'authoritative'],
    ]);
    expect(rules[0]?.description?.text).toBe('All students at {school}');
    expect(rules[1]?.description).toBeUndefined();
    expect(rules[3]?.when).toEqual({ role: ['student', 'teacher'], school: ['CMS', 'MHS'] });
    expect(rules[3]?.name.parts[1]).toEqual({ kind: 'field', field: 'class.code', filters: [{ name: 'lower', args: [] }] });
    expect(rules.every((r) => r.targets.length === 0)).toBe(true);
  });

  it('reads placement, lifecycle, passwords and safety', () => {
    const p = loaded.policy;
    expect(p.placement.rules.map((r) => r.path.text)).toEqual(['Students/{school}/{gradYear}', 'Staff/{school}']);
    expect(p.placement.protectedPaths).toEqual(rawYaml('policy/placement.yaml').protected);
    expect(p.lifecycle.preEnrollmentDays).toBe(14);
    expect(p.lifecycle.graduation).toMatchObject({ suspendAfterDays: 30, deleteAfterDays: 365, origin: { id: 'lifecycle.graduation' } });
    expect(p.lifecycle.graduation.path?.text).toBe('Alumni/{gradYear}');
    expect(p.lifecycle.holds).toEqual([
      {
        origin: { id: 'summer-2027', source: { file: 'policy/lifecycle.yaml', ...posOf('policy/lifecycle.yaml', 'id: summer-2027') } },
        from: '2027-06-12',
        to: '2027-08-16',
        reason: 'Summer break; rosters are rebuilt in August',
        blocks: ['disable', 'delete'],
      },
    ]);
    expect(p.passwords.rules.map((r) => [r.origin.id, r.kind, r.length, r.changeAtNextLogin])).toEqual([
      ['young-students', 'words', 3, false],
      ['older-students', 'random', 14, true],
      ['staff', 'random', 16, true],
    ]);
    // `"01"` stays a grade code; `when` keeps all listed grades.
    expect(p.passwords.rules[0]?.when.grade).toEqual(['PK', 'TK', 'KG', '01', '02', '03']);
    expect(p.safety.limits.disable).toEqual({ count: 100, percent: 5 });
    expect(p.safety.limits.create).toEqual({ count: 2500, percent: null });
    // Not listed in the file: the conservative default stays.
    expect(p.safety.limits.update).toBeUndefined();
    expect(p.safety.maxSisShrinkPercent).toBe(10);
    expect(p.safety.protectedUsernames).toEqual(['superintendent', 'itadmin']);
    expect(p.safety.protectedGroups).toEqual(['domain-admins']);
  });
});
