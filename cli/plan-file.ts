import { readFileSync } from 'node:fs';
import type { PlanDocument } from '../engine/model/plan.js';
import { InputError } from '../engine/model/errors.js';

/** Read a saved plan; a missing or unparsable file is an input error naming the file. */
export function readPlanFile(path: string): PlanDocument {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError([{ severity: 'error', code: 'plan.read', summary: `cannot read plan file: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, source: { file: path } }]);
  }
  try {
    const doc = JSON.parse(text) as PlanDocument;
    if (typeof doc !== 'object' || doc === null || !Array.isArray(doc.changes)) throw new Error('not a plan');
    return doc;
  } catch (e) {
    throw new InputError([{ severity: 'error', code: 'plan.parse', summary: `not a rollcall plan: ${(e as Error).message}`, source: { file: path } }]);
  }
}
