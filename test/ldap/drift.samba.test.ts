import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Attribute, Change, type Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DriftItem } from '../../engine/drift/model.js';
import { runDrift } from '../../engine/drift/run-drift.js';
import { guidToString } from '../../providers/ldap/ad-values.js';
import { sharedSamba } from '../servers/shared-samba.js';
import { generateDistrict, PRESETS } from '../../scripts/generate-district.js';
import { scratchDistrict } from '../helpers/district.js';
import { adminClient, apply, districtRun, NOW, plan, setTarget, type DistrictRun } from './district-helpers.js';
import { uniqueOu } from './helpers.js';

/**
 * Issue #9 on Active Directory: a small district applied to the run's shared Samba AD DC,
 * then changed behind rollcall's back with ldapts (a displayName, an account disabled with
 * userAccountControl 514, an unanchored user in a managed OU). Drift reports each with the
 * right category; after a fresh plan + apply only the orphan (which apply never touches) is left.
 */
const ou = uniqueOu('drift');
const ANCHOR = 'employeeNumber';
let dir = '';
let run: DistrictRun;
let admin: Client;
let usersRoot = '';

/** `category anchor-or-objectId`, sorted. */
function keys(items: readonly DriftItem[]): string[] {
  return items.map((i) => `${i.category} ${i.anchor ?? i.objectId ?? ''}`).sort();
}

/**
 * The DC is shared with district.samba.test.ts, and AD anchors/usernames/group names reach
 * across OUs: another seed (other sourcedIds), usernames and group names prefixed.
 */
async function ownDistrict(prefix: string): Promise<string> {
  const d = scratchDistrict('rollcall-drift-ad-');
  const edit = (file: string, f: (t: string) => string) => writeFileSync(join(d, 'policy', file), f(readFileSync(join(d, 'policy', file), 'utf8')));
  edit('groups.yaml', (t) => t.replace(/^(\s+name: ")/gm, `$1${prefix}-`));
  edit('naming.yaml', (t) => t.replace(/^(\s+- ")/gm, '$1dr'));
  rmSync(join(d, 'sis'), { recursive: true, force: true });
  await generateDistrict({ ...PRESETS.maplewood!, people: 60, seed: 9090 }, join(d, 'sis'));
  return d;
}

const replace = (type: string, value: string): Change => new Change({ operation: 'replace', modification: new Attribute({ type, values: [value] }) });

beforeAll(async () => {
  const dc = sharedSamba();
  usersRoot = `OU=${ou},${dc.baseDN}`;
  dir = await ownDistrict(ou.slice(-8));
  setTarget(dir, 'ad', {
    provider: 'ldap', profile: 'active-directory', url: dc.ldapsUrl, baseDN: dc.baseDN, caFile: dc.caFile,
    bindDNEnv: 'ROLLCALL_TEST_BIND_DN', bindPasswordEnv: 'ROLLCALL_TEST_BIND_PASSWORD',
    usersBase: `OU=${ou}`, groupsBase: `OU=Groups,OU=${ou}`, concurrency: 4, anchorAttribute: ANCHOR,
  });
  run = districtRun(dir, 'ad', { ROLLCALL_TEST_BIND_DN: dc.adminDN, ROLLCALL_TEST_BIND_PASSWORD: dc.adminPassword });
  admin = await adminClient(dc.ldapsUrl, dc.caPem, dc.adminDN, dc.adminPassword);
  const report = await apply(run, await plan(run, NOW), NOW);
  expect(report.failed).toEqual([]);
}, 60_000);

afterAll(async () => {
  await admin?.unbind().catch(() => undefined);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const drift = () => runDrift({ dir: run.dir, now: NOW, targets: ['ad'], env: run.env });

describe('drift on an active-directory target (Samba AD DC)', () => {
  it('reports no drift right after apply', async () => {
    expect((await drift()).report.items).toEqual([]);
  }, 30_000);

  it('classifies changes made directly in AD and keeps only the orphan after apply', async () => {
    const r = await admin.search(`OU=Students,${usersRoot}`, { scope: 'sub', filter: `(&(objectClass=user)(${ANCHOR}=*))`, attributes: [ANCHOR, 'userAccountControl'] });
    const [edited, disabled] = r.searchEntries.filter((e) => e.userAccountControl === '512');
    expect(edited && disabled).toBeTruthy();
    await admin.modify(edited!.dn, replace('displayName', 'Edited Elsewhere'));
    await admin.modify(disabled!.dn, replace('userAccountControl', '514'));
    // An account without the anchor, in the OU of a managed student.
    const parent = edited!.dn.slice(edited!.dn.indexOf(',') + 1);
    const stray = `st${ou.slice(-6)}`;
    await admin.add(`CN=${stray},${parent}`, { objectClass: ['top', 'person', 'organizationalPerson', 'user'], sAMAccountName: stray });
    const strayEntry = (await admin.search(parent, { scope: 'one', filter: `(sAMAccountName=${stray})`, attributes: ['objectGUID'], explicitBufferAttributes: ['objectGUID'] })).searchEntries[0]!;
    const strayId = guidToString(strayEntry.objectGUID as Buffer);
    const editedAnchor = String(edited![ANCHOR]);
    const disabledAnchor = String(disabled![ANCHOR]);

    const tampered = await drift();
    expect(keys(tampered.report.items)).toEqual([`attribute-changed ${editedAnchor}`, `orphan-account ${strayId}`, `unexpected-disabled ${disabledAnchor}`].sort());
    const changed = tampered.report.items.find((i) => i.category === 'attribute-changed')!;
    expect(changed.attrs.find((a) => a.name === 'displayName')?.observed).toBe('Edited Elsewhere');
    expect(changed.fixedBy.length).toBeGreaterThan(0);
    expect(tampered.report.items.find((i) => i.category === 'unexpected-disabled')!.fixedBy.length).toBeGreaterThan(0);
    expect(tampered.report.items.find((i) => i.category === 'orphan-account')!.fixedBy).toEqual([]);

    const report = await apply(run, await plan(run, NOW), NOW);
    expect(report.failed).toEqual([]);
    const fixed = async (dn: string) => (await admin.search(dn, { scope: 'base', attributes: ['displayName', 'userAccountControl'] })).searchEntries[0]!;
    expect((await fixed(edited!.dn)).displayName).not.toBe('Edited Elsewhere');
    expect((await fixed(disabled!.dn)).userAccountControl).toBe('512');
    const after = await drift();
    expect(keys(after.report.items)).toEqual([`orphan-account ${strayId}`]);
    expect(after.plan.changes).toEqual([]);
  }, 60_000);
});
