import type { Diagnostic, SourceRange } from '../model/diagnostics.js';

/**
 * One policy document after parsing (YAML or CUE), before schema validation: its JSON value
 * and a locator that maps a path inside the value back to the file. Everything downstream
 * (schema errors, template columns, cross-references) asks the locator, so YAML and CUE
 * diagnostics read the same even though CUE can only locate approximately.
 */

export type PathSeg = string | number;

export interface Locator {
  /** The file, relative to the policy repo. */
  readonly file: string;
  /** Where the value at `path` starts; the nearest existing ancestor when it does not exist. */
  value(path: readonly PathSeg[]): SourceRange;
  /** Where the key of the property at `path` is written (for unknown or duplicate keys). */
  key(path: readonly PathSeg[]): SourceRange;
  /**
   * Where a string scalar starts (its first character, a quote for quoted scalars) and how many
   * characters precede its content, so template columns land on the exact character.
   */
  scalar(path: readonly PathSeg[]): { source: SourceRange; quoteOffset: number };
}

export interface SourceDoc {
  /** Relative path, `/`-separated. */
  path: string;
  /** The document as JSON data; undefined when it could not be parsed. */
  value: unknown;
  locator: Locator;
  /** Syntax errors and warnings found while parsing. */
  diagnostics: Diagnostic[];
}

/** A view of `inner` rooted at `prefix`, for sections written inline in rollcall.yaml. */
export function subLocator(inner: Locator, prefix: readonly PathSeg[]): Locator {
  return {
    file: inner.file,
    value: (p) => inner.value([...prefix, ...p]),
    key: (p) => inner.key([...prefix, ...p]),
    scalar: (p) => inner.scalar([...prefix, ...p]),
  };
}

/** JSON pointer (RFC 6901) of a path, as diagnostics' `path` shows it. */
export function pointer(path: readonly PathSeg[]): string {
  return path.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** The path segments of a JSON pointer such as ajv's `instancePath`. */
export function parsePointer(ptr: string): string[] {
  if (ptr === '') return [];
  return ptr
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
