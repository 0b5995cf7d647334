/**
 * The policy repo's files: rollcall.yaml at the root (required) and one optional file per
 * section under policy/. Each may be YAML (`.yaml`/`.yml`) or CUE (`.cue`). A section may
 * instead be written inline in rollcall.yaml under the same key, but not both.
 */

export const SECTION_NAMES = ['naming', 'placement', 'groups', 'lifecycle', 'safety', 'passwords', 'correlation', 'exclusions', 'overrides'] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

export const POLICY_EXTENSIONS = ['.yaml', '.yml', '.cue'] as const;

export const ROOT_BASENAME = 'rollcall';
export const SECTION_DIR = 'policy';
/** Reviewed correlation decisions, any number of files (decisions/*.yaml). */
export const DECISIONS_DIR = 'decisions';

/** Files under policy/ that other commands read themselves (`rollcall drift`): not policy sections, not in the digest. */
export const AUXILIARY_FILES = ['drift-allow'] as const;

export type FileRole = { kind: 'root' } | { kind: 'section'; section: SectionName } | { kind: 'decisions' } | { kind: 'auxiliary' } | { kind: 'other' };

function stripExt(name: string): string | null {
  for (const ext of POLICY_EXTENSIONS) if (name.endsWith(ext)) return name.slice(0, -ext.length);
  return null;
}

/** What a repo-relative path is to the loader. */
export function fileRole(relPath: string): FileRole {
  const parts = relPath.split('/');
  if (parts.length === 1) {
    return stripExt(parts[0] ?? '') === ROOT_BASENAME ? { kind: 'root' } : { kind: 'other' };
  }
  if (parts.length === 2 && parts[0] === SECTION_DIR) {
    const base = stripExt(parts[1] ?? '');
    const section = SECTION_NAMES.find((s) => s === base);
    if (section) return { kind: 'section', section };
    if ((AUXILIARY_FILES as readonly string[]).includes(base ?? '')) return { kind: 'auxiliary' };
  }
  if (parts.length === 2 && parts[0] === DECISIONS_DIR && stripExt(parts[1] ?? '') !== null) return { kind: 'decisions' };
  return { kind: 'other' };
}

export function isCue(relPath: string): boolean {
  return relPath.endsWith('.cue');
}
