import { vi } from 'vitest';
import { REPO } from '../helpers/district.js';

/** Run an oclif command class in-process; capture stdout, stderr and the exit code. */
export async function runCommand(cmd: { run(argv: string[], opts: string): Promise<unknown> }, argv: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { stdout += String(chunk); return true; });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => { stderr += String(chunk); return true; });
  let code = 0;
  try {
    await cmd.run(argv, REPO);
  } catch (e) {
    const exit = (e as { oclif?: { exit?: number } }).oclif?.exit;
    if (typeof exit !== 'number') {
      out.mockRestore();
      err.mockRestore();
      throw e;
    }
    code = exit;
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return { stdout, stderr, code };
}
