/** The policy repo's commit (with `-dirty` when the work tree differs), or null outside git. */
export async function policyCommit(dir: string): Promise<string | null> {
  try {
    const { simpleGit } = await import('simple-git');
    const git = simpleGit({ baseDir: dir });
    if (!(await git.checkIsRepo())) return null;
    const head = (await git.revparse(['HEAD'])).trim();
    const status = await git.status(['--porcelain', '--', '.']);
    return status.isClean() ? head : `${head}-dirty`;
  } catch {
    return null;
  }
}
