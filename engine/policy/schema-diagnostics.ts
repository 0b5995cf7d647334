import type { ErrorObject } from 'ajv';
import { errorDiag, type Diagnostic } from '../model/diagnostics.js';
import { closest } from '../resolve/naming/suggest.js';
import { parsePointer, pointer, type Locator, type PathSeg } from './source-doc.js';

/**
 * ajv errors -> diagnostics a person can act on: each at the offending node (unknown keys at
 * the key, missing keys at the mapping that lacks them), in words rather than schema jargon,
 * with "did you mean" hints. Also says which values were wrong, so normalization can treat
 * them as absent instead of tripping over them and reporting the same mistake twice.
 */

/** Kept in step with common.schema.json: templates are checked (with exact columns) by compileTemplate. */
const TEMPLATE_KEYWORDS = new Set(['pattern', 'minLength']);

/** Keywords whose error means "the value here is unusable". */
const STRUCTURAL = new Set(['required', 'additionalProperties', 'if', 'propertyNames', 'minProperties', 'minItems', 'uniqueItems']);

export interface SchemaFindings {
  diagnostics: Diagnostic[];
  /** Paths of values that failed their schema; normalization treats them as absent. */
  invalid: PathSeg[][];
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'number') return Number.isInteger(v) ? 'a whole number' : 'a number';
  return `a ${typeof v}`;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  null: 'null',
};

function typeWords(t: unknown): string {
  const list = Array.isArray(t) ? t : [t];
  return list.map((x) => TYPE_WORDS[String(x)] ?? String(x)).join(' or ');
}

function label(path: readonly PathSeg[]): string {
  const last = path[path.length - 1];
  if (last === undefined) return 'document';
  return /^\d+$/.test(String(last)) ? `${label(path.slice(0, -1))}[${String(last)}]` : String(last);
}

function hint(word: string, names: readonly string[]): string {
  const near = closest(word, names);
  return near === undefined ? '' : ` Did you mean "${near}"?`;
}

function isTemplateSchema(e: ErrorObject): boolean {
  const ps = e.parentSchema as { patternErrorMessage?: unknown } | undefined;
  return TEMPLATE_KEYWORDS.has(e.keyword) && typeof ps?.patternErrorMessage === 'string' && ps.patternErrorMessage.includes('template');
}

function message(e: ErrorObject, path: readonly PathSeg[]): { code: string; summary: string } | null {
  const p = e.params as Record<string, unknown>;
  const ps = (e.parentSchema ?? {}) as Record<string, unknown>;
  const what = label(path);
  switch (e.keyword) {
    case 'type':
      return { code: 'policy.type', summary: `${what}: expected ${typeWords(p.type)}, found ${kindOf(e.data)}` };
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map((x) => String(x));
      return { code: 'policy.enum', summary: `${what}: ${show(e.data)} is not one of ${allowed.join(', ')}.${hint(String(e.data), allowed)}`.trim() };
    }
    case 'const':
      return { code: 'policy.enum', summary: `${what}: must be ${show(p.allowedValue)}, found ${show(e.data)}` };
    case 'pattern': {
      const why = typeof ps.patternErrorMessage === 'string' ? ps.patternErrorMessage : `must match ${String(p.pattern)}`;
      return { code: 'policy.pattern', summary: `${what}: ${show(e.data)} is not valid: ${why}` };
    }
    case 'format':
      return {
        code: 'policy.format',
        summary:
          p.format === 'date'
            ? `${what}: ${show(e.data)} is not a real date (YYYY-MM-DD)`
            : `${what}: ${show(e.data)} is not a valid ${String(p.format) === 'hostname' ? 'domain name' : String(p.format)}`,
      };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { code: 'policy.range', summary: `${what}: ${show(e.data)} is out of range: must be ${String(p.comparison)} ${String(p.limit)}` };
    case 'minLength':
      return { code: 'policy.schema', summary: `${what}: must not be empty` };
    case 'minItems':
      return { code: 'policy.schema', summary: `${what}: needs at least ${String(p.limit)} item${p.limit === 1 ? '' : 's'}` };
    case 'minProperties':
      return { code: 'policy.schema', summary: `${what}: needs at least ${String(p.limit)} entr${p.limit === 1 ? 'y' : 'ies'}` };
    case 'uniqueItems':
      return { code: 'policy.duplicate', summary: `${what}: items ${String(p.j)} and ${String(p.i)} are the same` };
    case 'if':
    case 'propertyNames':
      return null;
    default:
      return { code: 'policy.schema', summary: `${what}: ${e.message ?? 'is not valid'}` };
  }
}

export function schemaFindings(errors: readonly ErrorObject[], loc: Locator, prefix: readonly PathSeg[] = []): SchemaFindings {
  const diagnostics: Diagnostic[] = [];
  const invalid: PathSeg[][] = [];
  const valueErrorAt = new Set<string>();
  for (const e of errors) {
    const path: PathSeg[] = [...prefix, ...parsePointer(e.instancePath)];
    if (e.keyword === 'additionalProperties') {
      const key = String((e.params as { additionalProperty: unknown }).additionalProperty);
      const props = Object.keys(((e.parentSchema ?? {}) as { properties?: object }).properties ?? {});
      const keyPath = [...path, key];
      const allowed = props.length ? ` Allowed keys: ${props.join(', ')}.` : '';
      diagnostics.push(
        errorDiag('policy.unknown-key', `Unknown key "${key}" in ${label(path)}.${hint(key, props)}${allowed}`, {
          source: loc.key(keyPath),
          path: pointer(keyPath),
        }),
      );
      continue;
    }
    if (e.keyword === 'required') {
      const key = String((e.params as { missingProperty: unknown }).missingProperty);
      diagnostics.push(
        errorDiag('policy.missing-key', `Missing required key "${key}" in ${label(path)}`, { source: loc.value(path), path: pointer(path) }),
      );
      continue;
    }
    if (isTemplateSchema(e)) continue;
    // A bad map key (propertyNames): ajv names it in `propertyName`; point at the key.
    const propertyName = (e as ErrorObject & { propertyName?: string }).propertyName;
    if (propertyName !== undefined) {
      const keyPath = [...path, propertyName];
      const why = typeof (e.parentSchema as { patternErrorMessage?: unknown })?.patternErrorMessage === 'string'
        ? String((e.parentSchema as { patternErrorMessage: string }).patternErrorMessage)
        : (e.message ?? 'not allowed');
      diagnostics.push(errorDiag('policy.pattern', `Invalid name "${propertyName}" in ${label(path)}: ${why}`, { source: loc.key(keyPath), path: pointer(keyPath) }));
      invalid.push(keyPath);
      continue;
    }
    const m = message(e, path);
    if (!m) continue;
    const ptr = pointer(path);
    if (!STRUCTURAL.has(e.keyword)) {
      // One problem per value: `2027-6-1` fails both `pattern` and `format`.
      if (valueErrorAt.has(ptr)) continue;
      valueErrorAt.add(ptr);
      invalid.push(path);
    }
    const at = e.keyword === 'uniqueItems' ? [...path, Number((e.params as { i: unknown }).i)] : path;
    diagnostics.push(errorDiag(m.code, m.summary, { source: loc.value(at), path: pointer(at) }));
  }
  return { diagnostics, invalid };
}

/** A deep copy of `value` without the values at `paths` (array slots become undefined, keeping indices). */
export function withoutInvalid(value: unknown, paths: readonly (readonly PathSeg[])[]): unknown {
  if (paths.length === 0) return value;
  if (paths.some((p) => p.length === 0)) return undefined;
  const copy: unknown = structuredClone(value);
  for (const p of paths) {
    let cur: unknown = copy;
    for (let i = 0; i < p.length - 1 && cur !== undefined && cur !== null; i++) {
      cur = (cur as Record<string, unknown>)[String(p[i])];
    }
    const last = String(p[p.length - 1]);
    if (Array.isArray(cur)) cur[Number(last)] = undefined;
    else if (cur && typeof cur === 'object') delete (cur as Record<string, unknown>)[last];
  }
  return copy;
}
