import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { StateDocument } from '../engine/model/state.js';
import { writeSnapshotFile } from '../engine/run/snapshot-file.js';
import { localStateBackend } from '../engine/state/local.js';
import { writeStateFile } from '../engine/state/state-file.js';
import { writeDirectoryFile } from '../providers/sandbox/directory-file.js';
import { SandboxProvider } from '../providers/sandbox/index.js';
import { SandboxStore, type SandboxAccount, type SandboxData, type SandboxGroup } from '../providers/sandbox/store.js';

/**
 * Benchmark fixture for issue #10: a materialized repo (state + sandbox) copied `factor`
 * times over with suffixed keys, e.g. the 100k bench repo into a 1M-person state, sandbox
 * directory and refresh snapshot, in a minute rather than a 140 s first plan.
 *   node dist/bench/synth-scale.js FROM_REPO TO_REPO FACTOR
 */

const [from, to, factorArg] = process.argv.slice(2);
if (!from || !to) throw new Error('usage: synth-scale FROM_REPO TO_REPO [FACTOR]');
const factor = Number(factorArg ?? 10);
const sfx = (s: string, i: number): string => (i === 0 ? s : `${s}.${i}`);

const src = await localStateBackend(join(from, '.rollcall', 'state.json')).read();
const state: StateDocument = { ...src, lineage: 'bench-lineage', registry: {}, people: {}, last_applied: {} };
for (let i = 0; i < factor; i++) {
  for (const [u, e] of Object.entries(src.registry)) state.registry[sfx(u, i)] = { ...e, anchor: sfx(e.anchor, i) };
  for (const [id, p] of Object.entries(src.people)) state.people[sfx(id, i)] = { ...p, username: sfx(p.username, i) };
  for (const [t, m] of Object.entries(src.last_applied)) {
    const into = (state.last_applied[t] ??= {});
    for (const [a, attrs] of Object.entries(m)) into[sfx(a, i)] = { ...attrs, username: sfx(attrs.username, i) };
  }
}
if (state.sis) state.sis = { ...state.sis, people: state.sis.people * factor, ...(state.sis.eligible === undefined ? {} : { eligible: state.sis.eligible * factor }) };
mkdirSync(join(to, '.rollcall', 'sandbox'), { recursive: true });
let t0 = performance.now();
await writeStateFile(join(to, '.rollcall', 'state.json'), state);
process.stdout.write(`state: ${Object.keys(state.people).length} people written in ${Math.round(performance.now() - t0)} ms\n`);

const base = SandboxStore.load(join(from, '.rollcall', 'sandbox'));
const data: SandboxData = { seq: base.seq * factor, accounts: {}, groups: {}, containers: base.containers };
for (let i = 0; i < factor; i++) {
  for (const a of Object.values(base.accounts)) {
    const acc: SandboxAccount = { ...a, id: sfx(a.id, i), anchor: a.anchor === null ? null : sfx(a.anchor, i), username: sfx(a.username, i) };
    data.accounts[acc.id] = acc;
  }
  for (const g of Object.values(base.groups)) {
    const grp: SandboxGroup = { ...g, id: sfx(g.id, i), name: sfx(g.name, i), members: g.members.map((m) => sfx(m, i)) };
    data.groups[grp.id] = grp;
  }
}
t0 = performance.now();
writeDirectoryFile(join(to, '.rollcall', 'sandbox', 'directory.json'), data);
closeSync(openSync(join(to, '.rollcall', 'sandbox', 'ops.jsonl'), 'w'));
process.stdout.write(`sandbox: ${Object.keys(data.accounts).length} accounts, ${Object.keys(data.groups).length} groups written in ${Math.round(performance.now() - t0)} ms\n`);

t0 = performance.now();
const snap = await new SandboxProvider('sandbox', join(to, '.rollcall', 'sandbox')).read();
await writeSnapshotFile(join(to, '.rollcall', 'snapshot.jsonl'), [snap], '2026-10-01T12:00:00.000Z');
process.stdout.write(`snapshot: ${snap.groups.reduce((n, g) => n + g.members.length, 0)} members written in ${Math.round(performance.now() - t0)} ms\n`);
