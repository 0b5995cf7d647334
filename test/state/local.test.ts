import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, RefusedError } from '../../engine/model/errors.js';
import { journalPathFor, localStateBackend } from '../../engine/state/local.js';
import { type BuiltChildren, buildChildren } from './helpers/build-children.js';
import { runChild, waitUntil } from './helpers/child.js';
import { entry, sampleState } from './helpers/fixtures.js';

let children: BuiltChildren;
let lockChild: string;
const dirs: string[] = [];

beforeAll(async () => {
  children = await buildChildren(['test/state/children/lock-holder.ts']);
  lockChild = children.js('test/state/children/lock-holder.ts');
});
afterAll(async () => {
  await children?.remove();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function freshPath(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rollcall-local-'));
  dirs.push(dir);
  return join(dir, 'state.json');
}

/** The pid of a process that has certainly exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('local state file', () => {
  it('writes stable, sorted JSON regardless of key insertion order', async () => {
    const p1 = await freshPath();
    const p2 = await freshPath();
    const a = localStateBackend(p1);
    const b = localStateBackend(p2);
    const doc = sampleState(1, '11111111-1111-1111-1111-111111111111');
    const reversed = JSON.parse(JSON.stringify(doc, Object.keys(doc).reverse())) as typeof doc;
    reversed.people = Object.fromEntries(Object.entries(doc.people).reverse());
    const la = await a.lock('apply', 0);
    const lb = await b.lock('apply', 0);
    await a.write(doc, 0, la);
    await b.write({ ...reversed, registry: doc.registry, last_applied: doc.last_applied, sis: doc.sis }, 0, lb);
    const t1 = await readFile(p1, 'utf8');
    expect(t1).toBe(await readFile(p2, 'utf8'));
    expect(t1.indexOf('"format_version"')).toBeLessThan(t1.indexOf('"serial"'));
    expect(t1.endsWith('}\n')).toBe(true);
    await la.release();
    await lb.release();
  });

  it('reports a corrupt state file as input with the file path and line', async () => {
    const path = await freshPath();
    await writeFile(path, '{\n  "format_version": 1,\n  "serial": 3,,\n}\n');
    const err = await localStateBackend(path).read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    const d = (err as InputError).diagnostics[0];
    expect(d?.source?.file).toBe(path);
    expect(d?.source?.line).toBe(3);
    expect((err as Error).message).toContain(path);

    await writeFile(path, JSON.stringify({ ...sampleState(2), serial: -1, extra: true }));
    const err2 = await localStateBackend(path).read().catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(InputError);
    const paths = (err2 as InputError).diagnostics.map((x) => x.path);
    expect(paths).toContain('/serial');
    expect((err2 as InputError).diagnostics.every((x) => x.source?.file === path)).toBe(true);
  });

  it('keeps the old state when a writer dies before renaming its temp file, and cleans the temp up', async () => {
    const path = await freshPath();
    const be = localStateBackend(path);
    const lock = await be.lock('apply', 0);
    await be.write(sampleState(1), 0, lock);
    await lock.release();
    const before = await readFile(path, 'utf8');
    // What a crash between write and rename leaves: a complete-or-partial temp beside it.
    const tmp = join(path, '..', `.state.json.tmp-99999-abcdef`);
    await writeFile(tmp, '{"format_version":1,"serial":2,"lin');
    expect(await readFile(path, 'utf8')).toBe(before);
    expect((await be.read()).serial).toBe(1);
    const lock2 = await be.lock('apply', 0);
    expect((await readdir(join(path, '..'))).filter((n) => n.includes('.tmp-'))).toEqual([]);
    await lock2.release();
  });

  it('never leaves a torn state file when the writer is SIGKILLed mid-write (repeated trials)', async () => {
    const path = await freshPath();
    const notices: string[] = [];
    const be = localStateBackend(path, { onNotice: (m) => notices.push(m) });
    let lastSerial = 0;
    const trials = 8;
    for (let t = 0; t < trials; t++) {
      const child = runChild(lockChild, ['local', path, '-1', '5000', 'writeLoop']);
      await child.waitFor('locked');
      await child.waitFor('wrote');
      // Let it write for a random while, then kill it wherever it is.
      await new Promise((r) => setTimeout(r, 20 + Math.floor(Math.random() * 120)));
      const reported = child.events.filter((e) => e.event === 'wrote').map((e) => Number(e.serial));
      child.proc.kill('SIGKILL');
      await child.exited;
      const state = await be.read(); // parses and validates, or throws
      const maxReported = Math.max(...reported, ...child.events.filter((e) => e.event === 'wrote').map((e) => Number(e.serial)));
      // Either the last reported write or one more that finished before the kill landed.
      expect(state.serial).toBeGreaterThanOrEqual(maxReported);
      expect(state.serial).toBeLessThanOrEqual(maxReported + 1);
      expect(state.serial).toBeGreaterThan(lastSerial);
      expect(Object.keys(state.people)).toHaveLength(3000);
      lastSerial = state.serial;
    }
    // Each dead child's lock was on this host with a dead pid: broken automatically, with a notice.
    const lock = await be.lock('apply', 0);
    expect(notices.length).toBeGreaterThanOrEqual(1);
    expect(notices.at(-1)).toMatch(/broke stale lock .* child pid \d+/);
    await lock.release();
  });
});

describe('local lock between processes', () => {
  it('lets exactly one of two racing processes proceed; the other is refused naming the holder', async () => {
    const path = await freshPath();
    // Both hold until killed, so a slow start cannot let the second in after the first is done.
    const one = runChild(lockChild, ['local', path, '-1', '0']);
    const two = runChild(lockChild, ['local', path, '-1', '0']);
    const decided = () => [...one.events, ...two.events].filter((e) => e.event === 'locked' || e.event === 'refused');
    await waitUntil(() => decided().length >= 2, 'both children to lock or be refused');
    one.proc.kill('SIGKILL');
    two.proc.kill('SIGKILL');
    await Promise.all([one.exited, two.exited]);
    const all = [...one.events, ...two.events];
    const locked = all.filter((e) => e.event === 'locked');
    const refused = all.filter((e) => e.event === 'refused');
    expect(locked).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]?.code).toBe('state.locked');
    expect(String(refused[0]?.message)).toContain(`child pid ${String(locked[0]?.pid)}`);
    expect(String(refused[0]?.message)).toMatch(/since \d{4}-\d\d-\d\dT/);
  });

  it('with a timeout, the second process waits and proceeds after the first releases', async () => {
    const path = await freshPath();
    const first = runChild(lockChild, ['local', path, '-1', '0']);
    await first.waitFor('locked');
    const second = runChild(lockChild, ['local', path, '0', '20000']);
    await second.waitFor('trying');
    await new Promise((r) => setTimeout(r, 600));
    expect(second.events.map((e) => e.event)).toEqual(['trying']); // still waiting
    first.proc.kill('SIGUSR2');
    const released = await first.waitFor('released').then(() => Date.now());
    const got = await second.waitFor('locked').then(() => Date.now());
    expect(got).toBeGreaterThanOrEqual(released);
    await Promise.all([first.exited, second.exited]);
    expect(second.events.some((e) => e.event === 'refused')).toBe(false);
  });

  it('breaks the lock of a SIGKILLed holder on this host automatically, with a notice', async () => {
    const path = await freshPath();
    const holder = runChild(lockChild, ['local', path, '-1', '0']);
    const info = await holder.waitFor('locked');
    const notices: string[] = [];
    const be = localStateBackend(path, { onNotice: (m) => notices.push(m) });
    await expect(be.lock('apply', 0)).rejects.toBeInstanceOf(RefusedError);
    holder.proc.kill('SIGKILL');
    await holder.exited;
    const lock = await be.lock('apply', 0);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(String(info.id));
    expect(notices[0]).toContain(`pid ${String(info.pid)}`);
    await lock.release();
  });

  it('breaks a dead-pid lock file left on this host', async () => {
    const path = await freshPath();
    const pid = deadPid();
    await writeFile(`${path}.lock`, JSON.stringify({ id: 'dead-1', holder: `ci@${hostname()} pid ${pid}`, operation: 'apply', since: '2026-01-01T00:00:00.000Z', hostname: hostname(), pid }));
    const notices: string[] = [];
    const lock = await localStateBackend(path, { onNotice: (m) => notices.push(m) }).lock('apply', 0);
    expect(notices.join('\n')).toContain('dead-1');
    await lock.release();
  });

  it('does not break a stale lock from another host: it needs force-unlock', async () => {
    const path = await freshPath();
    const pid = deadPid();
    await writeFile(`${path}.lock`, JSON.stringify({ id: 'far-1', holder: `ci@runner-7 pid ${pid}`, operation: 'apply', since: '2026-01-01T00:00:00.000Z', hostname: 'runner-7', pid }));
    const notices: string[] = [];
    const be = localStateBackend(path, { onNotice: (m) => notices.push(m) });
    const err = await be.lock('apply', 200).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as RefusedError).message).toContain('ci@runner-7');
    expect((err as RefusedError).message).toContain('2026-01-01T00:00:00.000Z');
    expect((err as RefusedError).message).toContain('force-unlock far-1');
    expect(notices).toEqual([]);
    expect((await be.currentLock())?.holder).toBe(`ci@runner-7 pid ${pid}`);
    await be.forceUnlock('far-1');
    const lock = await be.lock('apply', 0);
    await lock.release();
  });

  it('treats an unreadable lock file as held until force-unlocked', async () => {
    const path = await freshPath();
    await writeFile(`${path}.lock`, '');
    const be = localStateBackend(path);
    const err = await be.lock('apply', 0).catch((e: unknown) => e);
    expect((err as RefusedError).code).toBe('state.locked');
    await be.forceUnlock('unreadable');
    await (await be.lock('apply', 0)).release();
  });
});

describe('local lock: telling a dead holder from a reused pid (Linux)', () => {
  const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  const startOf = (pid: number) => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  };
  const lockFile = (pid: number, mark: object) =>
    JSON.stringify({ id: `l-${pid}`, holder: `x@${hostname()} pid ${pid}`, operation: 'apply', since: '2026-01-01T00:00:00.000Z', hostname: hostname(), pid, ...mark });

  it('records boot id and start time in the lock it takes', async () => {
    const path = await freshPath();
    const lock = await localStateBackend(path).lock('apply', 0);
    const rec = JSON.parse(await readFile(`${path}.lock`, 'utf8')) as Record<string, unknown>;
    expect(rec).toMatchObject({ id: lock.info.id, hostname: hostname(), pid: process.pid, boot_id: boot, start_ticks: startOf(process.pid) });
    await lock.release();
  });

  it('breaks a lock whose pid is alive but belongs to another boot or a later process', async () => {
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      const pid = sleeper.pid ?? 0;
      for (const mark of [{ boot_id: '00000000-0000-0000-0000-000000000000' }, { boot_id: boot, start_ticks: '1' }]) {
        const path = await freshPath();
        await writeFile(`${path}.lock`, lockFile(pid, mark));
        const notices: string[] = [];
        const lock = await localStateBackend(path, { onNotice: (m) => notices.push(m) }).lock('apply', 0);
        expect(notices.join()).toContain(`l-${pid}`);
        await lock.release();
      }
      // The same live process, or no evidence at all: the lock stands.
      for (const mark of [{ boot_id: boot, start_ticks: startOf(pid) }, {}]) {
        const path = await freshPath();
        await writeFile(`${path}.lock`, lockFile(pid, mark));
        const err = await localStateBackend(path).lock('apply', 0).catch((e: unknown) => e);
        expect((err as RefusedError).code).toBe('state.locked');
      }
    } finally {
      sleeper.kill('SIGKILL');
    }
  });
});

describe('local serial check on a hand-formatted file', () => {
  it('still refuses a wrong expected serial when the file is not in canonical form', async () => {
    const path = await freshPath();
    const doc = sampleState(4, 'hand-made lineage');
    const { serial, ...rest } = doc;
    await writeFile(path, JSON.stringify({ ...rest, serial }));
    const be = localStateBackend(path);
    const lock = await be.lock('apply', 0);
    expect(((await be.write(sampleState(5), 3, lock).catch((e: unknown) => e)) as RefusedError).code).toBe('state.serial');
    await be.write(sampleState(5), 4, lock);
    expect(await be.read()).toEqual(sampleState(5, 'hand-made lineage'));
    await lock.release();
  });
});

describe('local journal file', () => {
  it('is JSON lines beside the state, and survives a torn last line from a crash', async () => {
    const path = await freshPath();
    const be = localStateBackend(path);
    const lock = await be.lock('apply', 0);
    await be.appendJournal([entry(1, '2026-01-01T00:00:00.000Z', 'a'), entry(2, '2026-01-01T00:00:01.000Z', 'b')], lock);
    const jpath = journalPathFor(path);
    expect(jpath).toBe(path.replace(/state\.json$/, 'state.journal.jsonl'));
    const lines = (await readFile(jpath, 'utf8')).split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[1] ?? '')).toMatchObject({ seq: 2, change_id: 'c2' });
    // A crash mid-append: half a line, no newline.
    await appendFile(jpath, '{"seq":3,"at":"2026-01-0');
    expect((await be.readJournal()).map((e) => e.seq)).toEqual([1, 2]);
    await be.appendJournal([entry(3, '2026-01-02T00:00:00.000Z', 'a')], lock);
    expect((await be.readJournal()).map((e) => [e.seq, e.change_id])).toEqual([
      [1, 'c1'],
      [2, 'c2'],
      [3, 'c3'],
    ]);
    await lock.release();
  });

  it('reports a corrupt line in the middle with its line number', async () => {
    const path = await freshPath();
    const be = localStateBackend(path);
    const lock = await be.lock('apply', 0);
    await be.appendJournal([entry(1, '2026-01-01T00:00:00.000Z'), entry(2, '2026-01-01T00:00:01.000Z')], lock);
    await lock.release();
    const jpath = journalPathFor(path);
    const text = await readFile(jpath, 'utf8');
    await writeFile(jpath, 'garbage\n' + text);
    const err = await be.readJournal().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).diagnostics[0]?.source).toMatchObject({ file: jpath, line: 1 });
  });
});
