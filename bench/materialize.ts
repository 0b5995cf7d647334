import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlanDocument } from '../engine/model/plan.js';
import { emptyState } from '../engine/model/state.js';
import { recordOutcome, recordStateUpdate, sisSnapshotOf } from '../engine/run/record.js';
import { localStateBackend } from '../engine/state/local.js';
import { writeDirectoryFile } from '../providers/sandbox/directory-file.js';
import { SandboxStore, type SandboxData } from '../providers/sandbox/store.js';

/**
 * Benchmark setup only: turn a first plan into the sandbox directory and state that an
 * apply would have produced, without per-change I/O, so a 1M-person "existing district"
 * can be prepared in seconds. The real apply path is tested elsewhere; this is a fixture.
 */
export async function materialize(plan: PlanDocument, repoDir: string, now: string): Promise<void> {
  const data: SandboxData = { seq: 0, accounts: {}, groups: {}, containers: [] };
  const byAnchor = new Map<string, string>();
  const groupIds = new Map<string, string>();
  const state = emptyState('bench-lineage');
  for (const c of plan.changes) {
    if (c.kind === 'container') SandboxStore.replay(data, { op: 'add-container', path: c.key });
    else if (c.kind === 'account' && c.action === 'create') {
      const id = `u${String(++data.seq).padStart(7, '0')}`;
      const a = c.after!;
      SandboxStore.replay(data, { op: 'put-account', account: { id, anchor: c.anchor ?? null, username: String(a.username), givenName: String(a.givenName), familyName: String(a.familyName), displayName: String(a.displayName), email: String(a.email), path: String(a.path), enabled: a.enabled !== false, aliases: [] } });
      if (c.anchor) byAnchor.set(c.anchor, id);
    } else if (c.kind === 'group' && c.action === 'create') {
      const id = `g${String(++data.seq).padStart(7, '0')}`;
      SandboxStore.replay(data, { op: 'put-group', group: { id, name: String(c.after!.name), description: String(c.after!.description ?? ''), members: [], managed: true } });
      groupIds.set(String(c.after!.name), id);
    } else if (c.kind === 'membership' && c.action === 'add') {
      const gid = groupIds.get(c.key);
      if (!gid) continue;
      for (const m of c.members ?? []) {
        const aid = m.anchor ? byAnchor.get(m.anchor) : undefined;
        if (aid) data.groups[gid]!.members.push(aid);
      }
    }
    recordOutcome(state, c, { status: 'applied' }, now);
  }
  for (const u of plan.state_updates) recordStateUpdate(state, u);
  state.sis = sisSnapshotOf(plan, now);
  const sandbox = join(repoDir, '.rollcall', 'sandbox');
  mkdirSync(sandbox, { recursive: true });
  writeDirectoryFile(join(sandbox, 'directory.json'), data);
  writeFileSync(join(sandbox, 'ops.jsonl'), '');
  const backend = localStateBackend(join(repoDir, '.rollcall', 'state.json'));
  const lock = await backend.lock('apply', 0);
  await backend.write({ ...state, serial: 1 }, 0, lock);
  await lock.release();
  await backend.close();
}
