import { errorDiag, type Diagnostic } from '../model/diagnostics.js';
import type { Policy } from '../model/policy.js';
import { normalizePolicy, type WrittenDoc, type WrittenPolicy } from './normalize.js';
import { schemaFindings, withoutInvalid } from './schema-diagnostics.js';
import { validateAgainst } from './schemas.js';
import { fileRole, type SectionName } from './sections.js';
import { subLocator, type SourceDoc } from './source-doc.js';
import type { WrittenRoot } from './written.js';

/**
 * Parsed documents -> Policy, pure. Picks the root and one document per section (reporting
 * duplicates: naming.yaml beside naming.cue, or a section both inline and in its own file),
 * validates each against its schema, drops the values that failed, then normalizes. Every
 * step only adds diagnostics, so one run reports every mistake in every file.
 */

const UNSURE_KEYS = ['roles', 'schools', 'targets'] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function assemblePolicy(docs: readonly SourceDoc[]): { policy: Policy; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const sorted = [...docs].sort((a, b) => (a.path < b.path ? -1 : 1));
  let root: SourceDoc | null = null;
  const files = new Map<SectionName, SourceDoc>();
  const decisionDocs: SourceDoc[] = [];
  for (const doc of sorted) {
    const role = fileRole(doc.path);
    if (role.kind === 'other' || role.kind === 'auxiliary') continue;
    if (role.kind === 'decisions') {
      decisionDocs.push(doc);
      diagnostics.push(...doc.diagnostics);
      continue;
    }
    const first = role.kind === 'root' ? root : (files.get(role.section) ?? null);
    if (first) {
      diagnostics.push(
        errorDiag('policy.duplicate-file', `${doc.path} and ${first.path} define the same policy file; keep one`, { source: { file: doc.path, line: 1, column: 1 } }),
      );
      continue;
    }
    if (role.kind === 'root') root = doc;
    else files.set(role.section, doc);
    diagnostics.push(...doc.diagnostics);
  }
  if (!root) diagnostics.push(errorDiag('policy.missing-root', 'No rollcall.yaml in the policy directory: it is the root of every policy repo', { source: { file: 'rollcall.yaml' } }));

  // The root, validated with its inline sections (rollcall.schema.json $refs the section schemas).
  const unsure = new Set<(typeof UNSURE_KEYS)[number]>(root?.value === undefined ? UNSURE_KEYS : []);
  let rootValue: Record<string, unknown> | undefined;
  if (root && root.value !== undefined) {
    const found = schemaFindings(validateAgainst('rollcall', root.value), root.locator);
    diagnostics.push(...found.diagnostics);
    for (const key of UNSURE_KEYS) if (found.diagnostics.some((d) => d.path === `/${key}` || d.path?.startsWith(`/${key}/`))) unsure.add(key);
    const v = withoutInvalid(root.value, found.invalid);
    rootValue = isObject(v) ? v : {};
  }

  const section = (name: SectionName): WrittenDoc<never> => {
    const file = files.get(name);
    const inline = rootValue?.[name];
    if (inline !== undefined && root) {
      if (!file) return { value: inline as never, loc: subLocator(root.locator, [name]), prefix: [name] };
      diagnostics.push(
        errorDiag('policy.duplicate-section', `"${name}" is written both inline in ${root.path} and in ${file.path}; keep one`, {
          source: root.locator.key([name]),
          path: `/${name}`,
        }),
      );
    }
    if (!file || file.value === undefined) return { value: undefined, loc: file?.locator ?? null, prefix: [] };
    const found = schemaFindings(validateAgainst(name, file.value), file.locator);
    diagnostics.push(...found.diagnostics);
    const v = withoutInvalid(file.value, found.invalid);
    return { value: (isObject(v) ? v : {}) as never, loc: file.locator, prefix: [] };
  };

  const written: WrittenPolicy = {
    root: { value: rootValue as WrittenRoot | undefined, loc: root?.locator ?? null, prefix: [] },
    naming: section('naming'),
    placement: section('placement'),
    groups: section('groups'),
    lifecycle: section('lifecycle'),
    safety: section('safety'),
    passwords: section('passwords'),
    correlation: section('correlation'),
    exclusions: section('exclusions'),
    overrides: section('overrides'),
    decisions: decisionDocs.map((doc) => {
      if (doc.value === undefined) return { value: undefined, loc: doc.locator, prefix: [], file: doc.path };
      const found = schemaFindings(validateAgainst('decisions', doc.value), doc.locator);
      diagnostics.push(...found.diagnostics);
      const v = withoutInvalid(doc.value, found.invalid);
      return { value: (isObject(v) ? v : {}) as never, loc: doc.locator, prefix: [], file: doc.path };
    }),
    unsure,
  };
  const normalized = normalizePolicy(written);
  return { policy: normalized.policy, diagnostics: [...diagnostics, ...normalized.diagnostics] };
}

