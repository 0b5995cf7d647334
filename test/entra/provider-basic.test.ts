import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { entraProviderModule } from '../../providers/entra/index.js';
import type { GraphEmulator } from '../emulators/graph/index.js';
import { change, createChange, DOMAIN, emulator, provider, targetConfig } from './helpers.js';

describe('entra provider against the Graph emulator (real SDK client)', () => {
  let emu: GraphEmulator;
  beforeEach(async () => {
    emu = await emulator();
  });
  afterEach(async () => {
    await emu.stop();
  });

  it('authenticates with client credentials and refuses a wrong secret', async () => {
    const p = await provider(emu);
    const snap = await p.read();
    expect(snap.accounts).toEqual([]);
    expect(emu.stats.unauthorized).toBe(0);
    const bad = await provider(emu, {}, { RC_ENTRA_CLIENT_ID: 'app-id', RC_ENTRA_CLIENT_SECRET: 'wrong' });
    await expect(bad.read()).rejects.toThrow(/invalid_client/);
    // An apply stops with the auth error instead of failing (or retrying) change by change.
    await expect(bad.apply(createChange(1), {})).rejects.toThrow(/AADSTS7000215/);
    await expect(bad.applyMany([createChange(1), createChange(2)])).rejects.toThrow(/invalid_client/);
    // The secret never appears in the error.
    const err = await bad.read().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).not.toContain('wrong');
  });

  it('validates settings with diagnostics pointing at the target', () => {
    const diags = entraProviderModule.validateSettings({ ...targetConfig(emu), settings: { tenantId: 't', clientSecret: 'x', upnDomain: 'not a domain', maxBatch: 50 } });
    const summaries = diags.map((d) => d.summary).join('\n');
    expect(summaries).toMatch(/clientIdEnv' is required/);
    expect(summaries).toMatch(/secrets do not belong in policy/);
    expect(summaries).toMatch(/upnDomain' is not a domain name/);
    expect(summaries).toMatch(/maxBatch' must be an integer from 1 to 20/);
    expect(diags.every((d) => d.source?.file === 'rollcall.yaml')).toBe(true);
    expect(entraProviderModule.validateSettings(targetConfig(emu))).toEqual([]);
  });

  it('creates into the school AU, reads the account back, and a re-run is idempotent', async () => {
    const p = await provider(emu);
    const container = change({ kind: 'container', action: 'create', key: 'Students/MHS/2030', after: { path: 'Students/MHS/2030' } });
    expect((await p.apply(container, {})).status).toBe('applied');
    expect((await p.apply(change({ kind: 'container', action: 'create', key: 'Students/MHS', after: { path: 'Students/MHS' } }), {})).status).toBe('already');
    expect((await p.apply(change({ kind: 'container', action: 'create', key: 'Students', after: { path: 'Students' } }), {})).status).toBe('already');
    expect(emu.state.adminUnits.size).toBe(1);

    const c = createChange(1);
    const out = await p.apply(c, { initialPassword: 'Correct-Horse-9', changeAtNextLogin: true });
    expect(out.status).toBe('applied');
    const again = await p.apply(c, { initialPassword: 'Correct-Horse-9' });
    expect(again).toEqual({ status: 'already', objectId: (out as { objectId: string }).objectId });

    const au = [...emu.state.adminUnits.values()][0]!;
    expect(au.props['displayName']).toBe('MHS');
    expect(emu.state.isMember(au.id, (out as { objectId: string }).objectId)).toBe(true);
    // The emulator never stores the password.
    expect(JSON.stringify([...emu.state.users.values()])).not.toContain('Correct-Horse-9');

    const snap = await p.read();
    expect(snap.accounts).toHaveLength(1);
    expect(snap.accounts[0]).toMatchObject({ anchor: 'sid1', username: 's000001', path: 'Students/MHS/2030', enabled: true, familyName: 'Family1', email: `s000001@${DOMAIN}` });
    expect(snap.containers).toEqual(['Students', 'Students/MHS', 'Students/MHS/2030']);
    expect(snap.cursor).toBeTruthy();
  });

  it('refuses usernames outside the UPN character set without calling Graph', async () => {
    const p = await provider(emu);
    const before = emu.stats.requests;
    const out = await p.apply(createChange(2, { username: 'zoë.müller', path: 'Students' }), {});
    expect(out).toMatchObject({ status: 'failed', terminal: true });
    expect((out as { error: string }).error).toMatch(/UPN/);
    const dotted = await p.apply(createChange(3, { username: '.lead', path: 'Students' }), {});
    expect(dotted).toMatchObject({ status: 'failed', terminal: true });
    // Only the anchor lookups may have gone out; no POST.
    expect(emu.state.users.size).toBe(0);
    expect(emu.stats.writes).toBe(0);
    expect(emu.stats.requests - before).toBe(0);
  });

  it('reports a UPN held by another person as a terminal conflict', async () => {
    const p = await provider(emu);
    expect((await p.apply(createChange(4, { path: 'Students' }), {})).status).toBe('applied');
    const clash = await p.apply(createChange(5, { username: 's000004', path: 'Students' }), {});
    expect(clash).toMatchObject({ status: 'failed', terminal: true });
    expect((clash as { error: string }).error).toMatch(/taken by another account/);
  });

  it('updates, renames keeping the old address in otherMails, moves, disables, enables and deletes', async () => {
    const p = await provider(emu);
    for (const school of ['MHS', 'CMS']) await p.apply(change({ kind: 'container', action: 'create', key: `Students/${school}`, after: { path: `Students/${school}` } }), {});
    const created = await p.apply(createChange(6), {});
    const id = (created as { objectId: string }).objectId;
    const base = { kind: 'account' as const, anchor: 'sid6', key: 'sid6', object_id: id };

    expect((await p.apply(change({ ...base, action: 'update', before: { displayName: 'Given Family6' }, after: { displayName: 'Gee Family6' } }), {})).status).toBe('applied');
    const renamed = await p.apply(change({ ...base, action: 'rename', before: { username: 's000006', email: `s000006@${DOMAIN}` }, after: { username: 'gfamily6', email: `gfamily6@${DOMAIN}`, aliases: [`s000006@${DOMAIN}`] } }), {});
    expect(renamed.status).toBe('applied');
    const moved = await p.apply(change({ ...base, action: 'move', before: { path: 'Students/MHS/2030' }, after: { path: 'Students/CMS/2030' } }), {});
    expect(moved.status).toBe('applied');
    expect((await p.apply(change({ ...base, action: 'disable', before: { enabled: true }, after: { enabled: false } }), {})).status).toBe('applied');

    let acc = (await p.read()).accounts[0]!;
    expect(acc).toMatchObject({ username: 'gfamily6', email: `gfamily6@${DOMAIN}`, displayName: 'Gee Family6', path: 'Students/CMS/2030', enabled: false, aliases: [`s000006@${DOMAIN}`] });
    const [mhs, cms] = ['MHS', 'CMS'].map((n) => [...emu.state.adminUnits.values()].find((a) => a.props['displayName'] === n)!);
    expect(emu.state.isMember(mhs!.id, id)).toBe(false);
    expect(emu.state.isMember(cms!.id, id)).toBe(true);
    // proxyAddresses follow mail, as Graph documents: the old address stays as a secondary.
    expect(emu.state.users.get(id)!.props['proxyAddresses']).toEqual([`SMTP:gfamily6@${DOMAIN}`, `smtp:s000006@${DOMAIN}`]);

    // Re-applying the move is harmless: "already exist" and 404 answers break the dependsOn chain, and the rest is re-sent.
    expect((await p.apply(change({ ...base, action: 'move', before: { path: 'Students/MHS/2030' }, after: { path: 'Students/CMS/2030' } }), {})).status).toBe('applied');
    expect((await p.apply(change({ ...base, action: 'enable', before: { enabled: false }, after: { enabled: true } }), {})).status).toBe('applied');
    acc = (await p.read()).accounts[0]!;
    expect(acc.enabled).toBe(true);

    // The anchor is verified: a change naming another person's anchor is refused.
    const wrong = await p.apply(change({ ...base, anchor: 'someone-else', action: 'disable', before: { enabled: true }, after: { enabled: false } }), {});
    expect(wrong).toMatchObject({ status: 'failed', terminal: true });

    expect((await p.apply(change({ ...base, action: 'delete', before: {} }), {})).status).toBe('applied');
    expect((await p.apply(change({ ...base, action: 'delete', before: {} }), {})).status).toBe('already');
    expect((await p.read()).accounts).toEqual([]);
  });

  it('adopts an unanchored account and refuses one anchored to someone else', async () => {
    const p = await provider(emu);
    const token = emu.token();
    const post = (body: unknown): Promise<Response> =>
      fetch(`${emu.url}/v1.0/users`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const mk = (nick: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ accountEnabled: true, displayName: nick, mailNickname: nick, userPrincipalName: `${nick}@${DOMAIN}`, passwordProfile: { password: 'Xx1!xxxxxx' }, ...extra });
    const free = (await (await post(mk('legacy1'))).json()) as { id: string };
    const taken = (await (await post(mk('legacy2', { employeeId: 'other' }))).json()) as { id: string };
    expect((await p.apply(change({ kind: 'account', action: 'adopt', key: 'sid7', anchor: 'sid7', object_id: free.id, after: { anchor: 'sid7' } }), {})).status).toBe('applied');
    expect(emu.state.users.get(free.id)!.props['employeeId']).toBe('sid7');
    expect((await p.apply(change({ kind: 'account', action: 'adopt', key: 'sid7', anchor: 'sid7', object_id: free.id, after: { anchor: 'sid7' } }), {})).status).toBe('already');
    expect(await p.apply(change({ kind: 'account', action: 'adopt', key: 'sid8', anchor: 'sid8', object_id: taken.id, after: { anchor: 'sid8' } }), {})).toMatchObject({ status: 'failed', terminal: true });
  });

  it('creates groups and manages members via $ref, treating "already exist" as already', async () => {
    const p = await provider(emu);
    const users = [];
    for (let i = 10; i < 13; i++) users.push(await p.apply(createChange(i, { path: 'Students' }), {}));
    const g = change({ kind: 'group', action: 'create', key: 'mhs-students', after: { name: 'mhs-students', description: 'All students at MHS' } });
    expect((await p.apply(g, {})).status).toBe('applied');
    expect((await p.apply(g, {})).status).toBe('already');
    const add = (i: number): ReturnType<typeof change> => change({ kind: 'membership', action: 'add', key: `mhs-students|s0000${i}`, anchor: `sid${i}`, after: { group: 'mhs-students', member: `s0000${i}` } });
    expect((await p.apply(add(10), {})).status).toBe('applied');
    expect((await p.apply(add(10), {})).status).toBe('already');
    // A bulk add where one member is already there: the 20-member PATCH is refused as a whole and split.
    const out = await p.applyMany([add(10), add(11), add(12)]);
    expect([...out.values()].map((o) => o.status).sort()).toEqual(['already', 'applied', 'applied']);
    const snap = await p.read();
    const grp = snap.groups.find((x) => x.name === 'mhs-students')!;
    expect(grp.managed).toBe(true);
    expect(grp.description).toBe('All students at MHS');
    expect(grp.members).toEqual(users.map((u) => (u as { objectId: string }).objectId).sort());
    const rm = change({ kind: 'membership', action: 'remove', key: 'mhs-students|s000011', anchor: 'sid11', before: { group: 'mhs-students', member: 's000011' } });
    expect((await p.apply(rm, {})).status).toBe('applied');
    expect((await p.apply(rm, {})).status).toBe('already');
  });
});

describe('entra applyMany ordering', () => {
  it('chains changes to the same account with dependsOn inside one $batch and keeps their order', async () => {
    const emu = await emulator();
    try {
      const p = await provider(emu);
      await p.applyMany([
        change({ kind: 'container', action: 'create', key: 'Students/MHS', after: { path: 'Students/MHS' } }),
        change({ kind: 'container', action: 'create', key: 'Students/CMS', after: { path: 'Students/CMS' } }),
      ]);
      const created = await p.applyMany([createChange(1), createChange(2)]);
      const id1 = (created.get(createChange(1).id) as { objectId: string }).objectId;
      const id2 = (created.get(createChange(2).id) as { objectId: string }).objectId;
      const base1 = { kind: 'account' as const, anchor: 'sid1', key: 'sid1', object_id: id1 };
      const dependsBefore = emu.stats.dependsOn;
      const out = await p.applyMany([
        change({ ...base1, id: 'u1', action: 'update', before: {}, after: { displayName: 'First' } }),
        change({ ...base1, id: 'm1', action: 'move', before: { path: 'Students/MHS/2030' }, after: { path: 'Students/CMS/2030' } }),
        change({ ...base1, id: 'u2', action: 'update', before: {}, after: { displayName: 'Second' } }),
        change({ ...base1, id: 'd1', action: 'disable', before: { enabled: true }, after: { enabled: false } }),
        change({ kind: 'account', anchor: 'sid2', key: 'sid2', object_id: id2, id: 'd2', action: 'disable', before: { enabled: true }, after: { enabled: false } }),
      ]);
      expect(Object.fromEntries(out)).toEqual({
        u1: { status: 'applied', objectId: id1 },
        m1: { status: 'applied', objectId: id1 },
        u2: { status: 'applied', objectId: id1 },
        d1: { status: 'applied', objectId: id1 },
        d2: { status: 'applied', objectId: id2 },
      });
      // The move is three chained requests; the three later changes to account 1 chain after it.
      expect(emu.stats.dependsOn - dependsBefore).toBeGreaterThanOrEqual(5);
      const u = emu.state.users.get(id1)!.props;
      expect(u['displayName']).toBe('Second');
      expect(u['accountEnabled']).toBe(false);
      expect((u['onPremisesExtensionAttributes'] as Record<string, string>)['extensionAttribute1']).toBe('Students/CMS/2030');
    } finally {
      await emu.stop();
    }
  });

  it('fails a change whose dependency failed, without sending it', async () => {
    const emu = await emulator();
    try {
      const p = await provider(emu);
      const bad = createChange(1, { username: 'bad name', path: 'Students' });
      const dependent = change({ kind: 'membership', action: 'add', key: 'g|bad name', anchor: 'sid1', after: { group: 'g', member: 'bad name' }, depends_on: [bad.id] });
      const out = await p.applyMany([bad, dependent]);
      expect(out.get(bad.id)).toMatchObject({ status: 'failed', terminal: true });
      expect(out.get(dependent.id)).toMatchObject({ status: 'failed', terminal: false });
      expect(emu.stats.writes).toBe(0);
    } finally {
      await emu.stop();
    }
  });
});

describe('entra provider: tokens and anchors', () => {
  it('fetches a new token when the API answers 401 for an expired one', async () => {
    const emu = await emulator({ tokenLifetimeSeconds: 1 });
    try {
      const p = await provider(emu);
      await p.apply(createChange(1, { path: 'Students' }), {});
      await new Promise((r) => setTimeout(r, 1100));
      const snap = await p.read();
      expect(snap.accounts).toHaveLength(1);
      expect(emu.stats.unauthorized).toBeGreaterThanOrEqual(1);
    } finally {
      await emu.stop();
    }
  });

  it('anchors on an extension attribute (advanced queries) when sourcedIds exceed employeeId\'s 16 characters', async () => {
    const emu = await emulator();
    try {
      const longAnchor = '8f14e45f-ceea-467f-a0e6-0f2d1c8a7b11';
      const onEmployeeId = await provider(emu);
      const refused = await onEmployeeId.apply(createChange(1, { anchor: longAnchor, path: 'Students' }), {});
      expect(refused).toMatchObject({ status: 'failed', terminal: true });
      expect((refused as { error: string }).error).toMatch(/16 characters/);

      const p = await provider(emu, { anchorAttribute: 'extensionAttribute2', pathAttribute: 'department' });
      const c = createChange(1, { anchor: longAnchor, path: 'Students' });
      const made = await p.apply(c, {});
      expect(made.status).toBe('applied');
      expect(await (await provider(emu, { anchorAttribute: 'extensionAttribute2', pathAttribute: 'department' })).apply(c, {})).toEqual({ status: 'already', objectId: (made as { objectId: string }).objectId });
      const u = emu.state.users.get((made as { objectId: string }).objectId)!.props;
      expect(u['onPremisesExtensionAttributes']).toEqual({ extensionAttribute2: longAnchor });
      expect(u['department']).toBe('Students');
      expect((await p.read()).accounts[0]).toMatchObject({ anchor: longAnchor, path: 'Students' });
    } finally {
      await emu.stop();
    }
  });
});

