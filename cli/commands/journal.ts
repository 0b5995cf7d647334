import { Flags } from '@oclif/core';
import Papa from 'papaparse';
import { RollcallCommand } from '../base.js';
import { openRepoState } from '../state-access.js';

export default class Journal extends RollcallCommand {
  static override description = 'Export the append-only audit journal for auditors (applied and failed changes; intents with --all).';
  static override examples = ['<%= config.bin %> journal --since 2026-09-01 --format csv > journal.csv'];
  static override flags = {
    since: Flags.string({ description: 'only entries at or after this ISO date/time' }),
    format: Flags.string({ options: ['json', 'csv'], default: 'json' }),
    all: Flags.boolean({ default: false, description: 'include intent records (written before each change)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Journal);
    const { backend } = await openRepoState(flags.dir);
    try {
      const entries = (await backend.readJournal(flags.since ? { since: flags.since } : undefined)).filter((e) => flags.all || e.outcome !== 'intent');
      if (flags.format === 'json') {
        process.stdout.write(JSON.stringify(entries, null, 2) + '\n');
        return;
      }
      const rows = entries.map((e) => ({
        seq: e.seq, at: e.at, outcome: e.outcome, actor: e.actor, plan_digest: e.plan_digest, policy_commit: e.policy_commit ?? '',
        target: e.target, change_id: e.change_id, action: e.action, anchor: e.anchor ?? '', cause: e.cause, rule: e.rule ?? '',
        before: e.before ? JSON.stringify(e.before) : '', after: e.after ? JSON.stringify(e.after) : '', error: e.error ?? '',
      }));
      process.stdout.write(Papa.unparse(rows, { newline: '\n' }) + '\n');
    } finally {
      await backend.close();
    }
  }
}
