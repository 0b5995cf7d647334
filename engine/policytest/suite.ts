import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic } from '../model/diagnostics.js';
import { loadPolicyInput, targetConstraints } from '../run/inputs.js';
import { parseTestFile } from './parse.js';
import { runCase, type CaseResult } from './run-case.js';

/**
 * `rollcall test`: find `tests/**\/*.yaml` in the policy repo, load the real policy once,
 * run every case. The only I/O of the test runner lives here.
 */

export const TESTS_DIR = 'tests';

export interface SuiteResult {
  files: string[];
  cases: CaseResult[];
  /** Files that could not be read as tests (syntax or schema errors). */
  diagnostics: Diagnostic[];
  passed: number;
  failed: number;
}

async function listYaml(root: string, rel = ''): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(path.join(root, rel), { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listYaml(root, child)));
    else if (/\.ya?ml$/.test(e.name)) out.push(child);
  }
  return out.sort();
}

export async function runPolicyTests(opts: { dir: string }): Promise<SuiteResult> {
  const loaded = await loadPolicyInput({ dir: opts.dir });
  const constraints = targetConstraints(loaded.policy, loaded.allTargets);
  const files = (await listYaml(path.join(loaded.dir, TESTS_DIR))).map((f) => `${TESTS_DIR}/${f}`);
  const diagnostics: Diagnostic[] = [];
  const cases: CaseResult[] = [];
  for (const file of files) {
    const parsed = parseTestFile(file, await readFile(path.join(loaded.dir, file), 'utf8'));
    diagnostics.push(...parsed.diagnostics);
    for (const tc of parsed.cases) cases.push(runCase(tc, loaded.policy, constraints));
  }
  const passed = cases.filter((c) => c.ok).length;
  return { files, cases, diagnostics, passed, failed: cases.length - passed };
}

/** Exit status of a run: 0 only when every case passed and every file could be read. */
export function suiteOk(r: SuiteResult): boolean {
  return r.failed === 0 && r.diagnostics.length === 0 && r.cases.length > 0;
}
