import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Papa from 'papaparse';
import { generateDistrict, PRESETS } from '../scripts/generate-district.js';

/**
 * Benchmark districts: a generated OneRoster 1.2 export plus a policy repo made from the
 * example district's policy, with its schools list taken from the export. Cached under
 * bench/out/ (generation of 1M people takes a while); deterministic, so the cache is safe.
 */

const ROOT = resolve(import.meta.dirname, '..', '..');
const OUT = join(ROOT, 'bench', 'out');

export interface BenchDistrict {
  preset: string;
  dir: string;
  sis: string;
  people: number;
}

export async function benchDistrict(preset: string): Promise<BenchDistrict> {
  const spec = PRESETS[preset];
  if (!spec) throw new Error(`unknown preset ${preset}`);
  const base = join(OUT, preset);
  const sis = join(base, 'sis');
  if (!existsSync(join(sis, 'users.csv'))) {
    mkdirSync(base, { recursive: true });
    await generateDistrict(spec, sis);
  }
  const dir = join(base, 'repo');
  writePolicyRepo(dir, sis);
  return { preset, dir, sis, people: spec.people };
}

/**
 * A fresh policy repo (no state, empty sandbox) pointing at the generated export, committed
 * once to its own git repository so a pull request's `plan --base HEAD` has a base. The
 * commit's author and dates are fixed: its id, which plans record as `policy_commit`, is the
 * same in every run, so plans from different runs hash alike.
 */
export function writePolicyRepo(dir: string, sis: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'policy'), { recursive: true });
  const example = join(ROOT, 'examples', 'maplewood');
  cpSync(join(example, 'policy'), join(dir, 'policy'), { recursive: true });
  for (const extra of ['correlation.yaml', 'exclusions.yaml', 'overrides.yaml', 'drift-allow.yaml']) rmSync(join(dir, 'policy', extra), { force: true });
  // Class-section groups for every school, as a large district would have.
  const groups = readFileSync(join(dir, 'policy', 'groups.yaml'), 'utf8').replace(/, school: \[[^\]]*\]/, '');
  writeFileSync(join(dir, 'policy', 'groups.yaml'), groups);
  const safety = 'limits:\n  create: { count: 10000000 }\n  remove: { count: 10000000 }\nmaxSisShrinkPercent: 10\n';
  writeFileSync(join(dir, 'policy', 'safety.yaml'), safety);
  const orgs = Papa.parse<Record<string, string>>(readFileSync(join(sis, 'orgs.csv'), 'utf8'), { header: true, skipEmptyLines: true }).data;
  const schools = orgs.map((o) => `  - { code: ${o.identifier}, name: "${(o.name ?? '').replace(/"/g, '')}" }`).join('\n');
  const root = readFileSync(join(example, 'rollcall.yaml'), 'utf8')
    .replace(/schools:\n( {2}- .*\n)+/, `schools:\n${schools}\n`)
    .replace(/sis:\n {2}format: oneroster-csv\n {2}path: sis/, `sis:\n  format: oneroster-csv\n  path: ${JSON.stringify(sis)}`);
  writeFileSync(join(dir, 'rollcall.yaml'), root.replace(/^(\s*)(google|entra|ad|openldap):[\s\S]*$/m, ''));
  writeFileSync(join(dir, '.gitignore'), '.rollcall/\n');
  const at = '2026-09-01T00:00:00Z';
  const env = { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@example.invalid', GIT_AUTHOR_DATE: at, GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@example.invalid', GIT_COMMITTER_DATE: at, GIT_CONFIG_GLOBAL: '/dev/null' };
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  git('init', '--quiet', '--initial-branch=main');
  git('add', '-A');
  git('-c', 'commit.gpgsign=false', 'commit', '--quiet', '-m', 'bench district policy');
}
