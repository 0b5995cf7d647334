import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Terraform's own cost per object, for the scale issue's comparison: N `terraform_data`
 * resources (built in, no provider download), one per account, and the wall time of one
 * `terraform plan`. Null when `terraform` is not on PATH.
 */
export function terraformPlanMs(objects: number): number | null {
  if (spawnSync('terraform', ['version'], { encoding: 'utf8' }).status !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-tf-'));
  try {
    const resources = Array.from({ length: objects }, (_, i) => `resource "terraform_data" "account_${i}" {\n  input = { username = "user${i}", path = "Students/S${i % 20}" }\n}\n`).join('');
    writeFileSync(join(dir, 'main.tf'), resources);
    const env = { ...process.env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };
    const init = spawnSync('terraform', ['init', '-input=false', '-no-color'], { cwd: dir, env, encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`terraform init failed: ${init.stderr}`);
    const t = performance.now();
    const plan = spawnSync('terraform', ['plan', '-input=false', '-no-color', '-lock=false'], { cwd: dir, env, encoding: 'utf8', maxBuffer: 1 << 28 });
    const ms = performance.now() - t;
    if (plan.status !== 0) throw new Error(`terraform plan failed: ${plan.stderr}`);
    return ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
