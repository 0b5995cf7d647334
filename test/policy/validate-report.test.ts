import { describe, expect, it } from 'vitest';
import { errorDiag, warningDiag } from '../../engine/model/diagnostics.js';
import { formatValidateJson, formatValidateText, validateJsonEntries } from '../../engine/policy/validate-report.js';

const diags = [
  warningDiag('policy.schema-comment', 'wrong schema', { source: { file: 'rollcall.yaml', line: 1, column: 3 } }),
  errorDiag('policy.enum', 'renames: "x" is not one of keep, rename, approve.', { source: { file: 'policy/naming.yaml', line: 11, column: 10 }, path: '/renames' }),
  errorDiag('policy.template', 'Unknown field "famly"', { source: { file: 'policy/naming.yaml', line: 5, column: 26 }, path: '/usernames/0/templates/0', detail: '{famly}\n ^' }),
  errorDiag('policy.missing-root', 'No rollcall.yaml', { source: { file: 'rollcall.yaml' } }),
];

describe('validate output', () => {
  it('prints file:line:col lines sorted by position, then a summary', () => {
    const text = formatValidateText(diags);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('policy/naming.yaml:5:26: error: Unknown field "famly" (at /usernames/0/templates/0) [policy.template]');
    expect(lines[1]).toBe('  {famly}');
    expect(lines[3]).toBe('policy/naming.yaml:11:10: error: renames: "x" is not one of keep, rename, approve. (at /renames) [policy.enum]');
    expect(lines[4]).toBe('rollcall.yaml: error: No rollcall.yaml [policy.missing-root]');
    expect(lines[5]).toBe('rollcall.yaml:1:3: warning: wrong schema [policy.schema-comment]');
    expect(lines.at(-1)).toBe('Policy is invalid: 3 errors, 1 warning.');
  });

  it('says so when the policy is valid', () => {
    expect(formatValidateText([])).toBe('Policy is valid.\n');
    expect(formatValidateText([diags[0]!])).toContain('Policy is valid (1 warning).');
  });

  it('gives machines a fixed shape with nulls for what is unknown', () => {
    const entries = validateJsonEntries(diags);
    expect(entries[0]).toEqual({
      severity: 'error',
      code: 'policy.template',
      file: 'policy/naming.yaml',
      line: 5,
      column: 26,
      path: '/usernames/0/templates/0',
      message: 'Unknown field "famly"\n{famly}\n ^',
    });
    expect(entries[2]).toEqual({ severity: 'error', code: 'policy.missing-root', file: 'rollcall.yaml', line: null, column: null, path: null, message: 'No rollcall.yaml' });
    expect(JSON.parse(formatValidateJson(diags))).toEqual(entries);
  });
});
