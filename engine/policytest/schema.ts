import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import schema from '../../schemas/policytest.schema.json' with { type: 'json' };

/** schemas/policytest.schema.json, compiled once; the same file editors use via `$schema=`. */

let compiled: ValidateFunction | null = null;

export function validateTestFile(value: unknown): ErrorObject[] {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
    ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
    compiled = ajv.compile(schema);
  }
  return compiled(value) ? [] : [...(compiled.errors ?? [])];
}
