/**
 * Logical container paths (`Students/{school}/{gradYear}`, `Staff/District Office`): `/`
 * separates segments; each target renders them in its own shape, so a malformed path would
 * fail late and differently per target. Checked once here instead.
 */

export interface PathProblem {
  /** 0-based offset into the path text. */
  at: number;
  message: string;
}

export function logicalPathProblem(text: string, opts: { literal: boolean }): PathProblem | null {
  if (text.trim() === '') return { at: 0, message: 'path is empty' };
  if (text.startsWith('/')) return { at: 0, message: `path "${text}" starts with "/": write it relative, e.g. "Students/{school}"` };
  if (text.endsWith('/')) return { at: text.length - 1, message: `path "${text}" ends with "/"` };
  const empty = text.indexOf('//');
  if (empty !== -1) return { at: empty + 1, message: `path "${text}" has an empty segment ("//")` };
  let offset = 0;
  for (const seg of text.split('/')) {
    if (seg !== seg.trim()) {
      const at = seg.length - seg.trimStart().length > 0 ? offset : offset + seg.trimEnd().length;
      return { at, message: `path "${text}" has a segment with leading or trailing spaces: "${seg}"` };
    }
    offset += seg.length + 1;
  }
  // Control characters would end up inside DNs and org unit paths.
  // eslint-disable-next-line no-control-regex
  const ctl = text.search(/[\u0000-\u001f\\]/);
  if (ctl !== -1) return { at: ctl, message: `path "${text}" contains a control character or backslash` };
  if (opts.literal) {
    const brace = text.search(/[{}]/);
    if (brace !== -1) return { at: brace, message: `protected path "${text}" must be literal, without {placeholders}` };
  }
  return null;
}
