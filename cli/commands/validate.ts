import { Flags } from '@oclif/core';
import { resolve } from 'node:path';
import { hasErrors } from '../../engine/model/diagnostics.js';
import { loadPolicy } from '../../engine/policy/load.js';
import { formatValidateJson, formatValidateText } from '../../engine/policy/validate-report.js';
import { RollcallCommand } from '../base.js';
import { emitAnnotations, githubMode } from '../github.js';

export default class Validate extends RollcallCommand {
  static override description = 'Load and validate the policy repo; report every error with file:line:col.';
  static override examples = ['<%= config.bin %> validate --dir examples/maplewood', '<%= config.bin %> validate --json'];
  static override flags = {
    json: Flags.boolean({ description: 'machine-readable diagnostics', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Validate);
    const { diagnostics } = await loadPolicy(resolve(flags.dir));
    process.stdout.write(flags.json ? formatValidateJson(diagnostics) : formatValidateText(diagnostics));
    if (githubMode(undefined)) emitAnnotations(diagnostics, resolve(flags.dir));
    if (hasErrors(diagnostics)) this.exit(1);
  }
}
