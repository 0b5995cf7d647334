// Precompiles the policy and state JSON Schemas into standalone ajv validators
// (dist/engine/policy/policy-validators.js, dist/engine/state/state-validators.js), so a run
// imports them instead of compiling: compiling costs more than the rest of loading a policy,
// and a fifth of a small district's plan for the state schema. Run after `tsc` (npm run build).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { policyValidatorsSource } = await import(join(root, 'dist/engine/policy/precompile.js'));
writeFileSync(join(root, 'dist/engine/policy/policy-validators.js'), policyValidatorsSource());
const { stateValidatorsSource } = await import(join(root, 'dist/engine/state/precompile.js'));
writeFileSync(join(root, 'dist/engine/state/state-validators.js'), stateValidatorsSource());
console.log('policy-validators.js and state-validators.js written');
