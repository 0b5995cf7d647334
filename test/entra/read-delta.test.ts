import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TargetSnapshot } from '../../engine/model/accounts.js';
import type { GraphEmulator } from '../emulators/graph/index.js';
import { change, createChange, emulator, provider } from './helpers.js';

/** Full reads, incremental reads through /users/delta + /groups/delta, and the 410 fallback. */

const strip = (s: TargetSnapshot): Omit<TargetSnapshot, 'cursor'> => ({ target: s.target, accounts: s.accounts, groups: s.groups, containers: s.containers });

describe('entra read', () => {
  let emu: GraphEmulator;
  beforeEach(async () => {
    emu = await emulator({ defaultPageSize: 50 });
  });
  afterEach(async () => {
    await emu.stop();
  });

  it('keeps an incremental read equal to a full read, through creates, updates, moves, deletes and membership changes', async () => {
    const p = await provider(emu);
    await p.applyMany([
      change({ kind: 'container', action: 'create', key: 'Students/MHS', after: { path: 'Students/MHS' } }),
      change({ kind: 'container', action: 'create', key: 'Students/CMS', after: { path: 'Students/CMS' } }),
      ...Array.from({ length: 120 }, (_, i) => createChange(i)),
      change({ kind: 'group', action: 'create', key: 'mhs-students', after: { name: 'mhs-students', description: '' } }),
      ...Array.from({ length: 30 }, (_, i) => change({ kind: 'membership', action: 'add', key: `mhs-students|s${String(i).padStart(6, '0')}`, anchor: `sid${i}`, after: { group: 'mhs-students', member: `s${String(i).padStart(6, '0')}` } })),
    ]);
    const first = await p.read();
    expect(first.accounts).toHaveLength(120);
    expect(first.groups[0]!.members).toHaveLength(30);

    const byAnchor = new Map(first.accounts.map((a) => [a.anchor, a.id]));
    const out = await p.applyMany([
      createChange(500),
      change({ kind: 'account', action: 'update', key: 'sid1', anchor: 'sid1', object_id: byAnchor.get('sid1')!, before: {}, after: { displayName: 'New Name' } }),
      change({ kind: 'account', action: 'move', key: 'sid2', anchor: 'sid2', object_id: byAnchor.get('sid2')!, before: { path: 'Students/MHS/2030' }, after: { path: 'Students/CMS/2030' } }),
      change({ kind: 'account', action: 'delete', key: 'sid3', anchor: 'sid3', object_id: byAnchor.get('sid3')!, before: {} }),
      change({ kind: 'membership', action: 'remove', key: 'mhs-students|s000004', anchor: 'sid4', before: { group: 'mhs-students', member: 's000004' } }),
      change({ kind: 'membership', action: 'add', key: 'mhs-students|s000500', anchor: 'sid500', after: { group: 'mhs-students', member: 's000500' } }),
    ]);
    expect([...out.values()].filter((o) => o.status !== 'applied')).toEqual([]);

    const requestsBefore = emu.stats.requests;
    const inc = await p.readIncremental(first);
    const incRequests = emu.stats.requests - requestsBefore;
    expect(inc.incremental).toBe(true);
    const full = await p.read();
    expect(strip(inc)).toEqual(strip(full));
    expect(inc.accounts.find((a) => a.anchor === 'sid2')!.path).toBe('Students/CMS/2030');
    expect(inc.accounts.some((a) => a.anchor === 'sid3')).toBe(false);
    expect(inc.groups[0]!.members).toContain(byAnchor.get('sid0'));
    expect(inc.groups[0]!.members).not.toContain(byAnchor.get('sid4'));
    // An incremental read moves far fewer bytes: a handful of requests, not a page per 999 users.
    expect(incRequests).toBeLessThanOrEqual(6);

    // Nothing changed: the next incremental read is the same snapshot.
    const quiet = await p.readIncremental(inc);
    expect(strip(quiet)).toEqual(strip(inc));
  });

  it('falls back to a full read when the delta token is refused (410)', async () => {
    const p = await provider(emu);
    await p.applyMany(Array.from({ length: 5 }, (_, i) => createChange(i, { path: 'Students' })));
    const first = await p.read();
    await p.apply(createChange(9, { path: 'Students' }), {});
    emu.expireDeltaTokens();
    const inc = await p.readIncremental(first);
    expect(inc.incremental).toBe(false);
    expect(inc.accounts).toHaveLength(6);
    expect(strip(inc)).toEqual(strip(await p.read()));
    // A garbage cursor also means a full read, not an error.
    expect((await p.readIncremental({ ...first, cursor: 'not-json' })).incremental).toBe(false);
  });

  it('reads only accounts in the UPN domain and maps unmanaged groups as unmanaged', async () => {
    const p = await provider(emu);
    await p.apply(createChange(1, { path: 'Students' }), {});
    const other = await startOther(emu);
    expect(other).toBe(201);
    const snap = await p.read();
    expect(snap.accounts.map((a) => a.anchor)).toEqual(['sid1']);
    expect(snap.groups.find((g) => g.name === 'Teachers (hand-made)')!.managed).toBe(false);
  });
});

async function startOther(emu: GraphEmulator): Promise<number> {
  // The tenant also verifies staff.example; users there are outside this target's scope.
  const h = { Authorization: `Bearer ${emu.token()}`, 'Content-Type': 'application/json' };
  await fetch(`${emu.url}/v1.0/groups`, { method: 'POST', headers: h, body: JSON.stringify({ displayName: 'Teachers (hand-made)', mailEnabled: false, mailNickname: 'teachers', securityEnabled: true }) });
  const r = await fetch(`${emu.url}/v1.0/users`, {
    method: 'POST',
    headers: h,
    body: JSON.stringify({ accountEnabled: true, displayName: 'Staff', mailNickname: 'staff1', userPrincipalName: 'staff1@staff.example', employeeId: 'sid-staff', passwordProfile: { password: 'Xx1!xxxxxx' } }),
  });
  return r.status;
}
