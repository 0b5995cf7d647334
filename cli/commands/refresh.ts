import { Flags } from '@oclif/core';
import { runRefresh } from '../../engine/run/refresh-run.js';
import { nowFlag, parseNow, RollcallCommand } from '../base.js';

export default class Refresh extends RollcallCommand {
  static override description = 'Read every target into a local snapshot for `plan --refresh=false` (incremental where the target has a change feed), and prime the SIS parse cache from the current export.';
  static override flags = {
    now: nowFlag,
    snapshot: Flags.string({ description: 'snapshot file (default .rollcall/snapshot.jsonl in the policy repo)' }),
    full: Flags.boolean({ default: false, description: 'ignore change feeds and read everything' }),
    'plan-base': Flags.boolean({ default: true, allowNo: true, description: 'plan the export once and keep that plan with each person\'s inputs, so plans of an export with a few users.csv rows changed re-plan only those people (--no-plan-base: skip it, and remove an old one)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Refresh);
    const r = await runRefresh({ dir: flags.dir, now: parseNow(flags.now), full: flags.full, planBase: flags['plan-base'], ...(flags.snapshot ? { snapshot: flags.snapshot } : {}) });
    for (const t of r.targets) process.stdout.write(`${t.target}: ${t.accounts} accounts, ${t.groups} groups (${t.incremental ? 'incremental' : 'full read'})\n`);
    if (r.sis?.primed) process.stdout.write(`SIS: ${r.sis.people} people parsed once; plans of this export read the parse cache.\n`);
    else if (r.sis) process.stdout.write(`SIS: the export has ${r.sis.errors} error(s), or is a delta set; its parse cache was not primed (rollcall plan reports the errors).\n`);
    if (r.base?.written) process.stdout.write(`Plan base: ${r.base.people} people planned once; a plan of this export with a few users.csv rows changed re-plans only those people (today only).\n`);
    else if (r.base) process.stdout.write(`Plan base: not written (${r.base.reason}); plans read the whole district.\n`);
    process.stdout.write(`Snapshot written to ${r.path}. Plan against it with: rollcall plan --refresh=false\n`);
  }
}
