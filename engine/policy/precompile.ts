import standaloneCode from 'ajv/dist/standalone/index.js';
import { policyAjv, SCHEMA_NAMES, schemaFileName } from './schemas.js';

/**
 * The source of an ES module exporting one standalone validator per policy schema, compiled
 * with the run-time options (policyAjv). The build writes it next to schemas.js
 * (scripts/policy-validators.mjs); nothing at run time imports this module.
 */
export function policyValidatorsSource(): string {
  const code = standaloneCode.default(policyAjv({ source: true }), Object.fromEntries(SCHEMA_NAMES.map((n) => [n, schemaFileName(n)])));
  // The generated code loads ajv's runtime helpers and formats with require().
  return "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n" + code;
}
