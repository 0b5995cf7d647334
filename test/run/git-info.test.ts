import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { policyCommit } from '../../engine/run/git-info.js';

/**
 * The commit a plan records for its policy: what `git` itself says of a real repository, in a
 * temporary folder outside any other repository.
 */

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function scratch(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'rollcall-gitinfo-'));
  dirs.push(d);
  return d;
}

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8' }).trim();

/** A repository whose policy sits in `policy/`, with one commit holding it and a root README. */
function repo(): { root: string; policy: string; head: string } {
  const root = scratch();
  git(root, 'init', '-q');
  const policy = path.join(root, 'policy');
  mkdirSync(policy);
  writeFileSync(path.join(policy, 'rollcall.yaml'), 'version: 1\n');
  writeFileSync(path.join(root, 'README.md'), 'district\n');
  writeFileSync(path.join(root, '.gitignore'), 'policy/*.local\n');
  git(root, 'add', '.');
  git(root, 'commit', '-q', '-m', 'policy');
  return { root, policy, head: git(root, 'rev-parse', 'HEAD') };
}

describe('policyCommit', () => {
  it('is null outside git and before the first commit', async () => {
    const plain = scratch();
    expect(await policyCommit(plain)).toBeNull();
    git(plain, 'init', '-q');
    writeFileSync(path.join(plain, 'rollcall.yaml'), 'version: 1\n');
    expect(await policyCommit(plain)).toBeNull();
  });

  it('is the commit when the policy folder matches it, from the folder or the root', async () => {
    const r = repo();
    expect(r.head).toMatch(/^[0-9a-f]{40}$/);
    expect(await policyCommit(r.policy)).toBe(r.head);
    expect(await policyCommit(r.root)).toBe(r.head);
  });

  it('marks a changed or an untracked file in the policy folder as -dirty', async () => {
    const r = repo();
    writeFileSync(path.join(r.policy, 'rollcall.yaml'), 'version: 1\n# edited\n');
    expect(await policyCommit(r.policy)).toBe(`${r.head}-dirty`);
    git(r.root, 'checkout', '-q', '--', '.');
    expect(await policyCommit(r.policy)).toBe(r.head);
    writeFileSync(path.join(r.policy, 'naming.yaml'), 'naming: {}\n');
    expect(await policyCommit(r.policy)).toBe(`${r.head}-dirty`);
  });

  it('ignores changes outside the policy folder and ignored files inside it', async () => {
    const r = repo();
    writeFileSync(path.join(r.root, 'README.md'), 'district, edited\n');
    writeFileSync(path.join(r.root, 'notes.txt'), 'untracked at the root\n');
    writeFileSync(path.join(r.policy, 'secrets.local'), 'ignored\n');
    expect(await policyCommit(r.policy)).toBe(r.head);
    expect(await policyCommit(r.root)).toBe(`${r.head}-dirty`);
  });
});
