import { it } from 'vitest';
import { join } from 'node:path';
import { runPlan } from '../../engine/run/plan-run.js';
import { SandboxStore } from '../../providers/sandbox/store.js';
import { NOW, buildOldDistrict, oldKey } from './old-district.js';
it('debug', async () => {
  const d = await buildOldDistrict();
  const plan = (await runPlan({ dir: d.dir, now: NOW })).plan;
  const store = new SandboxStore(join(d.dir, '.rollcall', 'sandbox'));
  const amb = plan.decisions.filter((x) => x.kind === 'ambiguous-correlation');
  const byDetail = new Map<string, number>();
  for (const a of amb) byDetail.set(a.detail.replace(/\d+ candidates/, 'N candidates'), (byDetail.get(a.detail.replace(/\d+ candidates/, 'N candidates')) ?? 0) + 1);
  console.log(byDetail);
  for (const a of amb.slice(0, 8)) {
    const p = d.people.get(a.anchor)!;
    console.log(a.anchor, oldKey(p.given, p.family), a.detail, a.candidates?.map((c) => { const x = store.data.accounts[c]!; return `${x.username} ${x.anchor} ${x.path} owner=${d.truth.get(c)}`; }));
  }
}, 120000);
