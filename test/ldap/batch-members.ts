import { Client } from 'ldapts';
import { expect, vi } from 'vitest';
import type { Change, MemberRef } from '../../engine/model/plan.js';
import type { ChangeOutcome, TargetProvider } from '../../engine/model/provider.js';
import { accountAttrs, change } from './helpers.js';

/**
 * Batched membership writes (issue #5), shared by the slapd and Samba tests: the provider
 * must have `memberBatchSize: BATCH`. 50 members go in ceil(50 / BATCH) modifies; re-runs and
 * mixed present/absent members give exact per-member outcomes.
 */
export const BATCH = 20;
const N = 50;
const PW = 'Batch-Pw-1234!x';

const refs = (from: number, to: number, tag: string): MemberRef[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ anchor: `${tag}${from + i}`, username: `${tag.toLowerCase()}m${from + i}` }));

function membership(target: string, action: 'add' | 'remove', group: string, members: MemberRef[]): Change {
  return { ...change(target, 'membership', action, group, action === 'add' ? { after: { group } } : { before: { group } }), members };
}

/** `status` per anchor, for exact comparisons. */
function statuses(out: { member: MemberRef; outcome: ChangeOutcome }[]): Record<string, string> {
  return Object.fromEntries(out.map((o) => [o.member.anchor ?? o.member.username, o.outcome.status]));
}

function expected(members: MemberRef[], status: string): Record<string, string> {
  return Object.fromEntries(members.map((m) => [m.anchor!, status]));
}

export async function batchedMembershipScenario(p: TargetProvider, target: string, tag: string): Promise<void> {
  expect(p.applyMembers).toBeTypeOf('function');
  const apply = p.applyMembers!.bind(p);
  expect(await p.apply(change(target, 'container', 'create', 'Batch', { after: { path: 'Batch' } }), {})).toMatchObject({ status: expect.stringMatching(/applied|already/) });
  const all = refs(1, N, tag);
  for (const m of all) {
    expect(await p.apply(change(target, 'account', 'create', m.username, { anchor: m.anchor!, after: accountAttrs(m.username, 'Batch') }), { initialPassword: PW })).toMatchObject({ status: 'applied' });
  }
  const group = `${tag.toLowerCase()}-batch`;
  expect(await p.apply(change(target, 'group', 'create', group, { after: { name: group } }), {})).toMatchObject({ status: 'applied' });
  const members = async (): Promise<number> => ((await p.read()).groups.find((g) => g.name === group)?.members ?? []).length;

  const modify = vi.spyOn(Client.prototype, 'modify');
  try {
    expect(statuses(await apply(membership(target, 'add', group, all)))).toEqual(expected(all, 'applied'));
    expect(modify).toHaveBeenCalledTimes(Math.ceil(N / BATCH));
    expect(await members()).toBe(N);

    // A re-run: each batch is refused as a whole and checked member by member: nothing written.
    modify.mockClear();
    expect(statuses(await apply(membership(target, 'add', group, all)))).toEqual(expected(all, 'already'));
    expect(modify).toHaveBeenCalledTimes(Math.ceil(N / BATCH));

    // Mixed: 1..10 removed first, then removing 1..30 gives 10 already + 20 applied.
    expect(statuses(await apply(membership(target, 'remove', group, refs(1, 10, tag))))).toEqual(expected(refs(1, 10, tag), 'applied'));
    expect(await members()).toBe(N - 10);
    const gone = { anchor: `${tag}-gone`, username: `${tag.toLowerCase()}gone` };
    expect(statuses(await apply(membership(target, 'remove', group, [...refs(1, 30, tag), gone])))).toEqual({
      ...expected(refs(1, 10, tag), 'already'), ...expected(refs(11, 30, tag), 'applied'), [gone.anchor]: 'already',
    });
    expect(await members()).toBe(N - 30);
    // Adding everyone back: 1..30 applied, 31..50 already; a member that does not exist fails alone.
    const out = await apply(membership(target, 'add', group, [...all, gone]));
    expect(statuses(out)).toEqual({ ...expected(refs(1, 30, tag), 'applied'), ...expected(refs(31, N, tag), 'already'), [gone.anchor]: 'failed' });
    expect(out.find((o) => o.member === gone)?.outcome).toMatchObject({ status: 'failed', terminal: true, error: expect.stringMatching(/member-not-found/) });
    expect(await members()).toBe(N);
    // Removing all leaves an empty group (OpenLDAP keeps its placeholder; reads as empty).
    expect(statuses(await apply(membership(target, 'remove', group, all)))).toEqual(expected(all, 'applied'));
    expect(await members()).toBe(0);
  } finally {
    modify.mockRestore();
  }
}
