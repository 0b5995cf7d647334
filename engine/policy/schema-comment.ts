import { warningDiag, type Diagnostic } from '../model/diagnostics.js';

/**
 * Editors find a file's schema through `# yaml-language-server: $schema=PATH`. A comment that
 * names the wrong schema gives wrong completions and silent misses, so check its file name.
 */
const LINE = /^#\s*yaml-language-server:\s*\$schema=(\S+)/;

export function schemaCommentDiagnostics(file: string, text: string, expected: string): Diagnostic[] {
  const lines = text.split('\n', 20);
  for (let i = 0; i < lines.length; i++) {
    const m = LINE.exec(lines[i] ?? '');
    if (!m) continue;
    const ref = m[1] ?? '';
    const base = ref.split(/[\\/]/).pop() ?? '';
    if (base === expected) return [];
    return [
      warningDiag('policy.schema-comment', `The $schema comment names "${base}"; this file's schema is "${expected}"`, {
        source: { file, line: i + 1, column: (lines[i] ?? '').indexOf(ref) + 1 },
      }),
    ];
  }
  return [];
}
