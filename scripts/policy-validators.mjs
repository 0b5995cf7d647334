// Precompiles the policy JSON Schemas into standalone ajv validators
// (dist/engine/policy/policy-validators.js), so a run imports them instead of compiling:
// compiling costs more than the rest of loading a policy. Run after `tsc` (npm run build).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { policyValidatorsSource } = await import(join(root, 'dist/engine/policy/precompile.js'));
writeFileSync(join(root, 'dist/engine/policy/policy-validators.js'), policyValidatorsSource());
console.log('policy-validators.js written');
