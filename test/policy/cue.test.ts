import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sortDiagnostics } from '../../engine/model/diagnostics.js';
import { loadPolicy, parsePolicyFiles } from '../../engine/policy/load.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.resolve(here, '../fixtures/policy/cue');

const ROOT = `district: { name: T, domain: t.example }
roles: [student]
schools: [{ code: MHS, name: High }]
sis: { format: oneroster-csv, path: sis }
targets: { sandbox: { provider: sandbox } }
`;

async function withCue(files: Record<string, string>) {
  const all = Object.entries({ 'rollcall.yaml': ROOT, ...files }).map(([p, text]) => ({ path: p, text }));
  const r = await parsePolicyFiles(all);
  return sortDiagnostics(r.diagnostics).map((d) => ({ at: `${d.source?.file}:${d.source?.line}:${d.source?.column}`, code: d.code, summary: d.summary }));
}

describe('CUE policy files', () => {
  it('evaluates .cue files beside YAML into the same policy', async () => {
    const { policy, diagnostics, files } = await loadPolicy(fixture);
    expect(diagnostics).toEqual([]);
    expect(files).toEqual(['policy/groups.cue', 'policy/naming.cue', 'rollcall.yaml']);
    expect(policy.naming.usernames.map((r) => [r.origin.id, r.maxLength, r.collision.minDigits, r.collision.start])).toEqual([
      ['students', 20, 2, 1],
      ['staff', 16, 2, 1],
    ]);
    expect(policy.naming.usernames[0]?.templates.map((t) => t.text)).toEqual(['{given|first:1}{family}{gradYear|last:2}', 's{identifier}']);
    expect(policy.naming.reserved).toEqual(['admin', 'root']);
    // A comprehension made these; the school codes are still checked against rollcall.yaml.
    expect(policy.groups.rules.map((r) => [r.origin.id, r.name.text, r.when.school])).toEqual([
      ['students-NHS', 'NHS-students', ['NHS']],
      ['students-SHS', 'SHS-students', ['SHS']],
    ]);
    // Origins in CUE are found by scanning the source: `id: "staff"` sits in the second rule.
    expect(policy.naming.usernames[1]?.origin.source?.file).toBe('policy/naming.cue');
    expect(policy.naming.usernames[1]?.origin.source?.line).toBe(18);
  });

  it('validates CUE output with the same schemas and locates errors by scanning the source', async () => {
    const cue = [
      'package policy', //                                      1
      'usernames: [', //                                        2
      '\t{', //                                                 3
      '\t\ttemplates: ["{given}{famly}"]', //                   4
      '\t\tmaxLenght: 20', //                                   5
      '\t\twhen: school: "XHS"', //                             6
      '\t},', //                                                7
      ']', //                                                   8
      'renames: "sometimes"', //                                9
    ].join('\n');
    expect(await withCue({ 'policy/naming.cue': cue })).toEqual([
      // Column of `f` in `{famly}`: tab, tab, `templates: [`, quote, `{given}{`.
      { at: 'policy/naming.cue:4:24', code: 'policy.template', summary: expect.stringContaining('Unknown field "famly"') },
      { at: 'policy/naming.cue:5:3', code: 'policy.unknown-key', summary: expect.stringContaining('Did you mean "maxLength"?') },
      { at: 'policy/naming.cue:6:17', code: 'policy.unknown-school', summary: expect.stringContaining('"XHS"') },
      { at: 'policy/naming.cue:9:10', code: 'policy.enum', summary: expect.stringContaining('"sometimes" is not one of keep, rename, approve') },
    ]);
  });

  it('reports a CUE evaluation error at the field it names, and a syntax error by file', async () => {
    expect(await withCue({ 'policy/safety.cue': 'package policy\n\nmaxSisShrinkPercent: 5\nmaxSisShrinkPercent: 6\n' })).toEqual([
      { at: 'policy/safety.cue:3:1', code: 'policy.cue', summary: expect.stringContaining('conflicting values') },
    ]);
    expect(await withCue({ 'policy/safety.cue': 'limits: {\n' })).toEqual([
      { at: 'policy/safety.cue:undefined:undefined', code: 'policy.cue', summary: expect.stringContaining("expected '}'") },
    ]);
  });

  it('accepts rollcall.cue as the root, and refuses it beside rollcall.yaml', async () => {
    const rootCue = 'district: {name: "T", domain: "t.example"}\nroles: ["student"]\nsis: {format: "oneroster-csv", path: "sis"}\ntargets: sandbox: provider: "sandbox"\n';
    const only = await parsePolicyFiles([{ path: 'rollcall.cue', text: rootCue }]);
    expect(only.diagnostics).toEqual([]);
    expect(only.policy.targets.map((t) => t.name)).toEqual(['sandbox']);
    expect(await withCue({ 'rollcall.cue': rootCue })).toEqual([{ at: 'rollcall.yaml:1:1', code: 'policy.duplicate-file', summary: expect.stringContaining('rollcall.cue') }]);
  });
});
