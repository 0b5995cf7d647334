import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { freePort } from './free-port.js';
import { makeTestTls } from './tls.js';
import { captureOutput, stopChild, waitReady } from './wait.js';

export interface SlapdServer {
  /** ldaps:// URL (TLS from the first byte). */
  ldapsUrl: string;
  /** ldap:// URL; use StartTLS on it. */
  ldapUrl: string;
  baseDN: string;
  rootDN: string;
  rootPassword: string;
  /** PEM of the CA that signed the server certificate. */
  caPem: string;
  caFile: string;
  dir: string;
  stop(): Promise<void>;
}

const SCHEMA_DIR = '/etc/ldap/schema';
const MODULE_DIRS = ['/usr/lib/ldap', '/usr/lib/x86_64-linux-gnu/ldap', '/usr/lib/aarch64-linux-gnu/ldap', '/usr/lib64/openldap'];

/**
 * A throwaway OpenLDAP server: one slapd.conf in a temp dir (mdb backend; core, cosine, nis and
 * inetorgperson schemas), private ports for ldap:// and ldaps://, a CA made for this run, and
 * the base entry created. `stop()` kills it and deletes the directory.
 */
export async function startSlapd(options: { baseDN?: string } = {}): Promise<SlapdServer> {
  const baseDN = options.baseDN ?? 'dc=rollcall,dc=test';
  const rootDN = `cn=admin,${baseDN}`;
  const rootPassword = 'slapd-test-root-pw';
  const dir = await mkdtemp(join(tmpdir(), 'rollcall-slapd-'));
  const moduleDir = MODULE_DIRS.find((d) => existsSync(join(d, 'back_mdb.so')) || existsSync(join(d, 'back_mdb.la')));
  try {
    if (!existsSync('/usr/sbin/slapd')) throw new Error('slapd is not installed; run scripts/ensure-system-deps.sh');
    const tls = await makeTestTls(dir);
    await mkdir(join(dir, 'data'));
    const conf = [
      ...['core', 'cosine', 'nis', 'inetorgperson'].map((s) => `include ${SCHEMA_DIR}/${s}.schema`),
      ...(moduleDir ? [`modulepath ${moduleDir}`, 'moduleload back_mdb'] : []),
      `pidfile ${join(dir, 'slapd.pid')}`,
      `argsfile ${join(dir, 'slapd.args')}`,
      `TLSCACertificateFile ${tls.caFile}`,
      `TLSCertificateFile ${tls.certFile}`,
      `TLSCertificateKeyFile ${tls.keyFile}`,
      'sizelimit unlimited',
      'database mdb',
      'maxsize 1073741824',
      `suffix "${baseDN}"`,
      `rootdn "${rootDN}"`,
      `rootpw ${rootPassword}`,
      `directory ${join(dir, 'data')}`,
      'index objectClass eq',
      'index uid,cn,employeeNumber,entryUUID eq',
      '',
    ].join('\n');
    await writeFile(join(dir, 'slapd.conf'), conf);
    const [ldapPort, ldapsPort] = [await freePort(), await freePort()];
    const ldapUrl = `ldap://127.0.0.1:${ldapPort}`;
    const ldapsUrl = `ldaps://127.0.0.1:${ldapsPort}`;
    const child = spawn('/usr/sbin/slapd', ['-d', '0', '-f', join(dir, 'slapd.conf'), '-h', `${ldapUrl}/ ${ldapsUrl}/`], { stdio: ['ignore', 'pipe', 'pipe'] });
    const output = captureOutput(child);
    const stop = async (): Promise<void> => {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    };
    try {
      await waitReady('slapd', child, output, async () => {
        const c = new Client({ url: ldapsUrl, tlsOptions: { ca: tls.caPem }, connectTimeout: 1000, timeout: 2000 });
        try {
          await c.bind(rootDN, rootPassword);
          return true;
        } finally {
          await c.unbind().catch(() => undefined);
        }
      }, 15_000);
      await addBaseEntry(ldapsUrl, tls.caPem, baseDN, rootDN, rootPassword);
    } catch (err) {
      await stop();
      throw err;
    }
    return { ldapsUrl, ldapUrl, baseDN, rootDN, rootPassword, caPem: tls.caPem, caFile: tls.caFile, dir, stop };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function addBaseEntry(url: string, ca: string, baseDN: string, rootDN: string, pw: string): Promise<void> {
  const c = new Client({ url, tlsOptions: { ca } });
  try {
    await c.bind(rootDN, pw);
    const first = /^dc=([^,]+)/i.exec(baseDN)?.[1] ?? 'rollcall';
    await c.add(baseDN, { objectClass: ['top', 'dcObject', 'organization'], dc: first, o: first });
  } finally {
    await c.unbind().catch(() => undefined);
  }
}
