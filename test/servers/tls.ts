import { execFile } from 'node:child_process';
import { readFile, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestTls {
  /** PEM of the throwaway CA; what a client passes as `ca`. */
  caPem: string;
  caFile: string;
  certFile: string;
  /** Private key, mode 0600 (Samba refuses a key others can read). */
  keyFile: string;
}

/**
 * A throwaway CA and a server certificate for 127.0.0.1/localhost, generated with the openssl
 * CLI into `dir`. The provider verifies certificates by default, so test servers present a
 * certificate that chains to a CA the test hands to the client: nothing is turned off.
 * EC P-256 keys keep generation well under a second.
 */
export async function makeTestTls(dir: string): Promise<TestTls> {
  const caKey = join(dir, 'ca.key');
  const caFile = join(dir, 'ca.pem');
  const keyFile = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const certFile = join(dir, 'server.pem');
  const ext = join(dir, 'server.ext');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', ['req', '-x509', ...ec, '-keyout', caKey, '-out', caFile, '-days', '3', '-subj', '/CN=rollcall test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await run('openssl', ['req', ...ec, '-keyout', keyFile, '-out', csr, '-subj', '/CN=localhost']);
  await writeFile(ext, [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '',
  ].join('\n'));
  await run('openssl', ['x509', '-req', '-in', csr, '-CA', caFile, '-CAkey', caKey, '-CAcreateserial', '-out', certFile, '-days', '3', '-extfile', ext]);
  await chmod(keyFile, 0o600);
  return { caPem: await readFile(caFile, 'utf8'), caFile, certFile, keyFile };
}
