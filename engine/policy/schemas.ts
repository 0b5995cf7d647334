import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { newAjv } from '../model/ajv-load.js';
import common from '../../schemas/common.schema.json' with { type: 'json' };
import groups from '../../schemas/groups.schema.json' with { type: 'json' };
import lifecycle from '../../schemas/lifecycle.schema.json' with { type: 'json' };
import naming from '../../schemas/naming.schema.json' with { type: 'json' };
import passwords from '../../schemas/passwords.schema.json' with { type: 'json' };
import placement from '../../schemas/placement.schema.json' with { type: 'json' };
import rollcall from '../../schemas/rollcall.schema.json' with { type: 'json' };
import safety from '../../schemas/safety.schema.json' with { type: 'json' };
import correlation from '../../schemas/correlation.schema.json' with { type: 'json' };
import exclusions from '../../schemas/exclusions.schema.json' with { type: 'json' };
import overrides from '../../schemas/overrides.schema.json' with { type: 'json' };
import decisions from '../../schemas/decisions.schema.json' with { type: 'json' };
import type { SectionName } from './sections.js';

/**
 * The policy JSON Schemas (schemas/*.schema.json, the same files editors use through the
 * `# yaml-language-server: $schema=` line), compiled once with ajv. Imported as JSON modules
 * so the compiled CLI carries them without looking for files at run time.
 */

export type SchemaName = 'rollcall' | SectionName | 'decisions';

const SCHEMAS: Record<SchemaName | 'common', object> = { common, rollcall, naming, placement, groups, lifecycle, safety, passwords, correlation, exclusions, overrides, decisions };

/** File name of each schema, as `$ref`s and `$schema=` lines name them. */
export function schemaFileName(name: SchemaName | 'common'): string {
  return `${name}.schema.json`;
}

/** The policy schemas that validate a document (common holds shared definitions). */
export const SCHEMA_NAMES = Object.keys(SCHEMAS).filter((n) => n !== 'common') as SchemaName[];

/**
 * The one ajv configuration, used to compile at run time and, with `source`, by
 * scripts/policy-validators.mjs to precompile standalone validators at build time.
 */
export function policyAjv(opts: { source?: boolean } = {}): Ajv {
  // allErrors: one run reports every problem; verbose: errors carry their schema, for messages.
  const ajv = newAjv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true, ...(opts.source ? { code: { source: true, esm: true } } : {}) }, ['date', 'hostname']);
  // VS Code / yaml-language-server show this instead of the raw regex; we do the same.
  ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
  for (const [n, schema] of Object.entries(SCHEMAS)) ajv.addSchema(schema, schemaFileName(n as SchemaName));
  return ajv;
}

/**
 * Validators precompiled by the build (dist only): compiling the schemas costs more than the
 * rest of loading a policy. Running from source (tests), the module is absent and each schema
 * compiles on first use instead.
 */
const PRECOMPILED = './policy-validators.js';
const precompiled = (await import(PRECOMPILED).catch(() => null)) as Partial<Record<SchemaName, ValidateFunction>> | null;

let ajv: Ajv | null = null;
const compiled = new Map<SchemaName, ValidateFunction>();

function validatorFor(name: SchemaName): ValidateFunction {
  let v = compiled.get(name) ?? precompiled?.[name];
  if (v) return v;
  ajv ??= policyAjv();
  v = ajv.getSchema(schemaFileName(name));
  if (!v) throw new Error(`schema ${name} did not compile`);
  compiled.set(name, v);
  return v;
}

/** Validate one document against its schema; [] when valid. */
export function validateAgainst(name: SchemaName, value: unknown): ErrorObject[] {
  const v = validatorFor(name);
  return v(value) ? [] : [...(v.errors ?? [])];
}
