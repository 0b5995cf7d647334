import { Args } from '@oclif/core';
import { RollcallCommand } from '../base.js';
import { openRepoState } from '../state-access.js';

export default class ForceUnlock extends RollcallCommand {
  static override description = 'Break a state lock by id, when its holder is gone and rollcall cannot prove it (another host, a CI runner that vanished).';
  static override args = { id: Args.string({ required: true, description: 'the lock id printed by the refused command or `state show`' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ForceUnlock);
    const { backend } = await openRepoState(flags.dir);
    try {
      const lock = await backend.currentLock();
      await backend.forceUnlock(args.id);
      process.stdout.write(`Unlocked ${args.id}${lock ? ` (held by ${lock.holder} since ${lock.since})` : ''}.\n`);
    } finally {
      await backend.close();
    }
  }
}
