import { errorDiag, type Diagnostic, type SourceRange } from '../../model/diagnostics.js';
import type { RuleOrigin, Template, TemplateFilter, TemplatePart } from '../../model/policy.js';
import { FILTER_NAMES, FILTER_SPECS, filterSpec } from './filters.js';
import { closest } from './suggest.js';

/**
 * Policy templates: `{preferredGiven|first:1}{family}{gradYear|last:2}`. Literal text between
 * `{...}` expressions; `{{` and `}}` are literal braces. An expression is a field and a chain
 * of filters, `{field|filter:arg:arg|filter}`. Compiled once when the policy loads (every
 * mistake reported with its exact column), rendered per person with no further checks.
 */

/** Fields of a person; which ones exist is fixed here so a typo is caught at validate time. */
export const PERSON_FIELDS: readonly string[] = Object.freeze([
  'given',
  'family',
  'middle',
  'preferredGiven',
  'preferredFamily',
  'middleInitial',
  'identifier',
  'sourcedId',
  'sisUsername',
  'grade',
  'gradYear',
  'school',
  'role',
]);

/** Fields of a class section, for group rules with `forEach: class`. */
export const CLASS_FIELDS: readonly string[] = Object.freeze(['class.code', 'class.title', 'class.sourcedId', 'class.school']);

export const FILTERS: readonly string[] = FILTER_NAMES;

export type TemplateValues = Readonly<Record<string, string>>;

const CODE = 'policy.template';

interface Problem {
  /** 0-based offset into the template text. */
  at: number;
  message: string;
}

/**
 * Where offset `at` of the template sits in the file. The template text starts at
 * `origin.source.column` (plus `quoteOffset`, 1 for a quoted YAML scalar, whose node starts at
 * the quote). Escapes in double-quoted scalars would shift this; templates rarely need them.
 */
function sourceAt(origin: RuleOrigin, at: number, quoteOffset: number): SourceRange | undefined {
  const src = origin.source;
  if (!src) return undefined;
  if (src.line === undefined || src.column === undefined) return { ...src };
  return { file: src.file, line: src.line, column: src.column + quoteOffset + at };
}

function quoteList(names: readonly string[]): string {
  return names.join(', ');
}

function didYouMean(word: string, names: readonly string[]): string {
  const near = closest(word, names);
  return near === undefined ? '' : ` Did you mean "${near}"?`;
}

const FILTER_USAGES = FILTER_NAMES.map((n) => FILTER_SPECS[n]?.usage ?? n);

/** Parses one `{...}` body that starts at offset `start` (just after the `{`). */
function parseExpression(
  text: string,
  body: string,
  start: number,
  fields: readonly string[],
  problems: Problem[],
): TemplatePart | null {
  const segments: { raw: string; at: number }[] = [];
  let segStart = 0;
  for (let i = 0; i <= body.length; i++) {
    if (i === body.length || body[i] === '|') {
      segments.push({ raw: body.slice(segStart, i), at: start + segStart });
      segStart = i + 1;
    }
  }
  const [head, ...rest] = segments;
  if (!head) return null;
  const field = head.raw.trim();
  const fieldAt = head.at + (head.raw.length - head.raw.trimStart().length);
  let ok = true;
  if (field === '') {
    problems.push({ at: start - 1, message: `Empty field in "{${body}}" in template "${text}": name a field, e.g. {family}. Valid fields: ${quoteList(fields)}` });
    ok = false;
  } else if (!fields.includes(field)) {
    problems.push({
      at: fieldAt,
      message: field.includes(':')
        ? `Unknown field "${field}" in template "${text}": filters follow a "|", e.g. {given|first:1}. Valid fields: ${quoteList(fields)}`
        : `Unknown field "${field}" in template "${text}".${didYouMean(field, fields)} Valid fields: ${quoteList(fields)}`,
    });
    ok = false;
  }
  const filters: TemplateFilter[] = [];
  for (const seg of rest) {
    const pieces = seg.raw.split(':');
    const rawName = pieces[0] ?? '';
    const name = rawName.trim();
    const nameAt = seg.at + (rawName.length - rawName.trimStart().length);
    const rawArgs = pieces.slice(1);
    // `{ given | first:1 }` reads naturally; trim arguments unless only spaces were meant (`pad:4: `).
    const args = rawArgs.map((a) => (a.trim() === '' ? a : a.trim()));
    const spec = filterSpec(name);
    if (name === '') {
      problems.push({ at: seg.at - 1, message: `Empty filter after "|" in template "${text}". Valid filters: ${quoteList(FILTER_USAGES)}` });
      ok = false;
      continue;
    }
    if (!spec) {
      problems.push({
        at: nameAt,
        message: `Unknown filter "${name}" in template "${text}".${didYouMean(name, FILTER_NAMES)} Valid filters: ${quoteList(FILTER_USAGES)}`,
      });
      ok = false;
      continue;
    }
    if (args.length < spec.minArgs || args.length > spec.maxArgs) {
      const want =
        spec.minArgs === spec.maxArgs
          ? `${spec.minArgs} argument${spec.minArgs === 1 ? '' : 's'}`
          : `${spec.minArgs} to ${spec.maxArgs} arguments`;
      problems.push({
        at: nameAt,
        message: `Filter "${name}" takes ${want} (${spec.usage}) but was given ${args.length} in template "${text}"`,
      });
      ok = false;
      continue;
    }
    const bad = spec.check(args);
    if (bad) {
      // Offset of argument `bad.arg`: after the name and each earlier `:arg`.
      let at = seg.at + rawName.length + 1;
      for (let k = 0; k < bad.arg; k++) at += (rawArgs[k] ?? '').length + 1;
      const raw = rawArgs[bad.arg] ?? '';
      if (raw.trim() !== '') at += raw.length - raw.trimStart().length;
      problems.push({ at, message: `${bad.message} in template "${text}"` });
      ok = false;
      continue;
    }
    filters.push({ name, args });
  }
  return ok ? { kind: 'field', field, filters } : null;
}

export function compileTemplate(
  text: string,
  origin: RuleOrigin,
  fields: readonly string[],
  quoteOffset = 0,
): { template: Template | null; diagnostics: Diagnostic[] } {
  const problems: Problem[] = [];
  const parts: TemplatePart[] = [];
  let literal = '';
  const flush = (): void => {
    if (literal !== '') parts.push({ kind: 'literal', value: literal });
    literal = '';
  };
  if (text === '') problems.push({ at: 0, message: `Template is empty: write at least one field, e.g. "{family}"` });
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '{' && text[i + 1] === '{') {
      literal += '{';
      i += 2;
    } else if (ch === '}' && text[i + 1] === '}') {
      literal += '}';
      i += 2;
    } else if (ch === '}') {
      problems.push({ at: i, message: `Unmatched "}" in template "${text}": write "}}" for a literal brace` });
      i += 1;
    } else if (ch === '{') {
      const close = text.indexOf('}', i + 1);
      const nested = text.indexOf('{', i + 1);
      if (close === -1) {
        problems.push({ at: i, message: `Unclosed "{" in template "${text}": end the field with "}", or write "{{" for a literal brace` });
        break;
      }
      if (nested !== -1 && nested < close) {
        problems.push({ at: nested, message: `Unexpected "{" inside a field expression in template "${text}": close the previous "{" first, or write "{{" for a literal brace` });
        i = close + 1;
        continue;
      }
      flush();
      const part = parseExpression(text, text.slice(i + 1, close), i + 1, fields, problems);
      if (part) parts.push(part);
      i = close + 1;
    } else {
      literal += ch;
      i += 1;
    }
  }
  flush();
  const diagnostics = problems.map((p) =>
    errorDiag(CODE, p.message, {
      ...(sourceAt(origin, p.at, quoteOffset) ? { source: sourceAt(origin, p.at, quoteOffset) } : {}),
      detail: `${text}\n${' '.repeat(p.at)}^ (${origin.id})`,
    }),
  );
  return { template: diagnostics.length === 0 ? { text, parts, origin } : null, diagnostics };
}

/** Values a person may leave empty that have a natural stand-in. */
const FALLBACKS: Readonly<Record<string, (v: TemplateValues) => string>> = {
  preferredGiven: (v) => v.given ?? '',
  preferredFamily: (v) => v.family ?? '',
  middleInitial: (v) => (v.middle ?? '').trim().slice(0, 1),
};

/** The fields each fallback reads: a cache keyed by template inputs must include them. */
export const FALLBACK_SOURCES: Readonly<Record<string, readonly string[]>> = {
  preferredGiven: ['given'],
  preferredFamily: ['family'],
  middleInitial: ['middle'],
};

const NON_ASCII = /[\u0080-\uffff]/;

function valueOf(field: string, values: TemplateValues): string {
  let v = Object.hasOwn(values, field) ? (values[field] ?? '') : '';
  if (v.trim() === '' && Object.hasOwn(FALLBACKS, field)) v = FALLBACKS[field]?.(values) ?? '';
  // NFC so `first:N` counts what a person sees: `e` + combining acute is one character.
  return NON_ASCII.test(v) ? v.normalize('NFC') : v;
}

/** One part of a template, filters applied; for callers that judge parts apart (usernames). */
export function renderPart(part: TemplatePart, values: TemplateValues): string {
  if (part.kind === 'literal') return part.value;
  let v = valueOf(part.field, values);
  for (const f of part.filters) {
    const spec = filterSpec(f.name);
    // Compiled templates only hold known filters; a hand-built one with a typo renders unfiltered.
    if (spec) v = spec.apply(v, f.args);
  }
  return v;
}

export function renderTemplate(t: Template, values: TemplateValues): string {
  let out = '';
  for (const part of t.parts) out += renderPart(part, values);
  return out;
}
