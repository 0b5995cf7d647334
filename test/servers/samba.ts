import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'ldapts';
import { portInUse } from './free-port.js';
import { makeTestTls } from './tls.js';
import { captureOutput, stopChild, waitReady } from './wait.js';

const run = promisify(execFile);

/** What tests need to talk to the shared DC; plain data so vitest can `provide()` it. */
export interface SambaInfo {
  /** Always ldaps://127.0.0.1:636: Samba's LDAP ports are fixed. */
  ldapsUrl: string;
  /** ldap://127.0.0.1:389, for StartTLS. */
  ldapUrl: string;
  baseDN: string;
  realm: string;
  domain: string;
  adminDN: string;
  adminPassword: string;
  caPem: string;
  caFile: string;
}

export interface SambaServer {
  info: SambaInfo;
  stop(): Promise<void>;
}

const REALM = 'ROLLCALL.TEST';
const DOMAIN = 'ROLLCALL';
const BASE_DN = 'DC=rollcall,DC=test';
const ADMIN_PASSWORD = 'Rollcall-Adm1n-Test!';
const TEMPLATE_ROOT = join(tmpdir(), 'rollcall-samba-template');

/**
 * One throwaway Samba AD DC. Provisioning takes seconds, so a provisioned, never-started
 * domain is kept in /tmp/rollcall-samba-template/<samba version>/ and copied per run (paths
 * in smb.conf rewritten); the copy starts in about a second. TLS uses a CA made for this run
 * so clients verify the certificate. Ports 389/636 are fixed: one DC per machine at a time.
 * Unless `durable`, the DC runs with TDB_NO_FSYNC=1 (as Samba's own selftest does): a
 * throwaway DC needs no crash safety, and fsync dominates write latency on a busy CI box.
 */
export async function startSamba(options: { durable?: boolean } = {}): Promise<SambaServer> {
  if (!existsSync('/usr/sbin/samba')) throw new Error('samba is not installed; run scripts/ensure-system-deps.sh');
  for (const port of [389, 636]) {
    if (await portInUse(port)) throw new Error(`port ${port} on 127.0.0.1 is busy: another Samba/LDAP server (or another test run) holds it`);
  }
  const template = await ensureTemplate();
  const dir = await mkdtemp(join(tmpdir(), 'rollcall-samba-'));
  try {
    await cp(template, join(dir, 'dc'), { recursive: true });
    const dcDir = join(dir, 'dc');
    const tls = await makeTestTls(dir);
    const confPath = join(dcDir, 'etc', 'smb.conf');
    const conf = (await readFile(confPath, 'utf8')).split(template).join(dcDir).replace('[global]\n', [
      '[global]',
      `\ttls enabled = yes`,
      `\ttls certfile = ${tls.certFile}`,
      `\ttls keyfile = ${tls.keyFile}`,
      `\ttls cafile = ${tls.caFile}`,
      '',
    ].join('\n'));
    await writeFile(confPath, conf);
    const child = spawn('/usr/sbin/samba', ['-s', confPath, '-i', '-M', 'single', '--debuglevel=0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.durable ? process.env : { ...process.env, TDB_NO_FSYNC: '1' },
    });
    const output = captureOutput(child);
    const info: SambaInfo = {
      ldapsUrl: 'ldaps://127.0.0.1:636',
      ldapUrl: 'ldap://127.0.0.1:389',
      baseDN: BASE_DN,
      realm: REALM,
      domain: DOMAIN,
      adminDN: `CN=Administrator,CN=Users,${BASE_DN}`,
      adminPassword: ADMIN_PASSWORD,
      caPem: tls.caPem,
      caFile: tls.caFile,
    };
    const stop = async (): Promise<void> => {
      await stopChild(child, 10_000);
      await rm(dir, { recursive: true, force: true });
    };
    try {
      await waitReady('samba', child, output, async () => {
        const c = new Client({ url: info.ldapsUrl, tlsOptions: { ca: info.caPem }, connectTimeout: 1000, timeout: 3000 });
        try {
          await c.bind(info.adminDN, info.adminPassword);
          return true;
        } finally {
          await c.unbind().catch(() => undefined);
        }
      }, 60_000);
    } catch (err) {
      await stop();
      throw err;
    }
    return { info, stop };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** The cached provisioned domain for this Samba version; provisions it on first use. */
async function ensureTemplate(): Promise<string> {
  const { stdout } = await run('/usr/sbin/samba', ['--version']);
  const version = stdout.trim().replace(/[^A-Za-z0-9.-]+/g, '_');
  const template = join(TEMPLATE_ROOT, version);
  if (existsSync(join(template, 'READY'))) return template;
  await mkdir(TEMPLATE_ROOT, { recursive: true });
  const work = await mkdtemp(join(TEMPLATE_ROOT, 'provisioning-'));
  try {
    const opt = (s: string): string => `--option=${s}`;
    await run('samba-tool', [
      'domain', 'provision',
      '--server-role=dc', '--dns-backend=NONE', '--use-rfc2307',
      `--realm=${REALM}`, `--domain=${DOMAIN}`, '--host-name=rcdc',
      `--targetdir=${work}`, `--adminpass=${ADMIN_PASSWORD}`,
      opt('interfaces=127.0.0.1'), opt('bind interfaces only=yes'),
      opt(`pid directory=${work}/run`), opt(`log file=${work}/log/%m.log`),
      opt(`ncalrpc dir=${work}/run/ncalrpc`), opt(`winbindd socket directory=${work}/run/winbindd`),
      opt('server services=ldap'),
    ], { maxBuffer: 16 * 1024 * 1024 });
    await writeFile(join(work, 'READY'), `${version}\n`);
    // Rewrite paths from the work dir to the final name before publishing it atomically.
    const confPath = join(work, 'etc', 'smb.conf');
    await writeFile(confPath, (await readFile(confPath, 'utf8')).split(work).join(template));
    try {
      await rename(work, template);
    } catch (err) {
      // Another run published it first; use theirs.
      if (!existsSync(join(template, 'READY'))) throw err;
      await rm(work, { recursive: true, force: true });
    }
    return template;
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    throw err;
  }
}
