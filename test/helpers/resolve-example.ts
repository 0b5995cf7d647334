import type { Roster } from '../../engine/model/people.js';
import { emptyState } from '../../engine/model/state.js';
import { resolveIdentities, type ResolveResult } from '../../engine/resolve/identities.js';
import { loadPolicyInput, readSis, targetConstraints, type LoadedPolicy } from '../../engine/run/inputs.js';
import { scratchDistrict } from './district.js';

/** The example district's policy and roster, read from a scratch copy, for tests of resolve alone. */
export async function exampleDistrict(prefix: string): Promise<{ loaded: LoadedPolicy; roster: Roster }> {
  const dir = scratchDistrict(prefix);
  const loaded = await loadPolicyInput({ dir });
  return { loaded, roster: (await readSis(loaded, { dir })).roster };
}

/** Resolve a roster under the example policy with nothing remembered, at a fixed time. */
export function resolveExample(loaded: LoadedPolicy, roster: Roster, observedAnchors: ReadonlyMap<string, { username: string }> = new Map()): ResolveResult {
  return resolveIdentities({
    policy: loaded.policy,
    roster,
    state: emptyState('test-lineage'),
    now: '2026-10-01T12:00:00.000Z',
    constraints: targetConstraints(loaded.policy, loaded.allTargets),
    observedAnchors,
    takenUsernames: [],
  });
}
