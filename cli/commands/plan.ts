import { Flags } from '@oclif/core';
import { runPlan } from '../../engine/run/plan-run.js';
import { nowFlag, parseNow, pseudonymKey, RollcallCommand, showPiiFlag, sisFlag } from '../base.js';
import { progressSink, renderPlan, writePlanFile, type PlanFormat } from '../output.js';

export default class Plan extends RollcallCommand {
  static override description = 'Compute a reviewable, deterministic plan from policy, SIS, state and the targets.';
  static override examples = [
    '<%= config.bin %> plan --dir examples/maplewood',
    '<%= config.bin %> plan --out plan.json --detailed-exitcode',
    '<%= config.bin %> plan --format markdown > comment.md',
  ];
  static override flags = {
    sis: sisFlag,
    now: nowFlag,
    out: Flags.string({ char: 'o', description: 'save the plan (JSON) for `rollcall apply FILE`' }),
    format: Flags.string({ description: 'output format', options: ['text', 'markdown', 'json'], default: 'text' }),
    json: Flags.boolean({ description: 'print the plan document as JSON (same as --format json)', default: false }),
    'detailed-exitcode': Flags.boolean({ description: 'exit 0 when there are no changes, 2 when there are', default: false }),
    'show-pii': showPiiFlag,
    limit: Flags.integer({ description: 'text format: changes shown per target/kind/action before summarizing (0 = all)', default: 50 }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Plan);
    const format: PlanFormat = flags.json ? 'json' : (flags.format as PlanFormat);
    const now = parseNow(flags.now);
    const result = await runPlan({ dir: flags.dir, sis: flags.sis, now, progress: progressSink(format !== 'json') });
    if (process.stderr.isTTY && format !== 'json') process.stderr.write('\r\u001b[K');
    const { plan } = result;
    if (flags.out) writePlanFile(flags.out, plan);
    process.stdout.write(renderPlan(plan, {
      format,
      showPii: flags['show-pii'],
      pseudonymKey: pseudonymKey(result.state.lineage, result.loaded.policy.district.domain),
      limit: flags.limit,
    }));
    if (flags.out && format !== 'json') process.stdout.write(`\nSaved the plan to ${flags.out}. Apply exactly this plan with: rollcall apply ${flags.out}\n`);
    if (flags['detailed-exitcode'] && plan.changes.length > 0) this.exit(2);
  }
}
