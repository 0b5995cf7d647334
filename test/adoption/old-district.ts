import { appendFileSync, copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toAsciiName } from '../../engine/resolve/naming/transliterate.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { SandboxStore, type SandboxAccount } from '../../providers/sandbox/store.js';
import { REPO, col, readCsv, scratchDistrict, writeCsv } from '../helpers/district.js';

/**
 * A district as its old scripts left it, built on a scratch copy of the example district:
 * every eligible person has an account named first.last (a number on collision) at an old
 * email domain, made by a script that knew nothing of rollcall. Mixed in, deliberately:
 *  - anchors: 30% carry the sourcedId; 10% carry the student number instead; 60% none;
 *  - 20 pairs of same-named students (a twin added to the SIS beside 20 students);
 *  - 30 typos in names (15 in the name only, 15 in name and login, on accounts that carry
 *    the student number);
 *  - 50 orphans (people the SIS no longer lists), 10 of them with an old anchor;
 *  - 10 service accounts (service, kiosks, a vendor test login, the superintendent's);
 *  - 25 people with no account yet (new this year).
 * Everything is deterministic; `truth` records whose each account really is.
 */

export const NOW = '2026-10-01T12:00:00.000Z';
export const OLD_DOMAIN = 'old.maplewood.k12.example';
export const ROLES = new Set(['student', 'teacher', 'aide', 'principal', 'counselor', 'siteAdministrator', 'districtAdministrator']);

export interface OldDistrict {
  dir: string;
  /** account id -> the person it belongs to (null: orphan or service). */
  truth: Map<string, string | null>;
  pairs: [string, string][];
  orphans: string[];
  excluded: string[];
  typoAccounts: string[];
  newPeople: string[];
  superintendent: string;
  /** person -> { given, family, identifier } from users.csv, for the tests' own expectations. */
  people: Map<string, { given: string; family: string; identifier: string }>;
  /** Eligible people (a role that gets accounts), as correlation considers them. */
  eligible: Set<string>;
}

export function oldKey(given: string, family: string): string {
  const part = (s: string): string => toAsciiName(s).toLowerCase().replace(/[^\p{L}\p{M}\p{N}]/gu, '');
  return `${part(given)}.${part(family)}`;
}

function typo(s: string): string {
  if (s.length < 3) return `${s}x`;
  const i = Math.floor(s.length / 2) - 1;
  const swapped = s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2);
  return swapped === s ? `${s}h` : swapped;
}

export async function buildOldDistrict(): Promise<OldDistrict> {
  const dir = scratchDistrict('rollcall-adopt-');
  const sis = join(dir, 'sis');
  const users = readCsv(join(sis, 'users.csv'));
  const roles = readCsv(join(sis, 'roles.csv'));
  const U = (name: string) => col(users, name);
  const R = (name: string) => col(roles, name);

  const eligible = new Set(roles.rows.filter((r) => ROLES.has(r[R('role')]!)).map((r) => r[R('userSourcedId')]!));
  const keyCount = new Map<string, number>();
  for (const r of users.rows) {
    if (!eligible.has(r[U('sourcedId')]!)) continue;
    const k = oldKey(r[U('givenName')]!, r[U('familyName')]!);
    keyCount.set(k, (keyCount.get(k) ?? 0) + 1);
  }

  // 20 twins: students with a name nobody else has, copied under a new id and student number.
  const studentRole = new Map(roles.rows.filter((r) => r[R('role')] === 'student').map((r) => [r[R('userSourcedId')]!, r]));
  const pairs: [string, string][] = [];
  const uniqueStudents = users.rows.filter((r) => studentRole.has(r[U('sourcedId')]!) && keyCount.get(oldKey(r[U('givenName')]!, r[U('familyName')]!)) === 1 && r[U('enabledUser')] === 'true');
  for (let i = 0; i < 20; i++) {
    const orig = uniqueStudents[7 + i * 37];
    if (!orig) throw new Error('not enough students for twins');
    const id = `twin-${String(i).padStart(2, '0')}`;
    const num = `9${String(i).padStart(6, '0')}`;
    const row = [...orig];
    row[U('sourcedId')] = id;
    row[U('identifier')] = num;
    row[U('username')] = `s${num}`;
    row[U('userIds')] = `{SIS:${num}}`;
    users.rows.push(row);
    const role = [...studentRole.get(orig[U('sourcedId')]!)!];
    role[R('sourcedId')] = `rol-twin-${i}`;
    role[R('userSourcedId')] = id;
    roles.rows.push(role);
    eligible.add(id);
    keyCount.set(oldKey(orig[U('givenName')]!, orig[U('familyName')]!), 2);
    pairs.push([orig[U('sourcedId')]!, id]);
  }
  writeCsv(join(sis, 'users.csv'), users);
  writeCsv(join(sis, 'roles.csv'), roles);
  const people = new Map(users.rows.map((r) => [r[U('sourcedId')]!, { given: r[U('givenName')]!, family: r[U('familyName')]!, identifier: r[U('identifier')]! }]));

  // What rollcall would create on an empty directory: who gets an account, and where.
  const fresh = (await runPlan({ dir, now: NOW })).plan;
  const creates = fresh.changes.filter((c) => c.kind === 'account' && c.action === 'create').sort((a, b) => (a.key < b.key ? -1 : 1));
  const paired = new Set(pairs.flat());
  const superintendent = roles.rows.find((r) => r[R('role')] === 'districtAdministrator')![R('userSourcedId')]!;

  const store = new SandboxStore(join(dir, '.rollcall', 'sandbox'));
  const truth = new Map<string, string | null>();
  const taken = new Set<string>();
  const newPeople: string[] = [];
  const typoAccounts: string[] = [];
  const put = (a: Omit<SandboxAccount, 'id' | 'enabled' | 'aliases'>, owner: string | null): SandboxAccount => {
    const account: SandboxAccount = { id: store.nextId('u'), enabled: true, aliases: [], ...a };
    store.commit({ op: 'put-account', account });
    truth.set(account.id, owner);
    taken.add(account.username);
    return account;
  };
  const free = (base: string): string => {
    if (!taken.has(base)) return base;
    for (let n = 2; ; n++) if (!taken.has(`${base}${n}`)) return `${base}${n}`;
  };
  for (const path of new Set(creates.map((c) => String(c.after?.path ?? '')).flatMap((p) => p.split('/').map((_, i, a) => a.slice(0, i + 1).join('/'))))) {
    store.commit({ op: 'add-container', path });
  }

  let supUsername = '';
  let nameTypos = 0;
  let loginTypos = 0;
  creates.forEach((c, i) => {
    const anchor = c.anchor!;
    const p = people.get(anchor)!;
    const unique = keyCount.get(oldKey(p.given, p.family)) === 1;
    if (i % 80 === 40 && unique && anchor !== superintendent) {
      newPeople.push(anchor);
      return;
    }
    const slot = i % 10;
    let given = p.given;
    let family = p.family;
    let accountAnchor: string | null = slot < 3 ? anchor : slot === 3 ? p.identifier : null;
    if (paired.has(anchor) || anchor === superintendent) accountAnchor = null;
    let typoKind: 'name' | 'login' | null = null;
    if (unique && !paired.has(anchor) && anchor !== superintendent) {
      if (slot === 5 && nameTypos < 15 && i % 3 === 0) typoKind = 'name';
      if (slot === 3 && loginTypos < 15 && i % 3 === 0) typoKind = 'login';
    }
    // A login typo: the script ran on a misspelled name; the student number saved the link.
    if (typoKind === 'login') given = typo(given);
    const username = free(oldKey(given, family));
    // A name typo: someone retyped the name later; the login is still the script's.
    if (typoKind === 'name') family = typo(family);
    const acc = put({ anchor: accountAnchor, username, givenName: given, familyName: family, displayName: `${given} ${family}`, email: `${username}@${OLD_DOMAIN}`, path: String(c.after?.path ?? '') }, anchor);
    if (typoKind) {
      typoAccounts.push(acc.id);
      if (typoKind === 'name') nameTypos++;
      else loginTypos++;
    }
    if (anchor === superintendent) supUsername = username;
  });
  if (typoAccounts.length !== 30) throw new Error(`expected 30 typo accounts, made ${typoAccounts.length}`);

  // 50 orphans: people who left; names nobody in the SIS has.
  const orphans: string[] = [];
  const givens = ['Quillon', 'Marisela', 'Thaddeus', 'Oriana', 'Bartholomew', 'Zinnia', 'Ignatius', 'Perpetua', 'Leopold', 'Araminta'];
  const families = ['Abernathy', 'Vantongeren', 'Quackenbush', 'Oyelaran', 'Featherstonehaugh'];
  const schools = ['MPE', 'OHE', 'CMS', 'MHS'];
  for (let i = 0; i < 50; i++) {
    const given = givens[i % givens.length]!;
    const family = families[Math.floor(i / givens.length)]!;
    if (keyCount.has(oldKey(given, family))) throw new Error('orphan name collides with a SIS person');
    const username = free(oldKey(given, family));
    const path = i % 5 === 4 ? `Staff/${schools[i % 4]}` : `Students/${schools[i % 4]}/${2027 + (i % 12)}`;
    orphans.push(put({ anchor: i < 10 ? `legacy-${i}` : null, username, givenName: given, familyName: family, displayName: `${given} ${family}`, email: `${username}@${OLD_DOMAIN}`, path }, null).id);
  }

  // 10 excluded accounts.
  const excluded: string[] = [];
  for (const s of ['svc-sis-sync', 'svc-printers', 'svc-backup', 'svc-lms', 'svc-scanner']) {
    excluded.push(put({ anchor: null, username: s, givenName: 'Service', familyName: s, displayName: s, email: `${s}@${OLD_DOMAIN}`, path: 'Service' }, null).id);
  }
  for (const s of schools.slice(0, 3)) {
    const u = `kiosk-${s.toLowerCase()}`;
    excluded.push(put({ anchor: null, username: u, givenName: 'Library', familyName: 'Kiosk', displayName: `${s} library kiosk`, email: `${u}@${OLD_DOMAIN}`, path: `Shared/Kiosks/${s}` }, null).id);
  }
  // A vendor's test login inside the managed scope, named like a real student: only the exclusion keeps it out.
  const lookalike = people.get(creates[100]!.anchor!)!;
  excluded.push(put({ anchor: null, username: 'testaccount', givenName: lookalike.given, familyName: lookalike.family, displayName: 'Vendor test', email: `testaccount@${OLD_DOMAIN}`, path: String(creates[100]!.after?.path) }, null).id);
  const sup = [...truth.entries()].find(([, owner]) => owner === superintendent)![0];
  excluded.push(sup);
  store.compact();

  copyFileSync(join(REPO, 'test/fixtures/adoption/policy/correlation.yaml'), join(dir, 'policy/correlation.yaml'));
  writeFileSync(join(dir, 'policy/exclusions.yaml'), [
    '# yaml-language-server: $schema=../../../../schemas/exclusions.schema.json',
    'accounts:',
    '  - { path: "Service/**", reason: "service accounts of the SIS sync, printers and backups" }',
    '  - { path: "Shared/Kiosks/*", reason: shared library kiosks }',
    '  - { username: testaccount, reason: the LMS vendor\'s test login }',
    `  - { username: ${supUsername}, person: ${superintendent}, reason: the superintendent's account is managed by hand }`,
    '',
  ].join('\n'));
  appendFileSync(join(dir, 'rollcall.yaml'), '\n# First runs on a directory that already has accounts.\nadoption: true\n');
  return { dir, truth, pairs, orphans, excluded, typoAccounts, newPeople, superintendent, people, eligible };
}
