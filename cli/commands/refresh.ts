import { Flags } from '@oclif/core';
import { runRefresh } from '../../engine/run/refresh-run.js';
import { nowFlag, parseNow, RollcallCommand } from '../base.js';

export default class Refresh extends RollcallCommand {
  static override description = 'Read every target into a local snapshot for `plan --refresh=false` (incremental where the target has a change feed).';
  static override flags = {
    now: nowFlag,
    snapshot: Flags.string({ description: 'snapshot file (default .rollcall/snapshot.jsonl in the policy repo)' }),
    full: Flags.boolean({ default: false, description: 'ignore change feeds and read everything' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Refresh);
    const r = await runRefresh({ dir: flags.dir, now: parseNow(flags.now), full: flags.full, ...(flags.snapshot ? { snapshot: flags.snapshot } : {}) });
    for (const t of r.targets) process.stdout.write(`${t.target}: ${t.accounts} accounts, ${t.groups} groups (${t.incremental ? 'incremental' : 'full read'})\n`);
    process.stdout.write(`Snapshot written to ${r.path}. Plan against it with: rollcall plan --refresh=false\n`);
  }
}
