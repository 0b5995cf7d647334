import { describe, expect, it } from 'vitest';
import type { Policy } from '../../engine/model/policy.js';
import { policyRestDigest, reservedNames } from '../../engine/incremental/policy-delta.js';
import { loadPolicyInput } from '../../engine/run/inputs.js';
import { MAPLEWOOD } from '../helpers/district.js';

/** What a plan base may take changed in policy (engine/incremental/policy-delta.ts), and what it may not. */
describe('policy changes a plan base takes', async () => {
  const { policy } = await loadPolicyInput({ dir: MAPLEWOOD });
  const rest = policyRestDigest(policy);

  it('leaves out safety limits and reserved usernames, nothing else', () => {
    expect(rest).toMatch(/^[0-9a-f]{64}$/);
    const same: Policy[] = [
      { ...policy, naming: { ...policy.naming, reserved: ['someone', ...policy.naming.reserved] } },
      { ...policy, safety: { ...policy.safety, limits: { create: { count: 1, percent: null } }, maxSisShrinkPercent: 50 } },
    ];
    for (const p of same) expect(policyRestDigest(p)).toBe(rest);
    const other: Policy[] = [
      { ...policy, safety: { ...policy.safety, protectedUsernames: [...policy.safety.protectedUsernames, 'jdoe'] } },
      { ...policy, safety: { ...policy.safety, protectedGroups: [] } },
      { ...policy, naming: { ...policy.naming, renames: 'rename' } },
      { ...policy, roles: [...policy.roles, 'aide'] },
    ];
    for (const p of other) expect(policyRestDigest(p)).not.toBe(rest);
  });

  it('answers null for a policy that is not plain data, so no change is taken as none', () => {
    expect(policyRestDigest({ ...policy, roles: new Set(policy.roles) as unknown as string[] })).toBeNull();
  });

  it('compares reserved names as allocation does, in lower case', () => {
    expect(reservedNames({ ...policy, naming: { ...policy.naming, reserved: ['Admin', 'admin', 'root'] } })).toEqual(['admin', 'root']);
  });
});
