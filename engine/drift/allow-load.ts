import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import schema from '../../schemas/drift-allow.schema.json' with { type: 'json' };
import { errorDiag, hasErrors, type Diagnostic } from '../model/diagnostics.js';
import { InputError } from '../model/errors.js';
import { schemaCommentDiagnostics } from '../policy/schema-comment.js';
import { schemaFindings } from '../policy/schema-diagnostics.js';
import { pointer } from '../policy/source-doc.js';
import { parseYamlDoc } from '../policy/yaml-doc.js';
import type { DriftAllowEntry, DriftAllowPolicy } from './allow.js';
import { DRIFT_CATEGORIES, type DriftCategory } from './model.js';

/**
 * Loads `policy/drift-allow.yaml` (or `.yml`): optional, so a repo without one has no
 * exceptions. The YAML keeps node positions, so every schema error names its file, line
 * and column like the rest of the policy; one read reports every mistake.
 */

export const DRIFT_ALLOW_FILES = ['policy/drift-allow.yaml', 'policy/drift-allow.yml'] as const;

let validator: ValidateFunction | null = null;
function validate(value: unknown): ErrorObject[] {
  if (!validator) {
    // strictRequired off: `anyOf: [{required: [target]}, ...]` names properties declared one level up.
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true });
    addFormats.default(ajv, ['date']);
    validator = ajv.compile(schema);
  }
  return validator(value) ? [] : [...(validator.errors ?? [])];
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Parse and validate the text of a drift-allow file. Pure: text in, data and diagnostics out. */
export function parseDriftAllow(file: string, text: string): { allow: DriftAllowPolicy; diagnostics: Diagnostic[] } {
  const doc = parseYamlDoc(file, text);
  const diagnostics: Diagnostic[] = [...doc.diagnostics, ...schemaCommentDiagnostics(file, text, 'drift-allow.schema.json')];
  if (doc.value === undefined) return { allow: { file, privilegedGroups: [], allow: [] }, diagnostics };
  const errors = validate(doc.value);
  // `anyOf` of `required`s means "give at least one selector": one message, not six.
  const selectorless = errors.filter((e) => e.keyword === 'anyOf');
  const rest = errors.filter((e) => e.keyword !== 'anyOf' && !e.schemaPath.includes('/anyOf/'));
  diagnostics.push(...schemaFindings(rest, doc.locator).diagnostics);
  for (const e of selectorless) {
    const path = e.instancePath.split('/').slice(1);
    diagnostics.push(errorDiag('drift.allow-selector', 'An allow entry needs at least one selector: target, anchor, username, group or path', { source: doc.locator.value(path), path: pointer(path) }));
  }
  if (hasErrors(diagnostics)) return { allow: { file, privilegedGroups: [], allow: [] }, diagnostics };

  const raw = doc.value as { privilegedGroups?: string[]; allow?: Record<string, string>[] };
  const allow: DriftAllowEntry[] = (raw.allow ?? []).map((e, index) => {
    const entry: DriftAllowEntry = { index, category: e.category as DriftCategory, reason: e.reason ?? '', expires: e.expires ?? '', source: doc.locator.value(['allow', index]) };
    for (const k of ['target', 'anchor', 'username', 'group', 'path'] as const) if (e[k] !== undefined) entry[k] = e[k];
    return entry;
  });
  // The schema's enum and this list must agree; a mismatch is a bug, not a user error.
  for (const a of allow) if (!DRIFT_CATEGORIES.includes(a.category)) throw new Error(`drift-allow schema accepts unknown category ${a.category}`);
  return { allow: { file, privilegedGroups: [...(raw.privilegedGroups ?? [])].sort(), allow }, diagnostics };
}

/** Reads the repo's drift allow-list; throws InputError (every diagnostic) when it is invalid. */
export async function loadDriftAllow(dir: string): Promise<{ allow: DriftAllowPolicy; diagnostics: Diagnostic[] }> {
  for (const rel of DRIFT_ALLOW_FILES) {
    const text = await readOptional(join(dir, ...rel.split('/')));
    if (text === null) continue;
    const parsed = parseDriftAllow(rel, text);
    if (hasErrors(parsed.diagnostics)) throw new InputError(parsed.diagnostics);
    return parsed;
  }
  return { allow: { file: null, privilegedGroups: [], allow: [] }, diagnostics: [] };
}
