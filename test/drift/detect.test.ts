import { beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_ALLOW } from '../../engine/drift/allow.js';
import { detectDrift, type DriftInput } from '../../engine/drift/detect.js';
import type { AccountAttrs, ObservedAccount, TargetSnapshot } from '../../engine/model/accounts.js';
import type { Policy } from '../../engine/model/policy.js';
import { emptyState, type StateDocument } from '../../engine/model/state.js';
import { loadPolicyOrThrow } from '../../engine/policy/load.js';
import { selectTargets } from '../../engine/run/inputs.js';
import type { Identity } from '../../engine/resolve/identities.js';
import { SANDBOX_CONSTRAINTS } from '../../engine/resolve/naming/constraints.js';
import { MAPLEWOOD } from '../helpers/district.js';

/**
 * detectDrift on hand-made inputs: the cases the sandbox end-to-end test cannot reach
 * (who/when from the target, duplicate anchors, protected accounts, pending vs outside).
 */

const NOW = '2026-10-01T12:00:00.000Z';
let policy: Policy;

beforeAll(async () => {
  // The example's enabled targets only (the sandbox), as a plan sees them.
  policy = selectTargets((await loadPolicyOrThrow(MAPLEWOOD)).policy, undefined);
});

function identity(anchor: string, username: string, state: 'active' | 'suspended' | 'pending', attrs: Omit<AccountAttrs, 'username' | 'enabled'>): Identity {
  return {
    anchor,
    facts: null,
    lifecycle: { decision: { state, rule: state === 'active' ? 'sis.enrolled' : 'lifecycle.withdrawal', detail: '' }, provision: state === 'active', suspendPath: null, timers: [] },
    username,
    attrs: { givenName: attrs.givenName, familyName: attrs.familyName, displayName: attrs.displayName, email: attrs.email },
    paths: { sandbox: attrs.path },
    groups: [],
    rules: { username: 'naming.usernames[0]', email: '', displayName: '', path: '', password: '' },
    newlyIssued: false,
    factsChanged: false,
    rename: null,
  };
}

const base = { givenName: 'Ann', familyName: 'Lee', displayName: 'Ann Lee', email: 'alee30@example.org', path: 'Students/MHS/2030' };

function account(id: string, anchor: string | null, over: Partial<ObservedAccount> = {}): ObservedAccount {
  return { id, anchor, username: 'alee30', ...base, enabled: true, aliases: [], ...over };
}

function world(): { state: StateDocument; identities: Identity[] } {
  const state = emptyState('lineage-1');
  state.registry.alee30 = { anchor: 'p1', issued_at: NOW };
  state.registry.bkim30 = { anchor: 'p2', issued_at: NOW };
  state.people.p1 = { username: 'alee30', first_seen: NOW, last_school: 'MHS' };
  state.people.p2 = { username: 'bkim30', first_seen: NOW, last_school: 'CMS' };
  state.last_applied.sandbox = {
    p1: { username: 'alee30', ...base, enabled: true },
    p2: { username: 'bkim30', ...base, email: 'bkim30@example.org', path: 'Students/CMS/2030', enabled: true },
  };
  return { state, identities: [identity('p1', 'alee30', 'active', base), identity('p2', 'bkim30', 'suspended', { ...base, email: 'bkim30@example.org', path: 'Students/CMS/2030' })] };
}

function run(snapshot: Omit<TargetSnapshot, 'target' | 'containers'>, w = world(), extra: Partial<DriftInput> = {}) {
  return detectDrift({
    policy, policyDigest: 'sha256:x', policyCommit: 'abc123', identities: w.identities, state: w.state,
    snapshots: [{ target: 'sandbox', containers: [], ...snapshot }], constraints: SANDBOX_CONSTRAINTS, allow: EMPTY_ALLOW, now: NOW, ...extra,
  });
}

describe('detectDrift', () => {
  it('carries who and when from the target, and tells outside changes from pending ones', () => {
    const report = run({
      accounts: [
        account('u1', 'p1', { displayName: 'Someone', modifiedBy: 'CN=helpdesk-7,OU=IT', modifiedAt: '2026-09-30T08:00:00Z' }),
        // p2 is suspended by policy; rollcall wrote enabled=true and it still is: pending.
        account('u2', 'p2', { username: 'bkim30', email: 'bkim30@example.org', path: 'Students/CMS/2030' }),
      ],
      groups: [],
    });
    expect(report.items.map((i) => [i.category, i.anchor, i.origin])).toEqual([
      ['unexpected-enabled', 'p2', 'pending'],
      ['attribute-changed', 'p1', 'outside'],
    ]);
    expect(report.items[1]).toMatchObject({ modifiedBy: 'CN=helpdesk-7,OU=IT', modifiedAt: '2026-09-30T08:00:00Z', school: 'MHS' });
    expect(report.items[1]!.attrs).toEqual([{ name: 'displayName', observed: 'Someone', lastApplied: 'Ann Lee', expected: 'Ann Lee' }]);
    expect(report).toMatchObject({ generated_at: NOW, policy_commit: 'abc123', state_serial: 0 });
  });

  it('treats a second account with the same anchor as an orphan, and leaves protected and out-of-scope accounts alone', () => {
    const report = run({
      accounts: [
        account('u1', 'p1'),
        account('u9-dup', 'p1', { username: 'alee30b' }),
        account('u2', 'p2', { username: 'bkim30', email: 'bkim30@example.org', path: 'Students/CMS/2030', enabled: false }),
        account('svc', null, { username: 'itadmin', path: 'Students/MHS' }),
        account('hand', null, { username: 'prot', path: 'Staff/Protected/x' }),
        account('elsewhere', null, { username: 'printer', path: 'Devices/Printers' }),
      ],
      groups: [],
    });
    expect(report.items.map((i) => [i.category, i.objectId])).toEqual([['orphan-account', 'u9-dup']]);
    expect(report.items[0]!.detail).toMatch(/anchor of another account/);
    expect(report.targets[0]!.managedRoots).toEqual(['Students']);
  });

  it('flags usernames issued to someone else, or reserved, and names no one in the detail', () => {
    const report = run({
      accounts: [
        account('u1', 'p1', { username: 'bkim30' }),
        account('u2', 'p2', { username: 'admin', email: 'bkim30@example.org', path: 'Students/CMS/2030', enabled: false }),
      ],
      groups: [],
    });
    const items = report.items.filter((i) => i.category === 'username-out-of-policy');
    // Within a category, by school: p2 is at CMS, p1 at MHS.
    expect(items.map((i) => i.anchor)).toEqual(['p2', 'p1']);
    expect(items[1]!.detail).toMatch(/issued to another person/);
    expect(items[0]!.detail).toMatch(/not a username rollcall issued; .*reserved name/);
    for (const i of report.items) expect(i.detail).not.toMatch(/bkim30|admin\b|Ann|Lee/);
  });

  it('reports members of protected and privileged groups that no rule grants', () => {
    const report = run(
      {
        accounts: [account('u1', 'p1'), account('u2', 'p2', { username: 'bkim30', email: 'bkim30@example.org', path: 'Students/CMS/2030', enabled: false })],
        groups: [
          { id: 'g1', name: 'domain-admins', description: '', members: ['u1', 'ghost'], managed: false },
          { id: 'g2', name: 'super-admins', description: '', members: ['u2'], managed: false },
          { id: 'g3', name: 'mhs-students', description: '', members: ['u1'], managed: true },
        ],
      },
      world(),
      { allow: { file: null, privilegedGroups: ['super-admins'], allow: [] } },
    );
    expect(report.items.map((i) => `${i.category} ${i.group} ${i.objectId}`)).toEqual([
      'privileged-member domain-admins ghost',
      'privileged-member domain-admins u1',
      'privileged-member super-admins u2',
    ]);
    expect(report.items[0]!.detail).toMatch(/object rollcall cannot see/);
  });

  it('orders items the same whatever order the target lists them in', () => {
    const accounts = [account('u1', 'p1', { displayName: 'X' }), account('z', null, { path: 'Students/MHS' }), account('a', null, { path: 'Students/CMS' }), account('u2', 'p2', { username: 'bkim30', email: 'bkim30@example.org', path: 'Students/CMS/2030' })];
    const one = run({ accounts, groups: [] });
    const two = run({ accounts: [...accounts].reverse(), groups: [] });
    expect(JSON.stringify(two)).toBe(JSON.stringify(one));
    expect(one.items.map((i) => i.category)).toEqual(['unexpected-enabled', 'orphan-account', 'orphan-account', 'attribute-changed']);
    // Within a category: by school, then id.
    expect(one.items.filter((i) => i.category === 'orphan-account').map((i) => i.school)).toEqual(['CMS', 'MHS']);
  });

  it('reports a managed account gone from the target, unless policy deleted it', () => {
    const w = world();
    const report = run({ accounts: [account('u1', 'p1')], groups: [] }, w);
    expect(report.items.map((i) => `${i.category} ${i.anchor}`)).toEqual(['missing-account p2']);
    w.state.people.p2!.deleted_at = NOW;
    expect(run({ accounts: [account('u1', 'p1')], groups: [] }, w).items).toEqual([]);
  });
});
