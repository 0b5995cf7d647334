import { createRequire } from 'node:module';
import type { Ajv } from 'ajv';

/**
 * ajv and its formats, loaded when something must compile a schema. Runs use validators the
 * build precompiled (policy and state), which need only ajv's small runtime helpers; loading
 * the library itself took ~25 ms of every command that reads policy or state.
 */
export function newAjv(options: ConstructorParameters<typeof Ajv>[0], formats?: readonly string[]): Ajv {
  const require = createRequire(import.meta.url);
  const { Ajv: AjvClass } = require('ajv') as typeof import('ajv');
  const addFormats = (require('ajv-formats') as typeof import('ajv-formats')).default;
  const ajv = new AjvClass(options);
  // ajv-formats' own type for the list is a union of its format names; any string it does not know throws.
  if (formats) addFormats(ajv, formats as Parameters<typeof addFormats>[1]);
  else addFormats(ajv);
  return ajv;
}
