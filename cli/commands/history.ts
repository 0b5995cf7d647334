import { Args, Flags } from '@oclif/core';
import { RollcallCommand } from '../base.js';
import { openRepoState } from '../state-access.js';

export default class History extends RollcallCommand {
  static override description = 'One person\'s story from the audit journal: every change applied to their accounts, when, by whom, on which plan and rule.';
  static override args = { sourcedId: Args.string({ required: true, description: 'the person\'s SIS sourcedId' }) };
  static override flags = { json: Flags.boolean({ default: false }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(History);
    const { backend } = await openRepoState(flags.dir);
    try {
      const entries = (await backend.readJournal({ anchor: args.sourcedId })).filter((e) => e.outcome !== 'intent');
      if (flags.json) {
        process.stdout.write(JSON.stringify(entries, null, 2) + '\n');
        return;
      }
      if (entries.length === 0) process.stdout.write(`No journal entries for ${args.sourcedId}.\n`);
      for (const e of entries) {
        process.stdout.write(`${e.at}  ${e.outcome.padEnd(7)} ${e.target}: ${e.action}  (${e.cause}${e.rule ? ` · ${e.rule}` : ''})  by ${e.actor}, plan ${e.plan_digest.slice(0, 12)}${e.policy_commit ? `, policy ${e.policy_commit.slice(0, 12)}` : ''}${e.error ? `  error: ${e.error}` : ''}\n`);
      }
    } finally {
      await backend.close();
    }
  }
}
