import { Args, Flags } from '@oclif/core';
import { renderExplanation } from '../../engine/explain/render.js';
import { runExplain } from '../../engine/explain/run-explain.js';
import { nowFlag, parseNow, RollcallCommand, sisFlag } from '../base.js';

export const PII_NOTICE = 'Note: explain prints this person\'s personal data (names, usernames, SIS facts) by design; keep it out of tickets, chats and logs.\n';

export default class Explain extends RollcallCommand {
  static override description = 'Explain, rule by rule, why one person gets their username, email, display name, path, groups and lifecycle state in each target.';
  static override examples = ['<%= config.bin %> explain 1b19123e-404d-4546-8499-cdf51613057f --dir examples/maplewood', '<%= config.bin %> explain STU123 --now 2027-07-01 --json'];
  static override args = { sourcedId: Args.string({ description: 'the person\'s SIS sourcedId (the anchor)', required: true }) };
  static override flags = {
    sis: sisFlag,
    now: nowFlag,
    json: Flags.boolean({ description: 'print the explanation as JSON', default: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Explain);
    process.stderr.write(PII_NOTICE);
    const explanation = await runExplain(args.sourcedId, { dir: flags.dir, sis: flags.sis, now: parseNow(flags.now) });
    process.stdout.write(flags.json ? JSON.stringify(explanation, null, 2) + '\n' : renderExplanation(explanation));
  }
}
