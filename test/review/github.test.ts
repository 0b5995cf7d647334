import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { annotation, annotationPath, appendStepSummary, emitAnnotations, githubMode, setOutput } from '../../cli/github.js';
import { headlineOf } from '../../engine/impact/headline.js';
import { personDelta, personKey } from '../../engine/impact/population.js';
import { diffRules } from '../../engine/impact/rules.js';
import type { ImpactEntry } from '../../engine/impact/types.js';
import { errorDiag, warningDiag } from '../../engine/model/diagnostics.js';

describe('GitHub Actions output', () => {
  it('annotates a policy error on its file, line and column, relative to the repository root', () => {
    const d = errorDiag('policy.enum', 'renames: "sometimes" is not one of keep, rename, approve.', { source: { file: 'policy/naming.yaml', line: 38, column: 10 } });
    expect(annotation(d, '/repo/districts/maplewood', '/repo')).toBe('::error file=districts/maplewood/policy/naming.yaml,line=38,col=10,title=rollcall policy.enum::renames: "sometimes" is not one of keep, rename, approve.');
  });

  it('escapes newlines and percent signs in messages, and commas and colons in properties', () => {
    const d = warningDiag('x,y', '50% of\nstudents', { source: { file: 'a:b,c.yaml' }, detail: 'more' });
    expect(annotation(d, '/r', '/r')).toBe('::warning file=a%3Ab%2Cc.yaml,title=rollcall x%2Cy::50%25 of%0Astudents%0Amore');
  });

  it('leaves a path outside the workspace absolute, and omits what the diagnostic does not know', () => {
    expect(annotationPath('/elsewhere/x.yaml', '/repo', '/repo')).toBe('/elsewhere/x.yaml');
    expect(annotation(errorDiag('sis.read', 'cannot read the export'), '/r', '/r')).toBe('::error title=rollcall sis.read::cannot read the export');
    const lines: string[] = [];
    expect(emitAnnotations([errorDiag('a', 'b'), warningDiag('c', 'd')], '/r', { GITHUB_WORKSPACE: '/r' }, (l) => lines.push(l))).toBe(2);
    expect(lines.map((l) => l.slice(0, 9))).toEqual(['::error t', '::warning']);
  });

  it('detects Actions, and writes the step summary and multi-line outputs to the runner files', () => {
    expect(githubMode(undefined, { GITHUB_ACTIONS: 'true' })).toBe(true);
    expect(githubMode(undefined, {})).toBe(false);
    expect(githubMode(false, { GITHUB_ACTIONS: 'true' })).toBe(false);
    const dir = mkdtempSync(join(tmpdir(), 'rollcall-gh-'));
    const env = { GITHUB_STEP_SUMMARY: join(dir, 'summary'), GITHUB_OUTPUT: join(dir, 'out') };
    expect(appendStepSummary('# one', env)).toBe(true);
    expect(appendStepSummary('# two\n', env)).toBe(true);
    expect(readFileSync(env.GITHUB_STEP_SUMMARY, 'utf8')).toBe('# one\n# two\n');
    expect(setOutput('accept', 'a\nb', env)).toBe(true);
    expect(readFileSync(env.GITHUB_OUTPUT, 'utf8')).toMatch(/^accept<<(rollcall_\w+)\na\nb\n\1\n$/);
    expect(appendStepSummary('x', {})).toBe(false);
  });
});

describe('impact building blocks', () => {
  const entry = (change: ImpactEntry['change'], kind: ImpactEntry['kind'], action: ImpactEntry['action']): ImpactEntry => ({ key: `t:${kind}:${Math.random()}:${action}`, change, target: 't', kind, action, rule: 'r', school: '' });

  it('states disables and deletions even at zero, and counts what the change takes out of the plan', () => {
    expect(headlineOf([])).toBe('This change has no effect on the directories today.');
    expect(headlineOf([entry('added', 'account', 'rename'), entry('added', 'account', 'rename'), entry('added', 'group', 'create'), entry('removed', 'account', 'move')]))
      .toBe('This change renames 2 accounts, creates 1 group; 0 disables, 0 deletions; it takes 1 pending change out of the plan.');
    expect(headlineOf([entry('altered', 'account', 'disable'), entry('added', 'account', 'delete')])).toBe('This change adds no new changes; 1 disable, 1 deletion.');
  });

  it('diffs rule digests into added, removed and modified rules', () => {
    expect(diffRules({ a: '1', b: '2', c: '3' }, { a: '1', b: '9', d: '4' })).toEqual([
      { rule: 'b', change: 'modified', base: '2', head: '9' },
      { rule: 'c', change: 'removed', base: '3' },
      { rule: 'd', change: 'added', head: '4' },
    ]);
  });

  it('tells joined, left and changed people from the same people', () => {
    const k = (a: string) => personKey(a);
    const approved = { count: 3, people: { [k('same')]: 'x', [k('left')]: 'y', [k('edited')]: 'z', [k('synced')]: 'w' }, pending: { [k('synced')]: 'create' } };
    const current = { count: 3, people: { [k('same')]: 'x', [k('joined')]: 'v', [k('edited')]: 'z2', [k('synced')]: 'w' }, pending: {} };
    expect(['same', 'joined', 'left', 'edited', 'synced', 'absent'].map((a) => personDelta(a, approved, current))).toEqual(['same', 'joined', 'left', 'changed', 'changed', 'same']);
  });
});
