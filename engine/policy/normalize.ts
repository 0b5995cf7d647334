import type { Diagnostic } from '../model/diagnostics.js';
import type { Policy } from '../model/policy.js';
import { SectionContext, type Known } from './context.js';
import { normalizeGroups } from './normalize-groups.js';
import { normalizeLifecycle } from './normalize-lifecycle.js';
import { normalizeNaming } from './normalize-naming.js';
import { normalizePasswords } from './normalize-passwords.js';
import { normalizePlacement } from './normalize-placement.js';
import { normalizeRoot } from './normalize-root.js';
import { normalizeSafety } from './normalize-safety.js';
import type { SectionName } from './sections.js';
import type { Locator, PathSeg } from './source-doc.js';
import { normalizeAdoption, normalizeCorrelation, normalizeDecisions, normalizeExclusions, normalizeOverrides, normalizeRenameApprovals } from './normalize-adoption.js';
import type { WrittenCorrelation, WrittenDecisions, WrittenExclusions, WrittenOverrides } from './written-adoption.js';
import type { WrittenGroups, WrittenLifecycle, WrittenNaming, WrittenPasswords, WrittenPlacement, WrittenRoot, WrittenSafety } from './written.js';

/**
 * WrittenPolicy -> Policy: fill every default, compile every template, resolve every
 * cross-reference (roles, school codes, target names), and collect every problem with its
 * position. Pure: the loader has already parsed the files and removed values that failed
 * their schema, so each mistake is reported once.
 */

export interface WrittenDoc<T> {
  value: T | undefined;
  /** null for a section no file defines (defaults only). */
  loc: Locator | null;
  /** Where the section sits in its file: [] in its own file, ['naming'] inline in rollcall.yaml. */
  prefix: PathSeg[];
}

export interface WrittenPolicy {
  root: WrittenDoc<WrittenRoot>;
  naming: WrittenDoc<WrittenNaming>;
  placement: WrittenDoc<WrittenPlacement>;
  groups: WrittenDoc<WrittenGroups>;
  lifecycle: WrittenDoc<WrittenLifecycle>;
  safety: WrittenDoc<WrittenSafety>;
  passwords: WrittenDoc<WrittenPasswords>;
  correlation: WrittenDoc<WrittenCorrelation>;
  exclusions: WrittenDoc<WrittenExclusions>;
  overrides: WrittenDoc<WrittenOverrides>;
  /** decisions/*.yaml, any number, each with its file name. */
  decisions: (WrittenDoc<WrittenDecisions> & { file: string })[];
  /** Lists in rollcall.yaml that failed their schema: references to them are not checked. */
  unsure: ReadonlySet<'roles' | 'schools' | 'targets'>;
}

export function normalizePolicy(w: WrittenPolicy): { policy: Policy; diagnostics: Diagnostic[] } {
  const noRefs: Known = { roles: new Set(), schools: new Set(), targets: new Set() };
  const rootCtx = new SectionContext('rollcall', w.root.loc, noRefs);
  const root = normalizeRoot(rootCtx, w.root.value ?? {});
  const known: Known = {
    roles: w.unsure.has('roles') ? null : new Set(root.roles),
    schools: w.unsure.has('schools') ? null : new Set(root.schools.map((s) => s.code)),
    targets: w.unsure.has('targets') ? null : new Set(root.targets.map((t) => t.name)),
  };
  const ctx = (section: SectionName): SectionContext => new SectionContext(section, w[section].loc, known, w[section].prefix);
  const c = {
    naming: ctx('naming'),
    placement: ctx('placement'),
    groups: ctx('groups'),
    lifecycle: ctx('lifecycle'),
    safety: ctx('safety'),
    passwords: ctx('passwords'),
    correlation: ctx('correlation'),
    exclusions: ctx('exclusions'),
    overrides: ctx('overrides'),
  };
  const decisionCtx = w.decisions.map((d) => ({ d, c: new SectionContext('decisions', d.loc, known, d.prefix) }));
  const policy: Policy = {
    ...root,
    naming: normalizeNaming(c.naming, w.naming.value, root.district.domain || 'invalid'),
    placement: normalizePlacement(c.placement, w.placement.value),
    groups: normalizeGroups(c.groups, w.groups.value),
    lifecycle: normalizeLifecycle(c.lifecycle, w.lifecycle.value),
    safety: normalizeSafety(c.safety, w.safety.value),
    passwords: normalizePasswords(c.passwords, w.passwords.value),
    correlation: normalizeCorrelation(c.correlation, w.correlation.value),
    exclusions: normalizeExclusions(c.exclusions, w.exclusions.value),
    overrides: normalizeOverrides(c.overrides, w.overrides.value),
    decisions: decisionCtx.flatMap(({ d, c: dc }) => normalizeDecisions(dc, d.file, d.value)),
    renameApprovals: decisionCtx.flatMap(({ d, c: dc }) => normalizeRenameApprovals(dc, d.file, d.value)),
    adoption: normalizeAdoption(w.root.value?.adoption),
  };
  const diagnostics = [rootCtx, ...Object.values(c), ...decisionCtx.map((x) => x.c)].flatMap((x) => x.diagnostics);
  return { policy, diagnostics };
}
