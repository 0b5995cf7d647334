import { Flags } from '@oclif/core';
import { writeFileSync } from 'node:fs';
import { readImpactFile } from '../../../engine/impact/file.js';
import { runVerify } from '../../../engine/impact/run-verify.js';
import { InputError, RefusedError } from '../../../engine/model/errors.js';
import { renderVerifyMarkdown, renderVerifyText } from '../../../engine/render/impact-verify.js';
import { nowFlag, parseNow, pseudonymKey, RollcallCommand, sisFlag } from '../../base.js';
import { appendStepSummary, githubMode, setOutput } from '../../github.js';
import { annotateInputError } from '../../impact-output.js';
import { writePlanFile } from '../../output.js';

export default class ImpactVerify extends RollcallCommand {
  static override description = [
    'Apply-on-merge check: recompute the impact of the approved base policy -> the merged policy against today\'s SIS,',
    'state and targets; require it to match the approved impact for everyone present and unchanged since approval,',
    'and the rest of today\'s plan to be within the safety limits. Exit 0 verified, 1 refused.',
  ].join(' ');
  static override examples = [
    '<%= config.bin %> impact verify --approved impact.json --out plan.json --out-report verify.json',
    '<%= config.bin %> impact verify --approved impact.json --base HEAD^1',
  ];
  static override flags = {
    approved: Flags.string({ description: 'the impact approved on the pull request (`plan --base --out-impact`)', required: true }),
    base: Flags.string({ description: 'git ref of the base policy (default: the approved impact\'s base commit)' }),
    sis: sisFlag,
    now: nowFlag,
    accept: Flags.string({ description: 'accept a safety violation of the SIS-driven rest by id (repeatable)', multiple: true, default: [] }),
    target: Flags.string({ description: 'only this target (repeatable), as with `plan --target`', multiple: true }),
    adopt: Flags.boolean({ description: 'adoption mode for both plans, as with `plan --adopt` (use it when the pull request was planned with it)', default: false }),
    out: Flags.string({ char: 'o', description: 'save today\'s plan (JSON) for `rollcall apply FILE` (written even when refused, for the issue)' }),
    'out-report': Flags.string({ description: 'save the verification report (JSON); its `accept` lists what apply must accept' }),
    'out-impact': Flags.string({ description: 'save the impact recomputed today (JSON)' }),
    format: Flags.string({ description: 'output format', options: ['text', 'markdown', 'json'], default: 'text' }),
    github: Flags.boolean({ description: 'GitHub Actions output: job summary and step outputs (default: on when GITHUB_ACTIONS=true)', allowNo: true }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ImpactVerify);
    const github = githubMode(flags.github);
    const approved = readImpactFile(flags.approved);
    const result = await runVerify({ dir: flags.dir, sis: flags.sis, now: parseNow(flags.now), approved, base: flags.base, accept: flags.accept, targets: flags.target, saveSisSnapshot: Boolean(flags.out), ...(flags.adopt ? { adopt: true } : {}) })
      .catch((e: unknown) => { if (github && e instanceof InputError) annotateInputError(e, flags.dir); throw e; });
    const { report } = result;
    if (flags.out) writePlanFile(flags.out, result.plan);
    if (flags['out-report']) writeFileSync(flags['out-report'], JSON.stringify(report, null, 2) + '\n');
    if (flags['out-impact']) writeFileSync(flags['out-impact'], JSON.stringify(result.impact, null, 2) + '\n');
    // People as pseudonyms, as in every review output: this text goes to CI logs and an issue.
    const privacy = { showPii: false, pseudonymKey: pseudonymKey(result.pseudonymBasis.lineage, result.pseudonymBasis.domain) };
    const text = flags.format === 'json' ? JSON.stringify(report, null, 2) + '\n' : flags.format === 'markdown' ? renderVerifyMarkdown(report, privacy) : renderVerifyText(report, privacy);
    process.stdout.write(text);
    if (github) {
      appendStepSummary(renderVerifyMarkdown(report, privacy));
      setOutput('verified', String(report.ok));
      setOutput('accept', report.accept.join(' '));
    }
    if (!report.ok) throw new RefusedError('impact.mismatch', `verification failed; apply nothing.\n${report.reasons.map((r) => `  - ${r}`).join('\n')}`);
  }
}
