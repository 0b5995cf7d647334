import { cpSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSnapshotFile, writeSnapshotFile } from '../engine/run/snapshot-file.js';
import { localStateBackend } from '../engine/state/local.js';
import { SandboxProvider } from '../providers/sandbox/index.js';

/**
 * I/O timings of the local state file, the sandbox directory and the refresh snapshot, for
 * issue #10: `node dist/bench/state-io-bench.js REPO_DIR [what...]` where what is any of
 * state, state-write, sandbox, snapshot (default: all). Works on a copy of the sandbox so
 * the bench repo is never rewritten; prints one JSON line per measurement.
 */

const [repo, ...rest] = process.argv.slice(2);
if (!repo) throw new Error('usage: state-io-bench REPO_DIR [state|state-write|sandbox|snapshot ...]');
const what = new Set(rest.length > 0 ? rest : ['state', 'state-write', 'sandbox', 'snapshot']);
const scratch = mkdtempSync(join(tmpdir(), 'rollcall-io-bench-'));

/** Wall time, and CPU time of all the process's threads (less skewed by other load on the machine). */
async function timed<T>(name: string, fn: () => Promise<T>, extra?: (v: T) => Record<string, unknown>): Promise<T> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const v = await fn();
  const cpu = process.cpuUsage(c0);
  const line = { name, ms: Math.round(performance.now() - t0), cpuMs: Math.round((cpu.user + cpu.system) / 1000), rssMb: Math.round(process.memoryUsage().rss / 2 ** 20), ...(extra?.(v) ?? {}) };
  process.stdout.write(JSON.stringify(line) + '\n');
  return v;
}

try {
  const statePath = join(repo, '.rollcall', 'state.json');
  if (what.has('state') || what.has('state-write')) {
    const state = await timed('state.read', () => localStateBackend(statePath).read(), (s) => ({ people: Object.keys(s.people).length, bytes: statSync(statePath).size }));
    if (what.has('state-write')) {
      const copy = join(scratch, 'state.json');
      const be = localStateBackend(copy);
      const lock = await be.lock('apply', 0);
      await timed('state.write', () => be.write({ ...state, lineage: '' }, 0, lock), () => ({ bytes: statSync(copy).size }));
      await lock.release();
      await timed('state.read(rewritten)', () => be.read());
    }
  }
  if (what.has('sandbox') || what.has('snapshot')) {
    const sandbox = join(scratch, 'sandbox');
    cpSync(join(repo, '.rollcall', 'sandbox'), sandbox, { recursive: true });
    const mtime = statSync(join(sandbox, 'directory.json')).mtimeMs;
    const p = await timed('sandbox.open', async () => new SandboxProvider('sandbox', sandbox));
    const snap = await timed('sandbox.read', () => p.read(), (s) => ({ accounts: s.accounts.length, groups: s.groups.length, members: s.groups.reduce((n, g) => n + g.members.length, 0) }));
    await timed('sandbox.close', () => p.close(), () => ({ rewroteDirectory: statSync(join(sandbox, 'directory.json')).mtimeMs !== mtime }));
    if (what.has('snapshot')) {
      const file = join(scratch, 'snapshot.jsonl');
      await timed('snapshot.write', () => writeSnapshotFile(file, [snap], '2026-10-01T12:00:00.000Z'), () => ({ bytes: statSync(file).size }));
      await timed('snapshot.read', () => readSnapshotFile(file), (s) => ({ accounts: s.snapshots[0]?.accounts.length }));
    }
  }
} finally {
  if (existsSync(scratch)) rmSync(scratch, { recursive: true, force: true });
}
