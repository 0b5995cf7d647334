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
  };
  const policy: Policy = {
    ...root,
    naming: normalizeNaming(c.naming, w.naming.value, root.district.domain || 'invalid'),
    placement: normalizePlacement(c.placement, w.placement.value),
    groups: normalizeGroups(c.groups, w.groups.value),
    lifecycle: normalizeLifecycle(c.lifecycle, w.lifecycle.value),
    safety: normalizeSafety(c.safety, w.safety.value),
    passwords: normalizePasswords(c.passwords, w.passwords.value),
  };
  const diagnostics = [rootCtx, ...Object.values(c)].flatMap((x) => x.diagnostics);
  return { policy, diagnostics };
}
