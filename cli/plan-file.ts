import { readFileSync } from 'node:fs';
import type { PlanDocument } from '../engine/model/plan.js';
import { InputError } from '../engine/model/errors.js';

/**
 * Read a saved plan; a missing or unparsable file is an input error naming the file (and the
 * line, when the file is in rollcall's one-change-per-line layout).
 *
 * A district's first plan can be larger than V8's biggest string (~512 MB), so the file is
 * read as bytes and parsed line by line in the layout `writePlanJson` writes; small files
 * and other layouts (a plan re-serialized by another tool) go through JSON.parse.
 */
export function readPlanFile(path: string, maxTextBytes = 256 << 20): PlanDocument {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new InputError([{ severity: 'error', code: 'plan.read', summary: `cannot read plan file: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, source: { file: path } }]);
  }
  const bad = (message: string, line?: number): InputError =>
    new InputError([{ severity: 'error', code: 'plan.parse', summary: `not a rollcall plan: ${message}`, source: line === undefined ? { file: path } : { file: path, line } }]);
  let doc: unknown;
  if (bytes.length <= maxTextBytes) {
    try {
      doc = JSON.parse(bytes.toString('utf8'));
    } catch (e) {
      throw bad((e as Error).message);
    }
  } else doc = parseByLines(bytes, bad);
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as PlanDocument).changes)) throw bad('not a plan');
  return doc as PlanDocument;
}

/**
 * The saved-plan layout: `{`, then one `"key": value` per line, except `changes` and
 * `state_updates`, whose items sit one per line; commas end lines. JSON text never holds a
 * raw newline, so every line is whole.
 */
function parseByLines(bytes: Buffer, bad: (message: string, line?: number) => InputError): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  let array: unknown[] | null = null;
  let lineNo = 0;
  let start = 0;
  let closed = false;
  while (start < bytes.length) {
    let end = bytes.indexOf(10, start);
    if (end < 0) end = bytes.length;
    lineNo++;
    let line = bytes.toString('utf8', start, end);
    start = end + 1;
    if (line.endsWith(',')) line = line.slice(0, -1);
    try {
      if (lineNo === 1) {
        if (line !== '{') throw new Error('expected "{"');
      } else if (array) {
        if (line === ']') array = null;
        else array.push(JSON.parse(line));
      } else if (line === '}') closed = true;
      else if (line !== '' || !closed) {
        const colon = line.indexOf('": ');
        if (!line.startsWith('"') || colon < 0) throw new Error('expected "key": value');
        const key = JSON.parse(line.slice(0, colon + 1)) as string;
        const rest = line.slice(colon + 3);
        if (rest === '[' && (key === 'changes' || key === 'state_updates')) doc[key] = array = [];
        else if (rest !== '[') doc[key] = JSON.parse(rest);
        else throw new Error(`unexpected array for ${key}`);
      }
    } catch (e) {
      throw bad(`${(e as Error).message} (the file is too large to read as one JSON text, so it must keep the layout rollcall wrote)`, lineNo);
    }
  }
  if (!closed || array) throw bad('the file ends early', lineNo);
  return doc;
}
