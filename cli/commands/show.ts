import { Args, Flags } from '@oclif/core';
import { pseudonymKey, RollcallCommand, showPiiFlag } from '../base.js';
import { printPlan, type PlanFormat } from '../output.js';
import { readPlanFile } from '../plan-file.js';

export default class Show extends RollcallCommand {
  static override description = 'Render a saved plan.';
  static override args = { file: Args.string({ description: 'plan file written by `rollcall plan --out`', required: true }) };
  static override flags = {
    format: Flags.string({ options: ['text', 'markdown', 'json'], default: 'text' }),
    'show-pii': showPiiFlag,
    limit: Flags.integer({ default: 50, description: 'text format: changes shown per group (0 = all)' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Show);
    const plan = readPlanFile(args.file);
    printPlan(plan, { format: flags.format as PlanFormat, showPii: flags['show-pii'], pseudonymKey: pseudonymKey(plan.inputs.state_lineage, plan.inputs.policy_digest), limit: flags.limit });
  }
}
