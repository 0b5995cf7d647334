import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../helpers/district.js';

/**
 * The rollcall CLI as a workflow runs it: compiled (into a temp dir, leaving dist/ alone),
 * with a `rollcall` executable on PATH. The workflow tests run the workflows' own shell
 * steps against it.
 */
export function buildCli(): { bin: string; root: string } {
  const root = mkdtempSync(join(tmpdir(), 'rollcall-cli-'));
  // Type errors elsewhere in a work-in-progress tree do not stop tsc from emitting.
  spawnSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(REPO, 'tsconfig.json'), '--outDir', join(root, 'dist'), '--sourceMap', 'false'], { cwd: REPO, stdio: 'ignore' });
  if (!existsSync(join(root, 'dist/cli/commands/plan.js'))) throw new Error('the CLI did not compile');
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(root, 'package.json'), JSON.stringify(pkg));
  mkdirSync(join(root, 'bin'));
  copyFileSync(join(REPO, 'bin/run.js'), join(root, 'bin/run.js'));
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
  symlinkSync(join(REPO, 'schemas'), join(root, 'schemas'));
  const binDir = join(root, 'path');
  mkdirSync(binDir);
  const shim = join(binDir, 'rollcall');
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${join(root, 'bin/run.js')}" "$@"\n`);
  chmodSync(shim, 0o755);
  return { bin: binDir, root };
}
