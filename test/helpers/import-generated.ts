import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './district.js';

/**
 * Import a module the code generated (precompiled validators), from a fresh folder inside
 * the project: its bare imports (`ajv/dist/runtime/...`) then resolve from the project's
 * node_modules, as they do for the build's copy in dist/. Under os.tmpdir() they resolve only
 * on a machine that happens to have a node_modules above /tmp (a fresh one has none). The
 * folder is removed once the module is loaded.
 */
export async function importGenerated<T>(fileName: string, source: string): Promise<T> {
  const base = join(REPO, 'node_modules', '.cache', 'rollcall-tests');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, 'generated-'));
  try {
    const file = join(dir, fileName);
    writeFileSync(file, source);
    return (await import(file)) as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
