import { Flags } from '@oclif/core';
import { RollcallCommand } from '../../base.js';
import { openRepoState } from '../../state-access.js';

export default class StateShow extends RollcallCommand {
  static override description = 'Show the state backend, lineage, serial, counts, the SIS snapshot and the current lock.';
  static override flags = { json: Flags.boolean({ default: false, description: 'machine-readable' }) };

  async run(): Promise<void> {
    const { flags } = await this.parse(StateShow);
    const { backend } = await openRepoState(flags.dir);
    try {
      const state = await backend.read();
      const lock = await backend.currentLock();
      const summary = {
        backend: backend.description,
        lineage: state.lineage || '(none yet)',
        serial: state.serial,
        people: Object.keys(state.people).length,
        registry: Object.keys(state.registry).length,
        targets: Object.fromEntries(Object.entries(state.last_applied).map(([t, m]) => [t, Object.keys(m).length])),
        sis: state.sis,
        journal_seq: state.journal_seq ?? 0,
        lock,
      };
      if (flags.json) {
        process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
        return;
      }
      process.stdout.write([
        `backend:   ${summary.backend}`,
        `lineage:   ${summary.lineage}`,
        `serial:    ${summary.serial}`,
        `people:    ${summary.people} (registry: ${summary.registry} usernames ever issued)`,
        `targets:   ${Object.entries(summary.targets).map(([t, n]) => `${t}=${n}`).join(', ') || '(none applied)'}`,
        `sis:       ${summary.sis ? `${summary.sis.people} people${summary.sis.eligible === undefined ? '' : ` (${summary.sis.eligible} with an eligible role)`}, digest ${summary.sis.digest.slice(0, 19)}…, taken ${summary.sis.taken_at}` : '(no snapshot yet)'}`,
        `lock:      ${lock ? `held by ${lock.holder} for ${lock.operation} since ${lock.since} (id ${lock.id})` : 'free'}`,
      ].join('\n') + '\n');
    } finally {
      await backend.close();
    }
  }
}
