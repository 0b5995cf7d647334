import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import Test from '../../cli/commands/test.js';
import { renderSuiteText } from '../../engine/policytest/report.js';
import { runPolicyTests, suiteOk } from '../../engine/policytest/suite.js';
import { MAPLEWOOD } from '../helpers/district.js';
import { runCommand } from '../helpers/run-command.js';

/** A temp copy of the example policy and its tests (no SIS needed: tests carry their own). */
function policyCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-policytest-'));
  for (const part of ['rollcall.yaml', 'policy', 'tests']) cpSync(join(MAPLEWOOD, part), join(dir, part), { recursive: true });
  return dir;
}

function edit(path: string, from: string, to: string): void {
  const text = readFileSync(path, 'utf8');
  expect(text.includes(from), `${path} should contain ${from}`).toBe(true);
  writeFileSync(path, text.replace(from, to));
}

/** 1-based line and column of `needle` inside the line that contains `lineMarker`. */
function position(path: string, lineMarker: string, needle: string): { line: number; column: number } {
  const lines = readFileSync(path, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(lineMarker));
  expect(i).toBeGreaterThanOrEqual(0);
  return { line: i + 1, column: lines[i]!.indexOf(needle) + 1 };
}

describe('rollcall test on the example district', () => {
  it('passes every case of examples/maplewood/tests', async () => {
    const r = await runPolicyTests({ dir: MAPLEWOOD });
    expect(r.diagnostics).toEqual([]);
    expect(r.files).toEqual(['tests/lifecycle.yaml', 'tests/naming.yaml', 'tests/placement-groups.yaml']);
    expect(r.cases.length).toBeGreaterThanOrEqual(20);
    expect(r.cases.filter((c) => !c.ok).map((c) => c.name)).toEqual([]);
    expect(suiteOk(r)).toBe(true);
  });

  it('the command exits 0 and prints one ok line per case', async () => {
    const { stdout, code } = await runCommand(Test, ['--dir', MAPLEWOOD]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\d+ passed, 0 failed \(3 file\(s\)\)$/m);
    expect(stdout).not.toMatch(/FAIL/);
    const json = await runCommand(Test, ['--dir', MAPLEWOOD, '--json']);
    const parsed = JSON.parse(json.stdout) as { ok: boolean; passed: number; failed: number; cases: { ok: boolean; source: { file: string; line: number } }[] };
    expect(json.code).toBe(0);
    expect(parsed).toMatchObject({ ok: true, failed: 0 });
    expect(parsed.cases.every((c) => c.ok && c.source.line > 0)).toBe(true);
  });

  it('fails with a precise diff when the student username rule stops using preferred names', async () => {
    const dir = policyCopy();
    edit(join(dir, 'policy/naming.yaml'), '"{preferredGiven|first:1}{family}{gradYear|last:2}"', '"{given|first:1}{family}{gradYear|last:2}"');
    const r = await runPolicyTests({ dir });
    expect(suiteOk(r)).toBe(false);
    const failures = r.cases.flatMap((c) => c.failures);
    const where = position(join(dir, 'tests/naming.yaml'), 'stu-bobby: { username:', 'username');
    expect(failures).toContainEqual({
      anchor: 'stu-bobby', field: 'username', expected: 'btables29', actual: 'rtables29',
      source: { file: 'tests/naming.yaml', ...where },
    });
    // Only tests about preferred names (and the suffix chain that follows them) break.
    expect(r.cases.filter((c) => !c.ok).map((c) => c.name)).toEqual(['students are named by their preferred given name; staff usernames use the legal name']);
    const text = renderSuiteText(r);
    expect(text).toContain(`tests/naming.yaml:${where.line}:${where.column}: stu-bobby username: expected (-) vs actual (+)`);
    expect(text).toMatch(/^ +- btables29\n +\+ rtables29$/m);

    const cli = await runCommand(Test, ['--dir', dir]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toMatch(/, 1 failed /);
  });

  it('fails on the withdrawal cases when the inactive OU is changed', async () => {
    const dir = policyCopy();
    edit(join(dir, 'policy/lifecycle.yaml'), 'path: "Inactive/Students"', 'path: "Inactive/Withdrawn"');
    const r = await runPolicyTests({ dir });
    const failures = r.cases.flatMap((c) => c.failures);
    expect(failures.map((f) => `${f.anchor} ${f.field} ${f.expected} -> ${f.actual}`).sort()).toEqual([
      'stu-gone path Inactive/Students -> Inactive/Withdrawn',
      'stu-summer path Inactive/Students -> Inactive/Withdrawn',
    ]);
    expect(renderSuiteText(r)).toMatch(/^ +- Inactive\/Students\n +\+ Inactive\/Withdrawn$/m);
  });

  it('fails on the summer-hold cases when the hold is removed, naming rule and date', async () => {
    const dir = policyCopy();
    edit(join(dir, 'policy/lifecycle.yaml'), 'from: 2027-06-12', 'from: 2027-09-12');
    edit(join(dir, 'policy/lifecycle.yaml'), 'to: 2027-08-16', 'to: 2027-09-16');
    const r = await runPolicyTests({ dir });
    const summer = r.cases.find((c) => c.name.startsWith('the summer hold keeps'));
    expect(summer?.ok).toBe(false);
    expect(summer?.failures.find((f) => f.field === 'lifecycle')).toMatchObject({
      expected: 'state: active\nrule: summer-2027\ndate: 2027-08-16',
      actual: 'state: suspended\nrule: lifecycle.withdrawal\ndate: 2027-07-01',
    });
  });

  it('reports fixture mistakes with file:line:col and does not pass', async () => {
    const dir = policyCopy();
    writeFileSync(join(dir, 'tests/broken.yaml'), [
      'now: 2026-10-01',
      'tests:',
      '  - name: typo in a person',
      '    people:',
      '      - { id: a, given: A, family: B, shool: MHS }',
      '    expect:',
      '      a: { username: ab29 }',
      '  - name: unknown school',
      '    people:',
      '      - { id: a, given: A, family: B, school: XYZ }',
      '    expect:',
      '      a: { username: ab29 }',
      '',
    ].join('\n'));
    const r = await runPolicyTests({ dir });
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ code: 'policytest.unknown-key', source: { file: 'tests/broken.yaml', line: 5, column: '      - { id: a, given: A, family: B, shool: MHS }'.indexOf('shool') + 1 } });
    expect(r.diagnostics[0]!.summary).toContain('school');
    expect(suiteOk(r)).toBe(false);

    writeFileSync(join(dir, 'tests/broken.yaml'), readFileSync(join(dir, 'tests/broken.yaml'), 'utf8').replace('shool', 'school'));
    const again = await runPolicyTests({ dir });
    const bad = again.cases.find((c) => c.name === 'unknown school');
    expect(bad?.ok).toBe(false);
    expect(bad?.diagnostics[0]).toMatchObject({ code: 'policytest.unknown-school', source: { file: 'tests/broken.yaml', line: 10 } });
  });
});
