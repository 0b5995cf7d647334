import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { newAjv } from '../model/ajv-load.js';
import { type Diagnostic, errorDiag } from '../model/diagnostics.js';
import { InputError } from '../model/errors.js';
import type { JournalEntry, StateDocument } from '../model/state.js';

/**
 * Validation of state documents and journal entries against schemas/state.schema.json, on
 * every read (a hand-edited or corrupt state must stop a run, not steer it) and before every
 * write (a backend must never store what it could not read back).
 */

const SCHEMA_FILE = 'state.schema.json';

/** Walk up from this module: the schema sits in `schemas/` at the package root both in the
 * source tree (engine/state) and in the build (dist/engine/state). */
function findSchemaPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'schemas', SCHEMA_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find schemas/${SCHEMA_FILE} above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

interface Validators {
  state: ValidateFunction;
  journal: ValidateFunction;
  registryEntry: ValidateFunction;
  person: ValidateFunction;
  attrs: ValidateFunction;
}

/** Each validator's schema reference within the state schema (added under the id `state`). */
export const STATE_VALIDATOR_REFS: Readonly<Record<keyof Validators, string>> = {
  state: 'state',
  journal: 'state#/definitions/JournalEntry',
  registryEntry: 'state#/definitions/RegistryEntry',
  person: 'state#/definitions/PersonState',
  attrs: 'state#/definitions/AccountAttrs',
};

/**
 * The one ajv configuration for the state schema, used to compile at run time and, with
 * `source`, by the build to precompile standalone validators (engine/state/precompile.ts).
 */
export function stateAjv(opts: { source?: boolean } = {}): Ajv {
  const schema: unknown = JSON.parse(readFileSync(findSchemaPath(), 'utf8'));
  const ajv = newAjv({ allErrors: true, strict: true, ...(opts.source ? { code: { source: true, esm: true } } : {}) });
  ajv.addSchema(schema as object, 'state');
  return ajv;
}

/**
 * Validators precompiled by the build (dist only): compiling the state schema took 60-70 ms
 * of every command that reads state, a fifth of a 1,000-person plan. Running from source
 * (tests), the module is absent and the schema compiles on first use instead.
 */
const PRECOMPILED = './state-validators.js';
const precompiled = (await import(PRECOMPILED).catch(() => null)) as Partial<Validators> | null;

let cached: Validators | undefined;

function validators(): Validators {
  if (cached) return cached;
  const pre = precompiled;
  if (pre?.state && pre.journal && pre.registryEntry && pre.person && pre.attrs) {
    cached = { state: pre.state, journal: pre.journal, registryEntry: pre.registryEntry, person: pre.person, attrs: pre.attrs };
    return cached;
  }
  const ajv = stateAjv();
  const get = (name: keyof Validators): ValidateFunction => {
    const v = ajv.getSchema(STATE_VALIDATOR_REFS[name]);
    if (!v) throw new Error('state schema failed to compile');
    return v;
  };
  cached = { state: get('state'), journal: get('journal'), registryEntry: get('registryEntry'), person: get('person'), attrs: get('attrs') };
  return cached;
}

function toDiagnostics(errors: ErrorObject[] | null | undefined, file: string, line: number | undefined, prefix: string): Diagnostic[] {
  return (errors ?? []).map((e) =>
    errorDiag(`state.schema`, `${prefix}${e.instancePath || '/'} ${e.message ?? 'is invalid'}`, {
      source: line === undefined ? { file } : { file, line },
      path: e.instancePath || '/',
    }),
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function pointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Past this many, a broken state's report says enough; checking stops. */
const MAX_DIAGNOSTICS = 50;

/**
 * Checks of the entries of the big maps (registry, people, last_applied), one at a time,
 * so a reader can check each entry as it parses it instead of walking a million-key map again.
 */
export class EntryChecks {
  readonly errors: ErrorObject[] = [];
  private readonly v = validators();

  /** `base` is the JSON pointer of the map: /registry, /people or /last_applied/<target>. */
  check(base: string, key: string, value: unknown): void {
    if (this.errors.length >= MAX_DIAGNOSTICS) return;
    const v = base === '/registry' ? this.v.registryEntry : base === '/people' ? this.v.person : this.v.attrs;
    if (!v(value)) for (const e of v.errors ?? []) this.errors.push({ ...e, instancePath: `${base}/${pointer(key)}${e.instancePath}` });
  }

  map(base: string, map: Record<string, unknown>): void {
    for (const key of Object.keys(map)) this.check(base, key, map[key]);
  }
}

export function mapPointer(section: 'registry' | 'people' | 'last_applied', target?: string): string {
  return target === undefined ? `/${section}` : `/${section}/${pointer(target)}`;
}

/**
 * Diagnostics for a state document; empty when valid. The whole-document schema runs on a
 * shell with the big maps emptied, then each map entry is checked against its definition:
 * the same rules as validating the document at once, but with paths built only for the
 * entries that fail, and a report capped at MAX_DIAGNOSTICS for a state that is broken throughout.
 * `checked` holds the entry checks a reader already made while parsing; the maps are then
 * not walked again.
 */
export function stateDiagnostics(doc: unknown, file: string, checked?: EntryChecks): Diagnostic[] {
  const v = validators();
  if (!isObject(doc)) return v.state(doc) ? [] : toDiagnostics(v.state.errors, file, undefined, 'state document ');
  const registry = doc.registry;
  const people = doc.people;
  const lastApplied = doc.last_applied;
  const shell: Record<string, unknown> = { ...doc };
  if (isObject(registry)) shell.registry = {};
  if (isObject(people)) shell.people = {};
  if (isObject(lastApplied)) shell.last_applied = Object.fromEntries(Object.entries(lastApplied).map(([t, m]) => [t, isObject(m) ? {} : m]));
  const errors: ErrorObject[] = v.state(shell) ? [] : [...(v.state.errors ?? [])];
  let entries = checked;
  if (entries === undefined) {
    entries = new EntryChecks();
    if (isObject(registry)) entries.map(mapPointer('registry'), registry);
    if (isObject(people)) entries.map(mapPointer('people'), people);
    if (isObject(lastApplied)) for (const [t, m] of Object.entries(lastApplied)) if (isObject(m)) entries.map(mapPointer('last_applied', t), m);
  }
  errors.push(...entries.errors);
  return toDiagnostics(errors.slice(0, MAX_DIAGNOSTICS), file, undefined, 'state document ');
}

/** Diagnostics for one journal entry; `line` is its line in a JSONL file, when it has one. */
export function journalDiagnostics(entry: unknown, file: string, line?: number): Diagnostic[] {
  const v = validators().journal;
  return v(entry) ? [] : toDiagnostics(v.errors, file, line, 'journal entry ');
}

function invalidState(diags: Diagnostic[], file: string): InputError {
  return new InputError(diags, `invalid state in ${file}:\n${diags.map((d) => `  ${d.summary}`).join('\n')}`);
}

export function assertStateDocument(doc: unknown, file: string, checked?: EntryChecks): StateDocument {
  const diags = stateDiagnostics(doc, file, checked);
  if (diags.length > 0) throw invalidState(diags, file);
  return doc as StateDocument;
}

/**
 * The error assertStateDocument would raise for these entries' failures alone: for a reader
 * that checks entries when they are first used (lazy-section.ts), after the document passed.
 */
export function throwEntryErrors(checks: EntryChecks, file: string): never {
  throw invalidState(toDiagnostics(checks.errors.slice(0, MAX_DIAGNOSTICS), file, undefined, 'state document '), file);
}

export function assertJournalEntry(entry: unknown, file: string, line?: number): JournalEntry {
  const diags = journalDiagnostics(entry, file, line);
  if (diags.length > 0) throw new InputError(diags);
  return entry as JournalEntry;
}

/**
 * JSON.parse with the error turned into a diagnostic at the right line and column.
 * `firstLine` is the line `text` starts on, for one line of a JSON Lines file.
 */
export function parseJsonAt(text: string, file: string, firstLine?: number): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const pos = /position (\d+)/.exec(msg);
    let line: number | undefined;
    let column: number | undefined;
    if (pos?.[1] !== undefined) {
      const before = text.slice(0, Number(pos[1]));
      const lines = before.split('\n');
      line = lines.length + (firstLine ?? 1) - 1;
      column = (lines[lines.length - 1] ?? '').length + 1;
    } else {
      line = firstLine;
    }
    const source = line === undefined ? { file } : column === undefined ? { file, line } : { file, line, column };
    throw new InputError([errorDiag('state.corrupt', `corrupt state file: ${msg}`, { source })]);
  }
}
