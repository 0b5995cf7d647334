import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../engine/model/errors.js';
import { loadPolicy, loadPolicyOrThrow } from '../../engine/policy/load.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.resolve(here, '../fixtures/policy/ten-mistakes');

/**
 * issue #3 acceptance: a policy with 10 different deliberate mistakes yields 10 precise errors in
 * one run, each with file:line:col. Each expected position was read off the fixture by hand.
 */
const EXPECTED: [file: string, line: number, column: number, code: string, mentions: string][] = [
  // `{school|lowercase}`: the column of `lowercase` inside the quoted template.
  ['policy/groups.yaml', 4, 20, 'policy.template', 'Unknown filter "lowercase"'],
  // Second `id: staff`: at its value.
  ['policy/groups.yaml', 8, 9, 'policy.duplicate-id', 'Duplicate rule id "staff"'],
  ['policy/lifecycle.yaml', 1, 20, 'policy.type', 'preEnrollmentDays'],
  // from 2027-08-16 to 2027-06-12: at `from`'s value.
  ['policy/lifecycle.yaml', 7, 11, 'policy.hold-dates', 'ends before it starts'],
  // `{famly}`: at `f`, after the opening quote and `{given|first:1}{`.
  ['policy/naming.yaml', 5, 26, 'policy.template', 'Unknown field "famly"'],
  // Unknown keys point at the key.
  ['policy/naming.yaml', 7, 5, 'policy.unknown-key', 'Did you mean "maxLength"?'],
  ['policy/naming.yaml', 11, 10, 'policy.enum', '"rename-all" is not one of keep, rename, approve'],
  // The unclosed `{` of `when: { role: student, grade: [KG, "01"]`.
  ['policy/passwords.yaml', 3, 11, 'policy.yaml-syntax', 'is never closed'],
  ['policy/placement.yaml', 3, 42, 'policy.unknown-school', 'Unknown school "XHS"'],
  ['policy/placement.yaml', 9, 7, 'policy.unknown-target', 'Unknown target "google"'],
];

describe('a policy with ten deliberate mistakes', () => {
  it('reports exactly those ten errors, each with file, line and column, in one run', async () => {
    const { diagnostics } = await loadPolicy(fixture);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const got = errors
      .map((d) => [d.source?.file, d.source?.line, d.source?.column, d.code] as const)
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])) || Number(a[1]) - Number(b[1]) || Number(a[2]) - Number(b[2]));
    expect(got).toEqual(EXPECTED.map(([f, l, c, code]) => [f, l, c, code]));
    for (const [file, line, column, , mentions] of EXPECTED) {
      const d = errors.find((e) => e.source?.file === file && e.source.line === line && e.source.column === column);
      expect(d?.summary, `${file}:${line}:${column}`).toContain(mentions);
    }
  });

  it('gives each schema and reference error the JSON path of the offending value', async () => {
    const { diagnostics } = await loadPolicy(fixture);
    const paths = diagnostics.filter((d) => d.source?.file !== 'policy/passwords.yaml').map((d) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/usernames/0/maxLenght',
        '/renames',
        '/preEnrollmentDays',
        '/holds/0/from',
        '/rules/0/when/school/1',
        '/rules/1/targets/google',
        '/groups/2/id',
        '/groups/0/name',
        '/usernames/0/templates/0',
      ]),
    );
  });

  it('makes loadPolicyOrThrow throw an InputError carrying every diagnostic', async () => {
    const err = await loadPolicyOrThrow(fixture).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).diagnostics.filter((d) => d.severity === 'error')).toHaveLength(EXPECTED.length);
    expect((err as InputError).message.split('\n')[0]).toMatch(/^policy\/groups\.yaml:4:20: error: Unknown filter "lowercase"/);
  });
});
