import { Flags } from '@oclif/core';
import { renderSuiteJson, renderSuiteText } from '../../engine/policytest/report.js';
import { runPolicyTests, suiteOk } from '../../engine/policytest/suite.js';
import { RollcallCommand } from '../base.js';

export default class Test extends RollcallCommand {
  static override description = 'Run the policy repo\'s own tests (tests/*.yaml): inline SIS fixtures and the usernames, paths, groups and lifecycle states they must get.';
  static override examples = ['<%= config.bin %> test --dir examples/maplewood', '<%= config.bin %> test --json'];
  static override flags = {
    json: Flags.boolean({ description: 'print results as JSON', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Test);
    const result = await runPolicyTests({ dir: flags.dir });
    process.stdout.write(flags.json ? renderSuiteJson(result) : renderSuiteText(result));
    if (!suiteOk(result)) this.exit(1);
  }
}
