import { chmodSync, closeSync, fchmodSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Change } from '../model/plan.js';
import { RefusedError } from '../model/errors.js';
import type { CredentialSink } from '../run/passwords.js';
import { credentialsKey, KEY_ENV } from './key.js';
import { open, seal, type SealedLine } from './seal.js';

/**
 * Where initial passwords live between `apply` and the teacher's printed sheet:
 *   <policy repo>/.rollcall/secrets/initial-credentials.jsonl.enc  (or $ROLLCALL_SECRETS_DIR)
 * one line per created account, each line a whole record sealed with AES-256-GCM under
 * ROLLCALL_CREDENTIALS_KEY, so the file shows nothing but a count. The directory is 0700 and
 * the file 0600: only the OS user running rollcall can read the ciphertext, and only a key
 * holder can decrypt it. Plans, the journal, state and logs never contain a password.
 */

export const SECRETS_DIR_ENV = 'ROLLCALL_SECRETS_DIR';
export const CREDENTIALS_FILE = 'initial-credentials.jsonl.enc';

export interface CredentialRecord {
  anchor: string;
  target: string;
  username: string;
  displayName: string;
  password: string;
  passwordRule: string;
  createdAt: string;
}

export function secretsDir(policyDir: string, env: NodeJS.ProcessEnv): string {
  const override = env[SECRETS_DIR_ENV]?.trim();
  return override ? resolve(override) : join(resolve(policyDir), '.rollcall', 'secrets');
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export class CredentialStore implements CredentialSink {
  readonly file: string;

  constructor(readonly dir: string, private readonly key: Buffer, private readonly now: () => string = () => new Date().toISOString()) {
    this.file = join(dir, CREDENTIALS_FILE);
  }

  async record(change: Change, password: string): Promise<void> {
    const rec: CredentialRecord = {
      anchor: change.anchor ?? '',
      target: change.target,
      username: str(change.after?.username),
      displayName: str(change.after?.displayName),
      password,
      passwordRule: change.password_rule ?? '',
      createdAt: this.now(),
    };
    this.append(JSON.stringify(seal(this.key, JSON.stringify(rec))) + '\n');
  }

  /** Every record, oldest first. Refuses (without showing any content) when a line does not decrypt. */
  readAll(): CredentialRecord[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: CredentialRecord[] = [];
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (!line) continue;
      let sealed: SealedLine;
      try {
        sealed = JSON.parse(line) as SealedLine;
      } catch {
        throw new RefusedError('credentials.corrupt', `${this.file} line ${i + 1} is not a sealed record; the file was altered or truncated`);
      }
      const plain = open(this.key, sealed);
      if (plain === null) {
        throw new RefusedError('credentials.decrypt', `cannot decrypt ${this.file} line ${i + 1}: ${KEY_ENV} is not the key it was written with, or the file was altered`);
      }
      out.push(JSON.parse(plain) as CredentialRecord);
    }
    return out;
  }

  /**
   * Drop records created before `cutoff` (ISO date or time), rewriting the file atomically
   * (same mode, fsynced, renamed over). Returns how many were dropped.
   */
  purgeBefore(cutoff: string): number {
    const all = this.readAll();
    const kept = all.filter((r) => r.createdAt >= cutoff);
    if (kept.length === all.length) return 0;
    const tmp = `${this.file}.tmp-${process.pid}`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      fchmodSync(fd, 0o600);
      writeSync(fd, kept.map((r) => JSON.stringify(seal(this.key, JSON.stringify(r))) + '\n').join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    return all.length - kept.length;
  }

  private append(line: string): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    // mkdir's mode is filtered by the umask, and the directory may pre-exist: set it outright.
    chmodSync(this.dir, 0o700);
    let link = false;
    try {
      link = lstatSync(this.file).isSymbolicLink();
    } catch {
      // Absent: created below.
    }
    if (link) throw new RefusedError('credentials.symlink', `${this.file} is a symbolic link; refusing to write secrets through it`);
    const fd = openSync(this.file, 'a', 0o600);
    try {
      fchmodSync(fd, 0o600);
      writeSync(fd, line);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

/**
 * The sink `apply` passes to runApply: a store when the key is set; otherwise none, and a
 * one-line notice (never a password) that initial passwords will not be kept.
 */
export function credentialSinkFromEnv(policyDir: string, env: NodeJS.ProcessEnv): { sink?: CredentialStore; notice?: string } {
  const key = credentialsKey(env);
  if (!key) {
    return { notice: `Initial passwords are not stored (set ${KEY_ENV} to keep them, encrypted, for \`rollcall passwords\`).` };
  }
  return { sink: new CredentialStore(secretsDir(policyDir, env), key) };
}
