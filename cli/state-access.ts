import { resolve } from 'node:path';
import type { StateBackend } from '../engine/model/state-backend.js';
import { loadPolicyOrThrow } from '../engine/policy/load.js';
import { openStateBackend } from '../engine/state/index.js';

/** Open the policy repo's configured state backend for an operator command. */
export async function openRepoState(dir: string): Promise<{ backend: StateBackend; domain: string }> {
  const abs = resolve(dir);
  const { policy } = await loadPolicyOrThrow(abs);
  const backend = openStateBackend(policy.state, abs, process.env, { onNotice: (m) => process.stderr.write(`${m}\n`) });
  return { backend, domain: policy.district.domain };
}
