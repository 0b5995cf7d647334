import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ambiguousCases, renderDecisionFile } from '../../engine/correlate/cases.js';
import type { Change, PlanDocument } from '../../engine/model/plan.js';
import { guidToString } from '../../providers/ldap/ad-values.js';
import { ldapProviderModule } from '../../providers/ldap/index.js';
import { SandboxStore, type SandboxAccount } from '../../providers/sandbox/store.js';
import { sharedSamba } from '../servers/shared-samba.js';
import { buildOldDistrict, OLD_DOMAIN, oldKey, type OldDistrict } from '../adoption/old-district.js';
import { adminClient, apply, districtRun, LATER, NOW, plan, setTarget, type DistrictRun } from './district-helpers.js';
import { change, context, targetConfig, uniqueOu } from './helpers.js';

/**
 * Issue #8's acceptance on Active Directory: the old accounts of old-district.ts (which accounts
 * exist, whose each is, their names, emails and anchors) written straight into a unique OU of the
 * shared Samba AD DC with ldapts, as a district's old scripts would have left them; then an
 * adoption plan on an `ad` target, decisions for the ambiguous cases, apply, and a clean re-plan.
 * Usernames are remapped to short unique ones (sAMAccountName is unique domain-wide and other
 * files on the DC make maplewood names); matching goes by email and anchor, not username.
 */
const ou = uniqueOu('adopt');
const tag = ou.slice(-5);
// AD anchors are looked up domain-wide, and district.samba.test.ts puts the same maplewood
// sourcedIds in employeeNumber on this shared DC: this district keeps its anchor elsewhere.
const ANCHOR = 'employeeType';
const WRITERS = 4;
let d: OldDistrict;
let run: DistrictRun;
let admin: Client;
let usersRoot = '';
let adSettings: Record<string, unknown> = {};
let first: PlanDocument;
/** Sandbox account (the builder's id) -> its copy in AD; and back from objectGUID. */
const old = new Map<string, SandboxAccount>();
const guidOf = new Map<string, string>();
const sandboxOf = new Map<string, string>();
const timings: Record<string, number> = {};

const ouDn = (path: string): string => [...path.split('/').filter(Boolean).reverse().map((p) => `OU=${p}`), usersRoot].join(',');
const accountChanges = (p: PlanDocument, action: Change['action']) => p.changes.filter((c) => c.kind === 'account' && c.action === action);
/** Ground truth keyed by AD objectGUID. */
const owner = (guid: string): string | null | undefined => d.truth.get(sandboxOf.get(guid) ?? '');

async function writeOldAccounts(dc: ReturnType<typeof sharedSamba>): Promise<void> {
  const accounts = [...old.values()];
  const paths = new Set<string>(['']);
  for (const a of accounts) a.path.split('/').forEach((_, i, parts) => paths.add(parts.slice(0, i + 1).join('/')));
  // Parents before children: sorting by depth.
  for (const p of [...paths].sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : 1))) {
    await admin.add(ouDn(p), { objectClass: ['top', 'organizationalUnit'] });
  }
  const queue = [...accounts];
  const writer = async (): Promise<void> => {
    const c = await adminClient(dc.ldapsUrl, dc.caPem, dc.adminDN, dc.adminPassword);
    try {
      for (let a = queue.shift(); a; a = queue.shift()) {
        // No password: AD creates the user disabled (userAccountControl 514), as many old scripts did.
        await c.add(`CN=${a.username},${ouDn(a.path)}`, {
          objectClass: ['top', 'person', 'organizationalPerson', 'user'],
          sAMAccountName: a.username,
          userPrincipalName: `${a.username}@${dc.realm.toLowerCase()}`,
          givenName: a.givenName,
          sn: a.familyName,
          displayName: a.displayName,
          mail: a.email,
          ...(a.anchor ? { [ANCHOR]: a.anchor } : {}),
        });
      }
    } finally {
      await c.unbind().catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, writer));
  const r = await admin.search(usersRoot, { scope: 'sub', filter: '(objectClass=user)', attributes: ['objectGUID', 'sAMAccountName'], explicitBufferAttributes: ['objectGUID'], paged: { pageSize: 500 } });
  const byName = new Map([...old.entries()].map(([id, a]) => [a.username.toLowerCase(), id]));
  for (const e of r.searchEntries) {
    const id = byName.get(String(e.sAMAccountName).toLowerCase());
    if (!id) continue;
    const guid = guidToString(e.objectGUID as Buffer);
    guidOf.set(id, guid);
    sandboxOf.set(guid, id);
  }
  expect(guidOf.size).toBe(old.size);
}

beforeAll(async () => {
  const dc = sharedSamba();
  usersRoot = `OU=${ou},${dc.baseDN}`;
  let t = Date.now();
  d = await buildOldDistrict();
  timings.build = Date.now() - t;
  const store = new SandboxStore(join(d.dir, '.rollcall', 'sandbox'));
  let n = 0;
  for (const id of d.truth.keys()) {
    const a = store.data.accounts[id]!;
    old.set(id, { ...a, username: `o${tag}${n++}` });
  }
  // The DC is shared: this district's new usernames and group names are prefixed too.
  const edit = (file: string, f: (s: string) => string) => writeFileSync(join(d.dir, 'policy', file), f(readFileSync(join(d.dir, 'policy', file), 'utf8')));
  edit('groups.yaml', (s) => s.replace(/^(\s+name: ")/gm, `$1${tag}-`));
  edit('naming.yaml', (s) => s.replace(/^(\s+- ")/gm, `$1n${tag}`));
  // The exclusions name two accounts by username: follow the remapping.
  const sup = store.data.accounts[d.excluded.at(-1)!]!.username;
  const testaccount = d.excluded.find((id) => store.data.accounts[id]!.username === 'testaccount')!;
  edit('exclusions.yaml', (s) => s.replace('username: testaccount', `username: ${old.get(testaccount)!.username}`).replace(`username: ${sup}`, `username: ${old.get(d.excluded.at(-1)!)!.username}`));
  adSettings = {
    provider: 'ldap', profile: 'active-directory', url: dc.ldapsUrl, baseDN: dc.baseDN, caFile: dc.caFile,
    bindDNEnv: 'ROLLCALL_TEST_BIND_DN', bindPasswordEnv: 'ROLLCALL_TEST_BIND_PASSWORD',
    usersBase: `OU=${ou}`, groupsBase: `OU=Groups,OU=${ou}`, concurrency: 4, anchorAttribute: ANCHOR,
  };
  setTarget(d.dir, 'ad', adSettings);
  run = districtRun(d.dir, 'ad', { ROLLCALL_TEST_BIND_DN: dc.adminDN, ROLLCALL_TEST_BIND_PASSWORD: dc.adminPassword });
  admin = await adminClient(dc.ldapsUrl, dc.caPem, dc.adminDN, dc.adminPassword);
  t = Date.now();
  await writeOldAccounts(dc);
  timings.write = Date.now() - t;
  t = Date.now();
  first = await plan(run, NOW);
  timings.plan1 = Date.now() - t;
}, 200_000);

afterAll(async () => {
  await admin?.unbind().catch(() => undefined);
  console.log(`adoption on AD: ${old.size} old accounts; timings (ms): ${JSON.stringify(timings)}`);
  if (d?.dir) rmSync(d.dir, { recursive: true, force: true });
});

describe('adopting a district whose Active Directory already has accounts (Samba AD DC)', () => {
  it('first plan: zero duplicates, every strong match adopted, pairs ambiguous, orphans reported, exclusions untouched', () => {
    expect(old.size).toBeGreaterThanOrEqual(2000);
    expect(first.correlation?.adoption).toBe(true);
    const s = first.correlation!.targets.ad!;
    console.log(`first AD adoption plan: ${JSON.stringify({ ...s, orphan_ids: s.orphan_ids.length })}, ${first.changes.length} changes`);

    // Zero duplicates: only people with no account at all get one.
    const owners = new Set([...d.truth.values()].filter((o): o is string => o !== null));
    const creates = accountChanges(first, 'create');
    expect(creates.filter((c) => owners.has(c.anchor!))).toEqual([]);
    expect(creates.map((c) => c.anchor).sort()).toEqual([...d.newPeople].sort());

    // Every adoption goes to the account's true owner; every unambiguous strong match is adopted.
    const all = accountChanges(first, 'adopt');
    for (const c of all) expect(owner(c.object_id!), c.id).toBe(c.anchor);
    const adopted = new Set(all.filter((c) => c.reason.rule !== 'correlation.linked').map((c) => c.anchor));
    const nameCount = new Map<string, number>();
    for (const id of d.eligible) {
      const p = d.people.get(id);
      if (p) nameCount.set(oldKey(p.given, p.family), (nameCount.get(oldKey(p.given, p.family)) ?? 0) + 1);
    }
    const excluded = new Set(d.excluded);
    const expected: string[] = [];
    let linked = 0;
    for (const [id, who] of d.truth) {
      if (who === null || excluded.has(id)) continue;
      const a = old.get(id)!;
      const p = d.people.get(who)!;
      if (a.anchor === who) linked++;
      else if (nameCount.get(oldKey(p.given, p.family)) === 1 && (a.anchor === p.identifier || a.email === `${oldKey(p.given, p.family)}@${OLD_DOMAIN}`)) expected.push(who);
    }
    expect(expected.length).toBeGreaterThan(900);
    expect(expected.filter((p) => !adopted.has(p))).toEqual([]);
    expect(s.linked).toBe(linked);
    expect(s.matched).toBe(adopted.size);

    // Every same-named pair is ambiguous, both twins' accounts offered, nothing planned for either.
    const ambiguous = new Map(first.decisions.filter((x) => x.kind === 'ambiguous-correlation').map((x) => [x.anchor, x]));
    for (const [a, b] of d.pairs) {
      expect(ambiguous.has(a) && ambiguous.has(b), `${a} ${b}`).toBe(true);
      const twins = [...d.truth.entries()].filter(([, o]) => o === a || o === b).map(([id]) => guidOf.get(id)!);
      expect(ambiguous.get(a)!.candidates).toEqual(expect.arrayContaining(twins));
    }
    expect(first.changes.filter((c) => c.anchor !== undefined && ambiguous.has(c.anchor))).toEqual([]);

    // Orphans are reported and untouched; nothing is disabled or deleted.
    expect(s.orphan_ids).toEqual(d.orphans.map((id) => guidOf.get(id)!).sort());
    expect(s.orphans).toBe(50);
    const orphanGuids = new Set(d.orphans.map((id) => guidOf.get(id)));
    expect(first.changes.filter((c) => orphanGuids.has(c.object_id))).toEqual([]);
    expect(accountChanges(first, 'disable')).toEqual([]);
    expect(accountChanges(first, 'delete')).toEqual([]);

    // Excluded accounts: counted, never touched, never offered.
    expect(s.excluded).toBe(10);
    const excludedGuids = d.excluded.map((id) => guidOf.get(id)!);
    expect(first.changes.filter((c) => c.object_id !== undefined && excludedGuids.includes(c.object_id))).toEqual([]);
    expect(first.changes.filter((c) => c.anchor === d.superintendent)).toEqual([]);
    expect(JSON.stringify(first.decisions)).not.toMatch(new RegExp(excludedGuids.join('|')));
  });

  it('after the ambiguous cases are decided, links them; after apply, a re-plan is clean', async () => {
    const byGuid = (id: string) => {
      const a = old.get(sandboxOf.get(id) ?? '');
      return a ? { username: a.username, path: a.path } : null;
    };
    const cases = ambiguousCases(first, (_t, id) => byGuid(id));
    expect(cases.length).toBeGreaterThanOrEqual(20);
    mkdirSync(join(d.dir, 'decisions'), { recursive: true });
    let decided = 0;
    for (const c of cases) {
      const text = renderDecisionFile(c, (person) => {
        const mine = c.accounts.find((a) => owner(a.id) === person);
        if (mine) decided++;
        return mine?.id ?? null;
      });
      writeFileSync(join(d.dir, 'decisions', c.file), text);
    }
    expect(decided).toBeGreaterThanOrEqual(40);

    let t = Date.now();
    const second = await plan(run, NOW);
    timings.plan2 = Date.now() - t;
    const s2 = second.correlation!.targets.ad!;
    expect(s2.ambiguous).toBe(0);
    expect(s2.decided).toBe(decided);
    for (const c of accountChanges(second, 'adopt')) expect(owner(c.object_id!), c.id).toBe(c.anchor);
    for (const [a, b] of d.pairs) {
      for (const p of [a, b]) expect(accountChanges(second, 'adopt').some((c) => c.anchor === p), p).toBe(true);
    }
    const owners = new Set([...d.truth.values()].filter((o): o is string => o !== null));
    expect(accountChanges(second, 'create').filter((c) => owners.has(c.anchor!))).toEqual([]);
    expect(second.warnings.filter((w) => w.code?.startsWith('correlation.'))).toEqual([]);

    t = Date.now();
    const report = await apply(run, second, LATER);
    timings.apply = Date.now() - t;
    expect(report.failed).toEqual([]);
    t = Date.now();
    const third = await plan(run, LATER);
    timings.plan3 = Date.now() - t;
    console.log(`decided AD plan: ${second.changes.length} changes (adopt ${accountChanges(second, 'adopt').length}, create ${accountChanges(second, 'create').length}); re-plan ${third.changes.length} changes`);
    expect(third.changes).toEqual([]);
    const s3 = third.correlation!.targets.ad!;
    expect(s3.matched + s3.decided + s3.ambiguous).toBe(0);
    expect(s3.orphans).toBe(50);
    expect(s3.excluded).toBe(10);

    // In the directory: every owned, non-excluded account now carries its owner's anchor; excluded ones do not.
    const r = await admin.search(usersRoot, { scope: 'sub', filter: '(objectClass=user)', attributes: ['objectGUID', ANCHOR], explicitBufferAttributes: ['objectGUID'], paged: { pageSize: 500 } });
    const anchorOf = new Map(r.searchEntries.map((e) => [guidToString(e.objectGUID as Buffer), String(e[ANCHOR] ?? '') || null]));
    const excluded = new Set(d.excluded);
    for (const [id, who] of d.truth) {
      const got = anchorOf.get(guidOf.get(id)!);
      if (excluded.has(id) || who === null) expect(got, id).toBe(old.get(id)!.anchor);
      else expect(got, id).toBe(who);
    }
  }, 240_000);

  it('an adopt replaces only the old anchor the plan saw, never another one', async () => {
    // An orphan that carries an old anchor (legacy-N): an adopt whose `before` names some other
    // value must be refused, and the entry keep its anchor.
    const orphan = d.orphans.find((id) => old.get(id)!.anchor !== null)!;
    const guid = guidOf.get(orphan)!;
    const p = await ldapProviderModule.create(targetConfig('ad', adSettings), context(run.env as Record<string, string>));
    try {
      const adopt = change('ad', 'account', 'adopt', 'someone', { anchor: 'someone', object_id: guid, before: { anchor: 'not-what-it-carries' }, after: { anchor: 'someone', username: old.get(orphan)!.username } });
      expect(await p.apply(adopt, {})).toMatchObject({ status: 'failed', terminal: true, error: expect.stringMatching(/ldap\.anchor-mismatch/) });
    } finally {
      await p.close();
    }
    const r = await admin.search(usersRoot, { scope: 'sub', filter: `(sAMAccountName=${old.get(orphan)!.username})`, attributes: [ANCHOR] });
    expect(r.searchEntries[0]?.[ANCHOR]).toBe(old.get(orphan)!.anchor);
  });
});
