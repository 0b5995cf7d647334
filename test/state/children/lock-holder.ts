import { localStateBackend } from '../../../engine/state/local.js';
import { postgresStateBackend } from '../../../engine/state/postgres.js';
import type { StateBackend } from '../../../engine/model/state-backend.js';

/**
 * A child process for lock tests. argv: <kind local|postgres> <target> <holdMs> <timeoutMs> [writeLoop].
 * Prints one JSON line per event: {event:'locked', id, pid} | {event:'refused', code, message}
 * | {event:'released'} | {event:'notice', message} | {event:'wrote', serial}.
 * With holdMs < 0 it holds the lock until killed or sent SIGUSR2 (then releases). With writeLoop it writes state in a tight
 * loop while holding the lock (for crash tests).
 */

const [kind, target, holdArg, timeoutArg, mode] = process.argv.slice(2);
const say = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
const onNotice = (message: string) => say({ event: 'notice', message });

const backend: StateBackend =
  kind === 'postgres'
    ? postgresStateBackend({ connectionString: target ?? '', schema: process.env.ROLLCALL_TEST_SCHEMA ?? 'rollcall', holder: `child pid ${process.pid}`, onNotice })
    : localStateBackend(target ?? '', { holder: `child pid ${process.pid}`, onNotice });

async function main(): Promise<void> {
  const holdMs = Number(holdArg);
  let lock;
  say({ event: 'trying' });
  try {
    lock = await backend.lock('apply', Number(timeoutArg));
  } catch (err) {
    const e = err as { code?: string; message: string };
    say({ event: 'refused', code: e.code, message: e.message });
    await backend.close();
    return;
  }
  say({ event: 'locked', id: lock.info.id, pid: process.pid });
  if (mode === 'writeLoop') {
    const people: Record<string, { username: string; first_seen: string }> = {};
    for (let i = 0; i < 3000; i++) people[`p${i}`] = { username: `user${i}`, first_seen: '2026-01-01' };
    for (;;) {
      const cur = await backend.read();
      const serial = cur.serial + 1;
      await backend.write({ ...cur, serial, people, sis: { digest: `d${serial}`, people: serial, taken_at: '2026-01-01T00:00:00Z' } }, cur.serial, lock);
      say({ event: 'wrote', serial });
    }
  }
  if (holdMs < 0) {
    // Hold until killed, or release on SIGUSR2 (so a test decides when).
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const held = lock;
    process.on('SIGUSR2', () => {
      void (async () => {
        await held.release();
        say({ event: 'released' });
        clearInterval(keepAlive);
        await backend.close();
      })();
    });
    return;
  }
  await new Promise((r) => setTimeout(r, holdMs));
  await lock.release();
  say({ event: 'released' });
  await backend.close();
}

main().catch((err: unknown) => {
  say({ event: 'error', message: (err as Error).message });
  process.exitCode = 1;
});
