import { randomBytes } from 'node:crypto';
import type { Change } from '../engine/model/plan.js';
import type { TargetProvider } from '../engine/model/provider.js';
import { ldapProviderModule } from '../providers/ldap/index.js';
import { startSamba, type SambaInfo } from '../test/servers/samba.js';

export interface LdapBenchOptions {
  /** Accounts to create (default 2000). */
  n?: number;
  /** Parallel applies and LDAP connections (default 4). */
  concurrency?: number;
  /** An already running DC; when absent a throwaway Samba AD DC is started and stopped. */
  samba?: SambaInfo;
  /** When starting its own DC: keep Samba's fsync on (default true, like a real DC). */
  durable?: boolean;
  log?: (line: string) => void;
}

export interface LdapBenchResult {
  n: number;
  concurrency: number;
  createSeconds: number;
  createsPerSecond: number;
  /** Full provider.read() of the target after the creates (accounts + groups + OUs). */
  readSeconds: number;
  accountsRead: number;
}

/**
 * Create throughput (accounts/s, each with an initial password over ldaps) and full-read time
 * for N accounts on a real Samba AD DC, through the ldap provider exactly as apply uses it.
 * Accounts land in a fresh OU, spread over 4 schools x 5 graduation years.
 */
export async function runLdapBench(options: LdapBenchOptions = {}): Promise<LdapBenchResult> {
  const n = options.n ?? 2000;
  const concurrency = options.concurrency ?? 4;
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const server = options.samba ? null : await startSamba({ durable: options.durable ?? true });
  const dc = options.samba ?? (server as NonNullable<typeof server>).info;
  const ou = `bench-${randomBytes(4).toString('hex')}`;
  let provider: TargetProvider | undefined;
  try {
    provider = await ldapProviderModule.create(
      {
        name: 'ad', provider: 'ldap', origin: { id: 'bench' },
        settings: { profile: 'active-directory', url: dc.ldapsUrl, baseDN: dc.baseDN, caFile: dc.caFile, bindDNEnv: 'D', bindPasswordEnv: 'P', usersBase: `OU=${ou}`, concurrency },
      },
      { policyDir: '/', env: { D: dc.adminDN, P: dc.adminPassword }, log: () => undefined },
    );
    const p = provider;
    const changes: Change[] = Array.from({ length: n }, (_, i) => {
      const username = `b${i.toString().padStart(6, '0')}`;
      const path = `Students/S${i % 4}/${2030 + (i % 5)}`;
      return {
        id: `ad:account:${username}:create`, target: 'ad', kind: 'account', action: 'create', key: username, anchor: `bench-${i}`,
        after: { username, givenName: 'Bench', familyName: `User${i}`, displayName: `Bench User${i}`, email: `${username}@rollcall.test`, path, enabled: true },
        reason: { cause: 'sis', detail: 'bench' },
      };
    });
    const started = performance.now();
    let next = 0;
    let failed = 0;
    let done = 0;
    const worker = async (): Promise<void> => {
      while (next < changes.length) {
        const c = changes[next++] as Change;
        const out = await p.apply(c, { initialPassword: `Bench-Pw-${c.key}-x1!` });
        if (out.status === 'failed') failed++;
        if (++done % 500 === 0) log(`ldap bench: ${done}/${n} created after ${((performance.now() - started) / 1000).toFixed(0)} s`);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const createSeconds = (performance.now() - started) / 1000;
    if (failed > 0) throw new Error(`ldap bench: ${failed} creates failed`);
    const readStart = performance.now();
    const snap = await p.read();
    const readSeconds = (performance.now() - readStart) / 1000;
    const result: LdapBenchResult = {
      n, concurrency, createSeconds, createsPerSecond: n / createSeconds, readSeconds, accountsRead: snap.accounts.length,
    };
    log(`ldap bench (Samba AD): ${n} creates in ${createSeconds.toFixed(1)} s = ${result.createsPerSecond.toFixed(1)}/s (concurrency ${concurrency}); full read of ${snap.accounts.length} accounts in ${readSeconds.toFixed(2)} s`);
    return result;
  } finally {
    await provider?.close();
    await server?.stop();
  }
}
