import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node, type Pair } from 'yaml';
import { errorDiag, warningDiag, type Diagnostic, type SourceRange } from '../model/diagnostics.js';
import type { Locator, PathSeg, SourceDoc } from './source-doc.js';
import { unclosedOpener } from './yaml-unclosed.js';

/**
 * YAML text -> SourceDoc, keeping every node's position (parseDocument + LineCounter) so each
 * diagnostic can name the line and column of the node it is about. YAML 1.2 core schema:
 * `2027-06-12` stays a string, `01` becomes the number 1 (the grade schema allows for that).
 */

interface Step {
  node: Node | null;
  pair: Pair | null;
}

function keyText(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

/** Walks `path` as far as it exists; returns the deepest node and the pair holding it. */
function walk(doc: Document, path: readonly PathSeg[]): { found: boolean; last: Step } {
  let cur: Step = { node: (doc.contents as Node | null) ?? null, pair: null };
  for (const seg of path) {
    const n = cur.node;
    let next: Step | null = null;
    if (isMap(n)) {
      const pair = n.items.find((p) => keyText(p) === String(seg));
      if (pair) next = { node: (pair.value as Node | null) ?? null, pair };
    } else if (isSeq(n)) {
      const item = n.items[Number(seg)];
      if (item !== undefined) next = { node: item as Node, pair: null };
    }
    if (!next) return { found: false, last: cur };
    cur = next;
  }
  return { found: true, last: cur };
}

function offsetOf(step: Step): number {
  if (step.node?.range) return step.node.range[0];
  const key = step.pair?.key as Node | undefined;
  return key?.range?.[0] ?? 0;
}

/** Offset of the first content character of a block scalar (`|` / `>`): the next line's text. */
function blockContentStart(text: string, start: number): number {
  const nl = text.indexOf('\n', start);
  if (nl === -1) return start;
  let i = nl + 1;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return i;
}

export function yamlLocator(file: string, text: string, doc: Document, lc: LineCounter): Locator {
  const at = (offset: number): SourceRange => {
    const { line, col } = lc.linePos(offset);
    return { file, line, column: col };
  };
  return {
    file,
    value: (path) => at(offsetOf(walk(doc, path).last)),
    key: (path) => {
      const { found, last } = walk(doc, path);
      const key = last.pair?.key as Node | undefined;
      if (found && key?.range) return at(key.range[0]);
      return at(offsetOf(last));
    },
    scalar: (path) => {
      const { last } = walk(doc, path);
      const n = last.node;
      if (isScalar(n) && n.range) {
        if (n.type === 'QUOTE_DOUBLE' || n.type === 'QUOTE_SINGLE') return { source: at(n.range[0]), quoteOffset: 1 };
        if (n.type === 'BLOCK_LITERAL' || n.type === 'BLOCK_FOLDED') return { source: at(blockContentStart(text, n.range[0])), quoteOffset: 0 };
        return { source: at(n.range[0]), quoteOffset: 0 };
      }
      return { source: at(offsetOf(last)), quoteOffset: 0 };
    },
  };
}

export function parseYamlDoc(file: string, text: string): SourceDoc {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const locator = yamlLocator(file, text, doc, lc);
  const diagnostics: Diagnostic[] = [];
  const where = (offset: number): SourceRange => {
    const { line, col } = lc.linePos(offset);
    return { file, line, column: col };
  };
  // One syntax mistake usually makes the parser complain several times further on; the first
  // complaint is the one to act on (as yamllint does). Duplicate keys are independent mistakes.
  const dupes = doc.errors.filter((e) => e.code === 'DUPLICATE_KEY');
  const syntax = doc.errors.filter((e) => e.code !== 'DUPLICATE_KEY').sort((a, b) => a.pos[0] - b.pos[0]);
  const first = syntax[0];
  if (first) {
    const more = syntax.length - 1;
    const opener = /end with an? [}\]]/.test(first.message) ? unclosedOpener(text, first.pos[0]) : null;
    const summary =
      opener !== null
        ? `YAML: this "${text[opener] ?? ''}" is never closed: end the flow ${text[opener] === '{' ? 'mapping with "}"' : 'sequence with "]"'} on the same line or indent its continuation`
        : `YAML: ${firstLine(first.message)}`;
    diagnostics.push(
      errorDiag('policy.yaml-syntax', summary, {
        source: where(opener ?? first.pos[0]),
        ...(more > 0 ? { detail: `${more} further YAML error${more === 1 ? '' : 's'} in this file may follow from this one` } : {}),
      }),
    );
  }
  for (const e of dupes) {
    const key = text.slice(e.pos[0], e.pos[1]).trim();
    diagnostics.push(errorDiag('policy.duplicate-key', `Duplicate key${key ? ` "${key}"` : ''}: keys in a mapping must be unique`, { source: where(e.pos[0]) }));
  }
  for (const w of doc.warnings) {
    diagnostics.push(warningDiag('policy.yaml-warning', `YAML: ${firstLine(w.message)}`, { source: where(w.pos[0]) }));
  }
  const hasSyntaxErrors = diagnostics.some((d) => d.severity === 'error');
  // An empty file is an empty mapping: every key of every policy file is optional or defaulted.
  const value = hasSyntaxErrors ? undefined : (doc.toJS({ maxAliasCount: 100 }) ?? {});
  return { path: file, value, locator, diagnostics };
}

function firstLine(s: string): string {
  const line = s.split('\n')[0] ?? s;
  // yaml appends " at line L, column C" when prettyErrors is on; we print our own position.
  return line.replace(/ at line \d+, column \d+:?$/, '');
}
