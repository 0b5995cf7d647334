import { lstatSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RefusedError } from '../../engine/model/errors.js';
import type { Change } from '../../engine/model/plan.js';
import { generatePassword } from '../../engine/run/passwords.js';
import { CredentialStore, credentialSinkFromEnv, secretsDir, CREDENTIALS_FILE } from '../../engine/secrets/credential-store.js';
import { credentialsKey, KEY_ENV } from '../../engine/secrets/key.js';

const key = (): Buffer => randomBytes(32);

function create(anchor: string, username: string, displayName = 'Zoë O\'Brien'): Change {
  return {
    id: `sandbox:account:${anchor}:create`, target: 'sandbox', kind: 'account', action: 'create', anchor, key: anchor,
    after: { username, displayName, givenName: 'Zoë', familyName: 'O\'Brien', email: `${username}@x.example`, path: 'Students/MHS/2030', enabled: true },
    reason: { cause: 'sis', detail: 'new' }, password_rule: 'older-students',
  };
}

const umask = process.umask();
afterEach(() => {
  process.umask(umask);
});

describe('the initial-credential store', () => {
  it('round-trips records; the file shows no password, name, username or anchor', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'rollcall-secrets-')), 'secrets');
    const k = key();
    const store = new CredentialStore(dir, k, () => '2026-10-01T12:00:00.000Z');
    const pw1 = generatePassword({ kind: 'random', length: 14 });
    const pw2 = generatePassword({ kind: 'words', length: 3 });
    await store.record(create('stu-1', 'zobrien30'), pw1);
    await store.record(create('stu-2', 'abc30', 'Ann Bee'), pw2);
    const back = new CredentialStore(dir, k).readAll();
    expect(back).toEqual([
      { anchor: 'stu-1', target: 'sandbox', username: 'zobrien30', displayName: 'Zoë O\'Brien', password: pw1, passwordRule: 'older-students', createdAt: '2026-10-01T12:00:00.000Z' },
      { anchor: 'stu-2', target: 'sandbox', username: 'abc30', displayName: 'Ann Bee', password: pw2, passwordRule: 'older-students', createdAt: '2026-10-01T12:00:00.000Z' },
    ]);
    const raw = readFileSync(join(dir, CREDENTIALS_FILE), 'utf8');
    expect(raw.trim().split('\n')).toHaveLength(2);
    for (const secret of [pw1, pw2, 'zobrien30', 'stu-1', 'Bee', 'Brien']) expect(raw).not.toContain(secret);
    // Two records with equal content still differ: a fresh IV per record.
    await store.record(create('stu-1', 'zobrien30'), pw1);
    const lines = readFileSync(join(dir, CREDENTIALS_FILE), 'utf8').trim().split('\n');
    expect(new Set(lines.map((l) => (JSON.parse(l) as { ct: string }).ct)).size).toBe(3);
  });

  it('purges records older than a cutoff, keeping the rest readable and the file 0600', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'rollcall-secrets-')), 'secrets');
    const k = key();
    let now = '2026-08-01T09:00:00.000Z';
    const store = new CredentialStore(dir, k, () => now);
    await store.record(create('stu-1', 'old30'), 'pw-old-1234');
    now = '2026-09-20T09:00:00.000Z';
    await store.record(create('stu-2', 'new30'), 'pw-new-1234');
    expect(store.purgeBefore('2026-09-01')).toBe(1);
    expect(store.readAll().map((r) => r.anchor)).toEqual(['stu-2']);
    expect(statSync(join(dir, CREDENTIALS_FILE)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, CREDENTIALS_FILE), 'utf8')).not.toContain('pw-old-1234');
    expect(store.purgeBefore('2026-09-01')).toBe(0);
  });

  it('a wrong key or an altered line fails cleanly, naming neither password nor person', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollcall-secrets-'));
    const pw = generatePassword({ kind: 'random', length: 16 });
    await new CredentialStore(dir, key()).record(create('stu-9', 'secretname30'), pw);
    let err: unknown;
    try {
      new CredentialStore(dir, key()).readAll();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as RefusedError).code).toBe('credentials.decrypt');
    expect((err as Error).message).toContain('line 1');
    for (const s of [pw, 'secretname30', 'stu-9']) expect((err as Error).message).not.toContain(s);

    const k = key();
    const other = mkdtempSync(join(tmpdir(), 'rollcall-secrets-'));
    await new CredentialStore(other, k).record(create('stu-9', 'secretname30'), pw);
    const file = join(other, CREDENTIALS_FILE);
    const sealed = JSON.parse(readFileSync(file, 'utf8')) as { ct: string };
    const flipped = Buffer.from(sealed.ct, 'base64');
    flipped[0] = flipped[0]! ^ 1;
    writeFileSync(file, JSON.stringify({ ...sealed, ct: flipped.toString('base64') }) + '\n');
    expect(() => new CredentialStore(other, k).readAll()).toThrow(/cannot decrypt/);
  });

  it('creates the directory 0700 and the file 0600 whatever the umask, and tightens a loose directory', async () => {
    process.umask(0);
    const root = mkdtempSync(join(tmpdir(), 'rollcall-secrets-'));
    const dir = join(root, '.rollcall', 'secrets');
    await new CredentialStore(dir, key()).record(create('a', 'aa30'), 'Pw1xxxxxxxxxxxxx');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, CREDENTIALS_FILE)).mode & 0o777).toBe(0o600);

    const loose = join(root, 'loose');
    mkdirSync(loose, { mode: 0o755 });
    writeFileSync(join(loose, CREDENTIALS_FILE), '', { mode: 0o644 });
    await new CredentialStore(loose, key()).record(create('a', 'aa30'), 'Pw1xxxxxxxxxxxxx');
    expect(statSync(loose).mode & 0o777).toBe(0o700);
    expect(statSync(join(loose, CREDENTIALS_FILE)).mode & 0o777).toBe(0o600);
  });

  it('refuses to write through a symbolic link', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rollcall-secrets-'));
    writeFileSync(join(root, 'elsewhere'), '');
    symlinkSync(join(root, 'elsewhere'), join(root, CREDENTIALS_FILE));
    expect(lstatSync(join(root, CREDENTIALS_FILE)).isSymbolicLink()).toBe(true);
    await expect(new CredentialStore(root, key()).record(create('a', 'aa30'), 'x')).rejects.toMatchObject({ code: 'credentials.symlink' });
    expect(readFileSync(join(root, 'elsewhere'), 'utf8')).toBe('');
  });

  it('reads the key from the environment: unset means no store and a notice; malformed is refused', () => {
    expect(credentialsKey({})).toBeNull();
    const none = credentialSinkFromEnv('/repo', {});
    expect(none.sink).toBeUndefined();
    expect(none.notice).toMatch(new RegExp(`not stored.*${KEY_ENV}`));
    expect(() => credentialsKey({ [KEY_ENV]: Buffer.alloc(16).toString('base64') })).toThrow(RefusedError);
    expect(() => credentialsKey({ [KEY_ENV]: 'not base64 at all!' })).toThrow(/32 bytes/);
    const k = key();
    expect(credentialsKey({ [KEY_ENV]: k.toString('base64') })?.equals(k)).toBe(true);
    const some = credentialSinkFromEnv('/repo', { [KEY_ENV]: k.toString('base64') });
    expect(some.sink?.file).toBe(join('/repo', '.rollcall', 'secrets', CREDENTIALS_FILE));
    expect(secretsDir('/repo', { ROLLCALL_SECRETS_DIR: '/vault/rollcall' })).toBe('/vault/rollcall');
  });
});
