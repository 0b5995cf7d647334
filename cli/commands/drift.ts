import { renameSync, writeFileSync } from 'node:fs';
import { Flags } from '@oclif/core';
import { runDrift } from '../../engine/drift/run-drift.js';
import { DRIFT_FORMATS, renderDrift, type DriftFormat } from '../../engine/render/drift-render.js';
import { driftSummaryLine, driftView } from '../../engine/render/drift-view.js';
import { nowFlag, parseNow, pseudonymKey, RollcallCommand, showPiiFlag, sisFlag } from '../base.js';
import { progressSink } from '../output.js';

export default class Drift extends RollcallCommand {
  static override description = 'Report what changed in the targets outside rollcall, against policy and the last applied state. Exit 0: no drift; 2: drift; 1: error.';
  static override examples = [
    '<%= config.bin %> drift --dir examples/maplewood',
    '<%= config.bin %> drift --format html --out drift.html',
    '<%= config.bin %> drift --format json > drift.json',
  ];
  static override flags = {
    sis: sisFlag,
    now: nowFlag,
    format: Flags.string({ description: 'output format', options: [...DRIFT_FORMATS], default: 'text' }),
    out: Flags.string({ char: 'o', description: 'write the report to this file instead of stdout' }),
    'show-pii': showPiiFlag,
    limit: Flags.integer({ description: 'text format: items shown per category before summarizing (0 = all)', default: 50 }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Drift);
    const format = flags.format as DriftFormat;
    const now = parseNow(flags.now);
    const { report, state, loaded } = await runDrift({ dir: flags.dir, sis: flags.sis, now, progress: progressSink(format === 'text') });
    if (process.stderr.isTTY) process.stderr.write('\r\u001b[K');
    const privacy = { showPii: flags['show-pii'], pseudonymKey: pseudonymKey(state.lineage, loaded.policy.district.domain) };
    const text = renderDrift(report, { ...privacy, format, limit: flags.limit });
    if (flags.out) {
      // Written whole or not at all: a CI step uploading the report never sees half a file.
      const tmp = `${flags.out}.tmp-${process.pid}`;
      writeFileSync(tmp, text, { mode: 0o600 });
      renameSync(tmp, flags.out);
      process.stdout.write(`${driftSummaryLine(driftView(report, privacy))}\nWrote the ${format} report to ${flags.out}.\n`);
    } else process.stdout.write(text);
    if (report.items.length > 0) this.exit(2);
  }
}
