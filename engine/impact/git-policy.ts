import { errorDiag } from '../model/diagnostics.js';
import { InputError } from '../model/errors.js';
import { fileRole } from '../policy/sections.js';
import type { PolicyFile } from '../policy/load.js';

/**
 * The policy files as they were at a git ref, read with `git show` (nothing is checked
 * out, the working tree is untouched). Only policy files are read: the SIS, state and
 * targets are the same for both sides of an impact and come from the working tree.
 * The policy repo may be a sub-folder of the git repository (examples/maplewood).
 */

export interface PolicyAtRef {
  ref: string;
  commit: string;
  files: PolicyFile[];
}

function refError(ref: string, why: string): InputError {
  return new InputError([errorDiag('impact.ref', `cannot read the policy at ${JSON.stringify(ref)}: ${why}`)]);
}

export async function readPolicyAtRef(dir: string, ref: string): Promise<PolicyAtRef> {
  const { simpleGit } = await import('simple-git');
  const git = simpleGit({ baseDir: dir });
  if (!(await git.checkIsRepo().catch(() => false))) throw refError(ref, `${dir} is not in a git repository`);
  let commit: string;
  try {
    commit = (await git.revparse(['--verify', '--quiet', `${ref}^{commit}`])).trim();
  } catch {
    commit = '';
  }
  if (!commit) throw refError(ref, 'no such commit (in CI, fetch it first: actions/checkout with fetch-depth: 0)');
  const prefix = (await git.revparse(['--show-prefix'])).trim();
  const listing = await git.raw(['ls-tree', '-r', '--name-only', '--full-tree', commit]);
  const files: PolicyFile[] = [];
  for (const full of listing.split('\n').filter(Boolean).sort()) {
    if (!full.startsWith(prefix)) continue;
    const rel = full.slice(prefix.length);
    if (fileRole(rel).kind === 'other') continue;
    files.push({ path: rel, text: await git.show([`${commit}:${full}`]) });
  }
  if (!files.some((f) => fileRole(f.path).kind === 'root')) throw refError(ref, `no rollcall.yaml in ${prefix || 'the repository root'} at ${commit.slice(0, 12)}`);
  return { ref, commit, files };
}
