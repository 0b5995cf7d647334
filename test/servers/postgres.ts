import { execFile as execFileCb } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * A throwaway PostgreSQL cluster for tests: initdb + pg_ctl in a temp dir, on a free port on
 * 127.0.0.1, with a random password (scram) so tests can check it never leaks. As root,
 * initdb refuses to run, so the server runs as the `postgres` OS user via runuser.
 * If it cannot start, this throws: a test that needs PostgreSQL fails, it never skips.
 */

const execFile = promisify(execFileCb);

export interface PostgresServer {
  url: string;
  password: string;
  port: number;
  stop(): Promise<void>;
}

function findBinDir(): string {
  const fromEnv = process.env.ROLLCALL_PG_BINDIR;
  if (fromEnv && existsSync(join(fromEnv, 'initdb'))) return fromEnv;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return join(root, versions[0], 'bin');
  }
  throw new Error('PostgreSQL server binaries not found (install the Debian `postgresql` package, or set ROLLCALL_PG_BINDIR)');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function osIds(user: string): Promise<{ uid: number; gid: number }> {
  const uid = Number((await execFile('id', ['-u', user])).stdout.trim());
  const gid = Number((await execFile('id', ['-g', user])).stdout.trim());
  return { uid, gid };
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = findBinDir();
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) =>
    asRoot ? execFile('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]) : execFile(join(bin, cmd), args);

  const dir = await mkdtemp(join(tmpdir(), 'rollcall-pg-'));
  const data = join(dir, 'data');
  const sock = dir;
  const log = join(dir, 'server.log');
  const pwfile = join(dir, 'pw');
  const password = randomBytes(12).toString('hex');
  await writeFile(pwfile, password + '\n');
  if (asRoot) {
    const { uid, gid } = await osIds('postgres');
    await chown(dir, uid, gid);
    await chown(pwfile, uid, gid);
  }
  await chmod(dir, 0o700);

  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    await run('initdb', ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '--no-sync', '-E', 'UTF8', '--locale=C']);
  } catch (err) {
    await cleanup();
    throw new Error(`initdb failed: ${(err as Error).message}`);
  }
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const opts = `-p ${port} -k ${sock} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50`;
    try {
      await run('pg_ctl', ['-D', data, '-l', log, '-o', opts, '-w', '-t', '30', 'start']);
      let stopped = false;
      return {
        url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
        password,
        port,
        async stop() {
          if (stopped) return;
          stopped = true;
          try {
            await run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
          } finally {
            await cleanup();
          }
        },
      };
    } catch (err) {
      const logText = await readFile(log, 'utf8').catch(() => '');
      lastError = `${(err as Error).message}\n${logText.slice(-2000)}`;
    }
  }
  await cleanup();
  throw new Error(`PostgreSQL did not start: ${lastError}`);
}
