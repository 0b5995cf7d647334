import { errorDiag, type SourceRange } from '../model/diagnostics.js';
import { lineCol, locateCue } from './cue-locate.js';
import type { Locator, SourceDoc } from './source-doc.js';

/**
 * CUE policy files (issue #3): evaluated in-process by cue-wasm (CUE v0.4.3), loaded lazily so
 * YAML-only repos never pay its ~1 s start-up. The JSON it exports then goes through the same
 * schemas and normalizer as YAML. Limits: CUE reports only its first error, without a
 * position, so a CUE error is located by the field path in its message when it has one; and
 * positions of schema errors are found by scanning the source (see cue-locate.ts).
 */

interface CueApi {
  toJSON(cue: string): string;
}

let api: Promise<CueApi> | null = null;

async function cue(): Promise<CueApi> {
  api ??= import('cue-wasm').then((m) => m.init());
  return api;
}

export function cueLocator(file: string, text: string): Locator {
  const at = (offset: number): SourceRange => ({ file, ...lineCol(text, offset) });
  return {
    file,
    value: (path) => at(locateCue(text, path).offset),
    key: (path) => {
      const s = locateCue(text, path);
      return at(s.found && s.key !== null ? s.key : s.offset);
    },
    scalar: (path) => {
      const s = locateCue(text, path);
      const quoted = s.found && (text[s.offset] === '"' || text[s.offset] === "'");
      return { source: at(s.offset), quoteOffset: quoted ? 1 : 0 };
    },
  };
}

/** `naming.usernames.0.templates: conflicting values ...` -> the path before the colon. */
function errorPath(message: string): string[] | null {
  const m = /^([A-Za-z0-9_$#."-]+): /.exec(message);
  if (!m || m[1] === 'cue') return null;
  return (m[1] ?? '').split('.').map((s) => s.replace(/^"|"$/g, ''));
}

export async function parseCueDoc(file: string, text: string): Promise<SourceDoc> {
  const locator = cueLocator(file, text);
  const engine = await cue();
  try {
    const value: unknown = JSON.parse(engine.toJSON(text));
    return { path: file, value: value ?? {}, locator, diagnostics: [] };
  } catch (e) {
    const message = (typeof e === 'string' ? e : e instanceof Error ? e.message : String(e)).replace(/^cue: /, '').split('\n')[0] ?? '';
    const path = errorPath(message);
    const spot = path ? locateCue(text, path) : null;
    const source: SourceRange = spot?.found ? { file, ...lineCol(text, spot.key ?? spot.offset) } : { file };
    return { path: file, value: undefined, locator, diagnostics: [errorDiag('policy.cue', `CUE: ${message}`, { source })] };
  }
}
