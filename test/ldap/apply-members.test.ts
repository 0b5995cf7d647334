import { describe, expect, it } from 'vitest';
import type { Change, MemberRef } from '../../engine/model/plan.js';
import type { ChangeOutcome, TargetProvider } from '../../engine/model/provider.js';
import { applyMembers } from '../../engine/run/apply-run.js';

/** Engine side of batched membership writes: apply hands the whole change to `applyMembers`. */
const members: MemberRef[] = [{ anchor: 'A1', username: 'a1' }, { anchor: 'A2', username: 'a2' }, { username: 'x3' }, { anchor: 'A4', username: 'a4' }];
const planned: Change = { id: 't:membership:g:add', target: 't', kind: 'membership', action: 'add', key: 'g', after: { group: 'g' }, members, reason: { cause: 'policy', detail: 'test' } };
const outcomes: ChangeOutcome[] = [{ status: 'applied' }, { status: 'already' }, { status: 'failed', error: 'boom', terminal: true }, { status: 'applied' }];

function fake(withBatch: boolean): TargetProvider & { calls: Change[] } {
  const calls: Change[] = [];
  const p: TargetProvider & { calls: Change[] } = {
    target: 't', calls,
    read: () => Promise.reject(new Error('unused')),
    apply: (c) => {
      calls.push(c);
      const i = members.findIndex((m) => c.key === `g|${m.anchor ?? m.username}`);
      return Promise.resolve(outcomes[i]!);
    },
    close: () => Promise.resolve(),
  };
  if (withBatch) {
    p.applyMembers = (c) => {
      calls.push(c);
      return Promise.resolve((c.members ?? []).map((member, i) => ({ member, outcome: outcomes[i]! })));
    };
  }
  return p;
}

describe('applyMembers (apply-run)', () => {
  it('hands the whole change to a provider with applyMembers, counting like the per-member path', async () => {
    const batched = fake(true);
    const perMember = fake(false);
    const a = await applyMembers(batched, planned);
    const b = await applyMembers(perMember, planned);
    expect(batched.calls).toEqual([planned]);
    expect(perMember.calls.map((c) => c.key)).toEqual(['g|A1', 'g|A2', 'g|x3', 'g|A4']);
    expect(a).toEqual({ applied: 2, already: 1, failed: [{ id: 't:membership:g:add#2', error: 'boom' }] });
    expect(a).toEqual(b);
  });

  it('reports every member failed when applyMembers throws', async () => {
    const p = fake(true);
    p.applyMembers = () => Promise.reject(new Error('down'));
    const r = await applyMembers(p, planned);
    expect(r.applied + r.already).toBe(0);
    expect(r.failed.map((f) => f.error)).toEqual(['down', 'down', 'down', 'down']);
  });
});
