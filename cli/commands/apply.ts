import { Args, Flags } from '@oclif/core';
import { createInterface } from 'node:readline/promises';
import { userInfo } from 'node:os';
import { RefusedError } from '../../engine/model/errors.js';
import { runApply } from '../../engine/run/apply-run.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { credentialSinkFromEnv } from '../../engine/secrets/credential-store.js';
import { nowFlag, parseNow, pseudonymKey, RollcallCommand, showPiiFlag, sisFlag } from '../base.js';
import { pendingWork, renderPlan } from '../output.js';
import { renderApplyProblems } from '../../engine/render/apply-problems.js';
import { readPlanFile } from '../plan-file.js';

export default class Apply extends RollcallCommand {
  static override description = 'Apply exactly a saved plan (or plan now and confirm). Refuses stale, edited or halted plans.';
  static override examples = ['<%= config.bin %> apply plan.json --auto-approve', '<%= config.bin %> apply plan.json --accept disable.percent'];
  static override args = { file: Args.string({ description: 'plan file from `rollcall plan --out`' }) };
  static override flags = {
    sis: sisFlag,
    now: nowFlag,
    'auto-approve': Flags.boolean({ description: 'do not ask for confirmation', default: false }),
    accept: Flags.string({ description: 'accept a safety violation by id (repeatable)', multiple: true, default: [] }),
    'lock-timeout': Flags.integer({ description: 'seconds to wait for the state lock', default: 0 }),
    'show-pii': showPiiFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Apply);
    let plan;
    let domain: string | undefined;
    if (args.file) {
      plan = readPlanFile(args.file);
    } else {
      const result = await runPlan({ dir: flags.dir, sis: flags.sis, now: parseNow(flags.now), saveSisSnapshot: true });
      plan = result.plan;
      domain = result.loaded.policy.district.domain;
      process.stdout.write(renderPlan(plan, { format: 'text', showPii: false, pseudonymKey: pseudonymKey(result.state.lineage, domain), limit: 50 }));
    }
    if (!pendingWork(plan)) {
      process.stdout.write('No changes to apply.\n');
      return;
    }
    // Initial passwords are kept, encrypted, only when ROLLCALL_CREDENTIALS_KEY is set (a bad key refuses before anything is asked or applied).
    const credentials = credentialSinkFromEnv(flags.dir, process.env);
    if (credentials.notice && plan.changes.some((c) => c.kind === 'account' && c.action === 'create')) process.stderr.write(`${credentials.notice}\n`);
    if (!flags['auto-approve']) {
      if (!process.stdin.isTTY) throw new RefusedError('apply.confirm', 'not a terminal: pass --auto-approve to apply without confirmation');
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      const answer = await rl.question(`Apply ${plan.changes.length} change(s)? Only 'yes' is accepted: `);
      rl.close();
      if (answer.trim() !== 'yes') throw new RefusedError('apply.cancelled', 'apply cancelled; nothing was applied');
    }
    const report = await runApply({
      dir: flags.dir,
      plan,
      accept: flags.accept,
      now: () => new Date().toISOString(),
      actor: actor(),
      lockTimeoutMs: flags['lock-timeout'] * 1000,
      // Recovery of an interrupted apply and a broken stale lock are told to the operator.
      log: (m) => process.stderr.write(`${m}\n`),
      ...(credentials.sink ? { credentials: credentials.sink } : {}),
      onProgress: process.stderr.isTTY ? (done, total) => { if (done % 100 === 0 || done === total) process.stderr.write(`\r\u001b[Kapplied ${done}/${total}`); } : undefined,
    });
    if (process.stderr.isTTY) process.stderr.write('\r\u001b[K');
    process.stdout.write(`Apply complete: ${report.applied} applied, ${report.already} already in effect, ${report.failed.length} failed, ${report.skipped.length} skipped. State serial ${report.serial}.\n`);
    // Pseudonymous, as the plan it applies is shown (as `show` keys a saved plan before any state exists).
    const privacy = { showPii: flags['show-pii'], pseudonymKey: pseudonymKey(plan.inputs.state_lineage, domain ?? plan.inputs.policy_digest) };
    for (const line of renderApplyProblems('failed', report.failed.slice(0, 50).map((f) => ({ id: f.id, text: f.error })), plan, privacy)) process.stdout.write(`${line}\n`);
    for (const line of renderApplyProblems('skipped', report.skipped.slice(0, 50).map((s) => ({ id: s.id, text: s.reason })), plan, privacy)) process.stdout.write(`${line}\n`);
    if (report.purgedCredentials > 0) process.stdout.write(`Purged ${report.purgedCredentials} stored initial password(s) older than passwords.keepDays.\n`);
    if (report.purgeProblem) process.stderr.write(`Warning: stored initial passwords were not purged: ${report.purgeProblem}\n`);
    if (report.failed.length > 0 || report.skipped.length > 0) this.exit(1);
  }
}

/** Who applied: the CI actor when there is one, else the OS user. */
function actor(): string {
  if (process.env.GITHUB_ACTOR) return `github:${process.env.GITHUB_ACTOR}`;
  try {
    return `os:${userInfo().username}`;
  } catch {
    return 'os:unknown';
  }
}
