import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import Apply from '../../cli/commands/apply.js';
import Passwords from '../../cli/commands/passwords.js';
import Plan from '../../cli/commands/plan.js';
import { CredentialStore, CREDENTIALS_FILE, type CredentialRecord } from '../../engine/secrets/credential-store.js';
import { KEY_ENV } from '../../engine/secrets/key.js';
import { runApply } from '../../engine/run/apply-run.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { col, readCsv, scratchDistrict } from '../helpers/district.js';
import { runCommand } from '../helpers/run-command.js';

const NOW = '2026-10-01';

/** Every file under dir, recursively, except the sealed credentials. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.name !== CREDENTIALS_FILE) out.push(p);
  }
  return out;
}

/** Passwords are letters and digits: split text into such tokens and intersect. */
function leaked(text: string, passwords: ReadonlySet<string>): string[] {
  return text.split(/[^A-Za-z0-9]+/).filter((t) => passwords.has(t));
}

describe('initial passwords through a real apply of the example district', () => {
  const key = randomBytes(32);
  let dir: string;
  let records: CredentialRecord[];
  let applyOut: { stdout: string; stderr: string; code: number };
  let planJson: string;

  beforeAll(async () => {
    dir = scratchDistrict('rollcall-secrets-e2e-');
    process.env[KEY_ENV] = key.toString('base64');
    try {
      planJson = (await runCommand(Plan, ['--dir', dir, '--now', NOW, '--json'])).stdout;
      applyOut = await runCommand(Apply, ['--dir', dir, '--now', NOW, '--auto-approve']);
    } finally {
      delete process.env[KEY_ENV];
    }
    records = new CredentialStore(join(dir, '.rollcall', 'secrets'), key).readAll();
  }, 120_000);

  afterEach(() => {
    delete process.env[KEY_ENV];
  });

  it('stores one encrypted record per created account, in a 0700 directory and a 0600 file', () => {
    expect(applyOut.code).toBe(0);
    const creates = (JSON.parse(planJson) as { changes: { kind: string; action: string; anchor?: string }[] }).changes.filter((c) => c.kind === 'account' && c.action === 'create');
    expect(creates.length).toBeGreaterThan(1900);
    expect(records.map((r) => r.anchor).sort()).toEqual(creates.map((c) => c.anchor).sort());
    expect(statSync(join(dir, '.rollcall', 'secrets')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, '.rollcall', 'secrets', CREDENTIALS_FILE)).mode & 0o777).toBe(0o600);
  });

  it('no password appears in the plan JSON, the apply output, state, journal or sandbox', () => {
    const passwords = new Set(records.map((r) => r.password));
    expect(passwords.size).toBe(records.length);
    // The check itself finds a password where there is one.
    expect(leaked(`{"x":"${records[0]!.password}"}`, passwords)).toEqual([records[0]!.password]);
    expect(leaked(planJson, passwords)).toEqual([]);
    expect(leaked(applyOut.stdout + applyOut.stderr, passwords)).toEqual([]);
    const files = filesUnder(join(dir, '.rollcall'));
    expect(files.length).toBeGreaterThan(1);
    for (const f of files) expect(leaked(readFileSync(f, 'utf8'), passwords), f).toEqual([]);
    // And as substrings, for a sample: tokenizing must not hide a password inside a longer word.
    const all = planJson + applyOut.stdout + applyOut.stderr + files.map((f) => readFileSync(f, 'utf8')).join('\n');
    for (const r of records.slice(0, 200)) expect(all.includes(r.password)).toBe(false);
  });

  it('prints a sheet with exactly one class\'s students and their stored passwords', async () => {
    const sis = join(dir, 'sis');
    const enr = readCsv(join(sis, 'enrollments.csv'));
    const classes = readCsv(join(sis, 'classes.csv'));
    const cls = classes.rows.find((r) => r[col(classes, 'sourcedId')]!.startsWith('cls-mhs'))!;
    const classId = cls[col(classes, 'sourcedId')]!;
    const students = new Set(enr.rows.filter((r) => r[col(enr, 'classSourcedId')] === classId && r[col(enr, 'role')] === 'student').map((r) => r[col(enr, 'userSourcedId')]!));
    expect(students.size).toBeGreaterThan(3);

    process.env[KEY_ENV] = key.toString('base64');
    // Not to a pipe or a CI log: refused, nothing printed.
    const piped = await runCommand(Passwords, ['--dir', dir, '--class', classId]);
    expect(piped.code).toBe(1);
    expect(piped.stdout).toBe('');
    expect(piped.stderr).toMatch(/passwords\.not-a-terminal/);
    // To a terminal.
    const tty = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
    Object.defineProperty(process.stdout, 'isTTY', { value: true, configurable: true });
    let out: Awaited<ReturnType<typeof runCommand>>;
    try {
      out = await runCommand(Passwords, ['--dir', dir, '--class', classId]);
    } finally {
      if (tty) Object.defineProperty(process.stdout, 'isTTY', tty);
      else delete (process.stdout as { isTTY?: boolean }).isTTY;
    }
    expect(out.code).toBe(0);
    const lines = out.stdout.trim().split('\n').slice(3);
    const expected = records.filter((r) => students.has(r.anchor));
    expect(lines.sort()).toEqual(expected.map((r) => `${r.displayName}\t${r.username}\t${r.password}`).sort());
    expect(out.stdout).toContain(cls[col(classes, 'title')]!);

    const htmlFile = join(dir, 'sheet.html');
    const html = await runCommand(Passwords, ['--dir', dir, '--class', classId, '--format', 'html', '--out', htmlFile]);
    expect(html.stdout).toBe('');
    const page = readFileSync(htmlFile, 'utf8');
    expect(page.match(/<section class="card">/g)).toHaveLength(students.size);
    expect(statSync(htmlFile).mode & 0o777).toBe(0o600);
  });

  it('refuses to print with a wrong key, without leaking anything', async () => {
    process.env[KEY_ENV] = randomBytes(32).toString('base64');
    const never = join(dir, 'never.txt');
    const out = await runCommand(Passwords, ['--dir', dir, '--class', 'cls-mhs-00001', '--out', never]);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/Refused \(credentials\.decrypt\): cannot decrypt/);
    expect(existsSync(never)).toBe(false);
    const passwords = new Set(records.map((r) => r.password));
    expect(leaked(out.stdout + out.stderr, passwords)).toEqual([]);
    expect(out.stdout).toBe('');
  });

  it('without a key, apply stores nothing and says so in one line', async () => {
    const other = scratchDistrict('rollcall-secrets-nokey-');
    const out = await runCommand(Apply, ['--dir', other, '--now', NOW, '--auto-approve']);
    expect(out.code).toBe(0);
    expect(out.stderr.split('\n').filter((l) => l.includes(KEY_ENV))).toEqual([expect.stringMatching(/^Initial passwords are not stored/)]);
    expect(existsSync(join(other, '.rollcall', 'secrets'))).toBe(false);
  }, 120_000);
});

describe('stored initial passwords are kept passwords.keepDays (default 30)', () => {
  it('an apply purges older records and keeps the ones it made', async () => {
    const dir = scratchDistrict('rollcall-secrets-purge-');
    const key = randomBytes(32);
    const secrets = join(dir, '.rollcall', 'secrets');
    await new CredentialStore(secrets, key, () => '2026-08-01T09:00:00.000Z').record({
      id: 'sandbox:account:gone-1:create', target: 'sandbox', kind: 'account', action: 'create', anchor: 'gone-1', key: 'gone-1',
      after: { username: 'gone30', displayName: 'Old Record' }, reason: { cause: 'sis', detail: 'new' },
    }, 'OldPassword1234');
    const at = '2026-10-01T12:00:00.000Z';
    const store = new CredentialStore(secrets, key, () => at);
    const plan = (await runPlan({ dir, now: at })).plan;
    const report = await runApply({ dir, plan, accept: [], now: () => at, actor: 'test', lockTimeoutMs: 0, credentials: store });
    expect(report.failed).toEqual([]);
    expect(report.purgedCredentials).toBe(1);
    const left = store.readAll();
    expect(left.some((r) => r.anchor === 'gone-1')).toBe(false);
    expect(left.length).toBe(plan.changes.filter((c) => c.kind === 'account' && c.action === 'create').length);
  }, 120_000);
});

describe('one initial password per person across the targets of an apply', () => {
  it('a person created in two directories at once gets the same password in both, and the sheet shows it once', async () => {
    const dir = scratchDistrict('rollcall-secrets-two-targets-');
    const root = join(dir, 'rollcall.yaml');
    writeFileSync(root, readFileSync(root, 'utf8').replace(/^( {2}sandbox:\n {4}provider: sandbox\n {4}path: \.rollcall\/sandbox\n)/m, '$1  mirror:\n    provider: sandbox\n    path: .rollcall/mirror\n'));
    const key = randomBytes(32);
    const at = '2026-10-01T12:00:00.000Z';
    const store = new CredentialStore(join(dir, '.rollcall', 'secrets'), key, () => at);
    const plan = (await runPlan({ dir, now: at })).plan;
    const creates = plan.changes.filter((c) => c.kind === 'account' && c.action === 'create');
    expect(new Set(creates.map((c) => c.target))).toEqual(new Set(['sandbox', 'mirror']));
    const report = await runApply({ dir, plan, accept: [], now: () => at, actor: 'test', lockTimeoutMs: 0, credentials: store });
    expect(report.failed).toEqual([]);
    const byAnchor = new Map<string, Map<string, string>>();
    for (const r of store.readAll()) {
      if (!byAnchor.has(r.anchor)) byAnchor.set(r.anchor, new Map());
      byAnchor.get(r.anchor)!.set(r.target, r.password);
    }
    expect(byAnchor.size).toBeGreaterThan(1900);
    for (const perTarget of byAnchor.values()) {
      expect([...perTarget.keys()].sort()).toEqual(['mirror', 'sandbox']);
      expect(new Set(perTarget.values()).size).toBe(1);
    }
    // Different people still get different passwords.
    expect(new Set([...byAnchor.values()].map((m) => m.get('sandbox'))).size).toBeGreaterThan(byAnchor.size * 0.99);
  }, 120_000);
});
