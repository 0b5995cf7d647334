import { mkdtemp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * Child processes in these tests run the real backend code, but Node 20 cannot run
 * TypeScript. This transpiles an entry file and every relative import it reaches into a
 * temp dir that mirrors the repo layout, with node_modules and schemas linked in.
 */

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface BuiltChildren {
  dir: string;
  /** Absolute path of the transpiled .js for a repo-relative .ts path. */
  js(repoRelativeTs: string): string;
  remove(): Promise<void>;
}

export async function buildChildren(entries: string[]): Promise<BuiltChildren> {
  const dir = await mkdtemp(join(tmpdir(), 'rollcall-children-'));
  await symlink(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
  await symlink(join(REPO, 'schemas'), join(dir, 'schemas'), 'dir');
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  const seen = new Set<string>();
  const queue = entries.map((e) => resolve(REPO, e));
  while (queue.length > 0) {
    const file = queue.pop();
    if (file === undefined || seen.has(file)) continue;
    seen.add(file);
    const source = await readFile(file, 'utf8');
    const out = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, esModuleInterop: true, verbatimModuleSyntax: false },
    });
    const rel = relative(REPO, file).replace(/\.ts$/, '.js');
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), out.outputText);
    for (const m of source.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)\.js'/g)) {
      if (m[1] !== undefined) queue.push(resolve(dirname(file), `${m[1]}.ts`));
    }
  }
  return {
    dir,
    js: (p) => join(dir, p.replace(/\.ts$/, '.js')),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
