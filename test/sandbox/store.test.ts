import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Change } from '../../engine/model/plan.js';
import { SandboxProvider } from '../../providers/sandbox/index.js';
import { SandboxStore } from '../../providers/sandbox/store.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function seeded(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'rollcall-sandbox-')), 'sandbox');
  dirs.push(dir);
  const store = new SandboxStore(dir);
  store.commit({ op: 'put-group', group: { id: 'g1', name: 'all', description: '', members: [], managed: true } });
  for (const id of ['u3', 'u1', 'u2']) {
    store.commit({ op: 'put-account', account: { id, anchor: `stu-${id}`, username: `user${id}`, givenName: 'G', familyName: 'F', displayName: 'G F', email: `${id}@example.org`, path: 'Students', enabled: true, aliases: [] } });
    store.commit({ op: 'add-member', group: 'g1', member: id });
  }
  store.compact();
  store.commit({ op: 'add-container', path: 'Students' });
  return dir;
}

function stamps(dir: string): string[] {
  return ['directory.json', 'ops.jsonl'].map((f) => {
    const s = statSync(join(dir, f));
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  });
}

describe('sandbox store', () => {
  it('a read-only session (open, read, close) writes nothing', async () => {
    const dir = seeded();
    const before = stamps(dir);
    const p = new SandboxProvider('sandbox', dir);
    const snap = await p.read();
    await p.close();
    expect(stamps(dir)).toEqual(before);
    expect(snap.accounts.map((a) => a.id).sort()).toEqual(['u1', 'u2', 'u3']);
    expect(snap.groups[0]?.members).toEqual(['u1', 'u2', 'u3']);
    expect(snap.containers).toEqual(['Students']);
  });

  it('compacts on close after this session changed something', async () => {
    const dir = seeded();
    const p = new SandboxProvider('sandbox', dir);
    const change = { id: 'c1', kind: 'container', action: 'create', key: 'Staff', target: 'sandbox' } as unknown as Change;
    expect((await p.apply(change, {})).status).toBe('applied');
    await p.close();
    expect(statSync(join(dir, 'ops.jsonl')).size).toBe(0);
    expect(SandboxStore.load(dir).containers.sort()).toEqual(['Staff', 'Students']);
  });

  it('read sees changes another writer made after the provider opened', async () => {
    const dir = seeded();
    const p = new SandboxProvider('sandbox', dir);
    expect((await p.read()).accounts).toHaveLength(3);
    const other = new SandboxStore(dir);
    other.commit({ op: 'delete-account', id: 'u2' });
    expect((await p.read()).accounts.map((a) => a.id).sort()).toEqual(['u1', 'u3']);
    other.compact();
    expect((await p.read()).accounts.map((a) => a.id).sort()).toEqual(['u1', 'u3']);
    await p.close();
  });

  it('compacts to one account or group per line, read back exactly; the older one-line file still reads', async () => {
    const dir = seeded();
    const store = new SandboxStore(dir);
    store.compact();
    const text = readFileSync(join(dir, 'directory.json'), 'utf8');
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^\{"seq":\d+,"containers":\["Students"\],$/);
    expect(lines.filter((l) => l.startsWith('"u'))).toHaveLength(3);
    const data = SandboxStore.load(dir);
    expect(JSON.parse(text)).toEqual(data);
    writeFileSync(join(dir, 'directory.json'), JSON.stringify(data));
    expect(SandboxStore.load(dir)).toEqual(data);
  });

  it('replays the log over the base, skipping a torn last line', async () => {
    const dir = seeded();
    appendFileSync(join(dir, 'ops.jsonl'), '{"op":"add-container","path":"Staff"}\n{"op":"add-cont');
    expect(SandboxStore.load(dir).containers).toEqual(['Students', 'Staff']);
  });
});
