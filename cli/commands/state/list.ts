import { Flags } from '@oclif/core';
import { pseudonym } from '../../../engine/render/pseudonym.js';
import { pseudonymKey, RollcallCommand, showPiiFlag } from '../../base.js';
import { openRepoState } from '../../state-access.js';

export default class StateList extends RollcallCommand {
  static override description = 'List the people rollcall manages, with lifecycle timers (usernames only with --show-pii).';
  static override flags = { 'show-pii': showPiiFlag, json: Flags.boolean({ default: false }) };

  async run(): Promise<void> {
    const { flags } = await this.parse(StateList);
    const { backend, domain } = await openRepoState(flags.dir);
    try {
      const state = await backend.read();
      const key = pseudonymKey(state.lineage, domain);
      const rows = Object.entries(state.people).sort(([a], [b]) => (a < b ? -1 : 1)).map(([anchor, p]) => ({
        anchor,
        who: flags['show-pii'] ? p.username : pseudonym(key, anchor),
        status: p.deleted_at ? `deleted ${p.deleted_at.slice(0, 10)}` : p.suspended_at ? `suspended ${p.suspended_at}${p.delete_after ? `, delete after ${p.delete_after}` : ''}` : p.missing_since ? `missing since ${p.missing_since}` : 'active',
      }));
      if (flags.json) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
      else for (const r of rows) process.stdout.write(`${r.anchor}\t${r.who}\t${r.status}\n`);
    } finally {
      await backend.close();
    }
  }
}
