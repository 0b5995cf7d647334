import { Flags } from '@oclif/core';
import { resolve } from 'node:path';
import { runPlan } from '../../engine/run/plan-run.js';
import { snapshotPath } from '../../engine/run/refresh-run.js';
import { nowFlag, parseNow, pseudonymKey, RollcallCommand, showPiiFlag, sisFlag } from '../base.js';
import { pendingWork, printPlan, progressSink, renderPlan, writePlanFile, type PlanFormat } from '../output.js';
import { InputError } from '../../engine/model/errors.js';
import { appendStepSummary, githubMode } from '../github.js';
import { annotateInputError, planWithBase } from '../impact-output.js';

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
    'detailed-exitcode': Flags.boolean({ description: 'exit 0 when applying would do nothing, 2 when there are changes or state updates to record', default: false }),
    'show-pii': showPiiFlag,
    adopt: Flags.boolean({ description: 'adoption mode for this plan: link existing accounts by policy/correlation.yaml, hold back disables and deletes, keep usernames (as `adoption: true` in rollcall.yaml)', default: false }),
    target: Flags.string({ description: 'plan only this target (repeatable); also turns on a target marked enabled: false', multiple: true }),
    refresh: Flags.string({ description: 'false: plan against the snapshot from `rollcall refresh` instead of reading the targets', options: ['true', 'false'], default: 'true' }),
    snapshot: Flags.string({ description: 'snapshot file for --refresh=false (default .rollcall/snapshot.jsonl)' }),
    limit: Flags.integer({ description: 'text format: changes shown per target/kind/action before summarizing (0 = all)', default: 50 }),
    base: Flags.string({ description: 'git ref of the base policy: show the impact of the policy change (base -> working tree) against the same SIS, state and targets' }),
    'out-impact': Flags.string({ description: 'with --base: save the impact (JSON) for review and `rollcall impact verify`' }),
    github: Flags.boolean({ description: 'GitHub Actions output: job summary, step outputs, annotations (default: on when GITHUB_ACTIONS=true)', allowNo: true }),
    'plan-base': Flags.boolean({ description: 'with --refresh=false: start from the plan refresh made, re-planning only people whose users.csv row changed since (a plan shown, not saved with --out); --no-plan-base plans in full', default: true, allowNo: true }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Plan);
    const format: PlanFormat = flags.json ? 'json' : (flags.format as PlanFormat);
    const now = parseNow(flags.now);
    const github = githubMode(flags.github);
    const snapshotFile = flags.refresh === 'false' ? snapshotPath(resolve(flags.dir), flags.snapshot) : undefined;
    if (flags.base) {
      const impact = await planWithBase({ dir: flags.dir, sis: flags.sis, now, base: flags.base, format, showPii: flags['show-pii'], limit: flags.limit, out: flags.out, outImpact: flags['out-impact'], github, targets: flags.target, snapshotFile, adopt: flags.adopt })
        .catch((e: unknown) => { if (github && e instanceof InputError) annotateInputError(e, flags.dir); throw e; });
      if (flags['detailed-exitcode'] && impact.summary.total > 0) this.exit(2);
      return;
    }
    // A plan, shown or saved, writes no state: registry and last_applied entries are parsed as
    // the plan looks them up. A saved plan is applied by `apply FILE`, which reads state again,
    // whole and checked.
    const common = { dir: flags.dir, sis: flags.sis, now, ...(flags.adopt ? { adopt: true } : {}), ...(flags.target ? { targets: flags.target } : {}) };
    // A saved plan keeps its export's roster for the next delta set, which only a full read has.
    // Imported here: a plan that reads the targets does not load the plan base's modules (and the SIS reader's they use).
    const fromBase = snapshotFile !== undefined && !flags.out && flags['plan-base'] ? await (await import('../../engine/run/plan-from-base.js')).planFromBase({ ...common, snapshotFile }) : undefined;
    if (fromBase && format !== 'json') {
      if ('plan' in fromBase) process.stderr.write(`Planned from the plan base refresh wrote: ${fromBase.changed} ${fromBase.changed === 1 ? 'person' : 'people'} re-planned (--no-plan-base plans in full).\n`);
      else if (fromBase.hadBase) process.stderr.write(`Planning in full: the plan base does not apply (${fromBase.fallback}).\n`);
    }
    const result = fromBase && 'plan' in fromBase
      ? { plan: fromBase.plan, loaded: fromBase.loaded }
      : await runPlan({ ...common, saveSisSnapshot: Boolean(flags.out), deferMaps: true, progress: progressSink(format !== 'json'), ...(fromBase ? { loaded: fromBase.loaded } : {}), ...(snapshotFile !== undefined ? { snapshotFile } : {}) });
    if (process.stderr.isTTY && format !== 'json') process.stderr.write('\r\u001b[K');
    const { plan } = result;
    if (flags.out) writePlanFile(flags.out, plan);
    printPlan(plan, {
      format,
      showPii: flags['show-pii'],
      pseudonymKey: pseudonymKey(plan.inputs.state_lineage, result.loaded.policy.district.domain),
      limit: flags.limit,
    });
    if (flags.out && format !== 'json') process.stdout.write(`\nSaved the plan to ${flags.out}. Apply exactly this plan with: rollcall apply ${flags.out}\n`);
    if (github) appendStepSummary(renderPlan(plan, { format: 'markdown', showPii: false, pseudonymKey: pseudonymKey(plan.inputs.state_lineage, result.loaded.policy.district.domain), limit: flags.limit }));
    if (flags['detailed-exitcode'] && pendingWork(plan)) this.exit(2);
  }
}
