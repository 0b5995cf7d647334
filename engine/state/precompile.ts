import standaloneCode from 'ajv/dist/standalone/index.js';
import { STATE_VALIDATOR_REFS, stateAjv } from './schema.js';

/**
 * The source of an ES module exporting the state schema's standalone validators (state,
 * journal entry and the entries of the big maps), compiled with the run-time options
 * (stateAjv). The build writes it next to schema.js (scripts/policy-validators.mjs); nothing at
 * run time imports this module.
 */
export function stateValidatorsSource(): string {
  const code = standaloneCode.default(stateAjv({ source: true }), { ...STATE_VALIDATOR_REFS });
  // The generated code loads ajv's runtime helpers and formats with require().
  return "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n" + code;
}
