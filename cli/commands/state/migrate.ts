import { Flags } from '@oclif/core';
import { resolve } from 'node:path';
import { migrateState } from '../../../engine/state/migrate.js';
import { openStateBackend, stateConfigFromSpec } from '../../../engine/state/index.js';
import { RollcallCommand } from '../../base.js';
import { openRepoState } from '../../state-access.js';

export default class StateMigrate extends RollcallCommand {
  static override description = 'Copy state and journal to another backend (e.g. local -> postgres), holding both locks. Then point rollcall.yaml at it.';
  static override examples = ['ROLLCALL_PG_URL=... <%= config.bin %> state migrate --to postgres:schema=rollcall,workspace=maplewood'];
  static override flags = { to: Flags.string({ required: true, description: 'local[:PATH] or postgres[:schema=..,workspace=..,connectionStringEnv=VAR]' }) };

  async run(): Promise<void> {
    const { flags } = await this.parse(StateMigrate);
    const { backend: from } = await openRepoState(flags.dir);
    const to = openStateBackend(stateConfigFromSpec(flags.to), resolve(flags.dir), process.env);
    try {
      const r = await migrateState(from, to);
      process.stdout.write(`Migrated state serial ${r.serial} and ${r.journalEntries} journal entries from ${from.description} to ${to.description}.\nNow set state: in rollcall.yaml to the new backend.\n`);
    } finally {
      await from.close();
      await to.close();
    }
  }
}
