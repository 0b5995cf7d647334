import { beforeAll, describe, expect, it } from 'vitest';
import Explain, { PII_NOTICE } from '../../cli/commands/explain.js';
import { peopleWithRole, scratchDistrict } from '../helpers/district.js';
import { join } from 'node:path';
import { runCommand } from '../helpers/run-command.js';

const NOW = '2026-10-01';

describe('rollcall explain on the example district', () => {
  let dir: string;
  let student: string;
  let teacher: string;
  beforeAll(() => {
    dir = scratchDistrict('rollcall-explain-');
    student = peopleWithRole(join(dir, 'sis'), 'student').find((_, i) => i === 1500)!;
    teacher = peopleWithRole(join(dir, 'sis'), 'teacher')[0]!;
  });

  it('explains a student rule by rule, with the PII notice on stderr only', async () => {
    const out = await runCommand(Explain, [student, '--dir', dir, '--now', NOW]);
    expect(out.code).toBe(0);
    expect(out.stderr).toBe(PII_NOTICE);
    expect(out.stdout).toContain(`Person ${student} at 2026-10-01T12:00:00.000Z`);
    expect(out.stdout).toMatch(/^Username: \S+: issued, /m);
    expect(out.stdout).toMatch(/^ {4}✓ students \(policy\/naming\.yaml:\d+:\d+\)$/m);
    expect(out.stdout).toMatch(/^ {4}✗ staff \(policy\/naming\.yaml:\d+:\d+\): not tried: an earlier rule matched$/m);
    expect(out.stdout).toMatch(/^ {4}✗ school-staff \(policy\/groups\.yaml:\d+:\d+\): role is student; the rule wants teacher, aide/m);
    expect(out.stdout).toMatch(/^Target sandbox:\n {2}account: \(none linked by anchor\)\n {2}desired: path Students\/\w+\/20\d\d;/m);
    expect(out.stdout).toMatch(/^ {2}planned: create account to username=\S+ .* \(sis students: /m);
    expect(out.stdout).toMatch(/^ {2}planned: add membership \w+-students \(sis school-students: \d+ member\(s\)/m);
  });

  it('--json gives the same explanation as data', async () => {
    const out = await runCommand(Explain, [teacher, '--dir', dir, '--now', NOW, '--json']);
    const e = JSON.parse(out.stdout) as { anchor: string; sis: { role: string }; username: { rules: { rule: string; matched: boolean; why?: string }[] } };
    expect(e.anchor).toBe(teacher);
    expect(e.sis.role).toBe('teacher');
    expect(e.username.rules.map((r) => [r.rule, r.matched, r.why])).toEqual([['students', false, 'role is teacher; the rule wants student'], ['staff', true, undefined]]);
  });

  it('an unknown sourcedId is an input error (exit 1)', async () => {
    const out = await runCommand(Explain, ['no-such-person', '--dir', dir, '--now', NOW]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('no person with sourcedId "no-such-person"');
  });
});
