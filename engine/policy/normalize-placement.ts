import type { PlacementPolicy, PlacementRule, Template } from '../model/policy.js';
import { PERSON_FIELDS } from '../resolve/naming/template.js';
import { closest } from '../resolve/naming/suggest.js';
import type { SectionContext } from './context.js';
import { logicalPathProblem } from './logical-path.js';
import { normalizeMatch } from './normalize-match.js';
import type { PathSeg } from './source-doc.js';
import type { WrittenPlacement } from './written.js';

/** A logical path template: shape first (segments), then fields and filters. */
export function pathTemplate(ctx: SectionContext, text: string, path: readonly PathSeg[], ruleId: string): Template | null {
  const problem = logicalPathProblem(text, { literal: false });
  if (problem) {
    ctx.errorInScalar('policy.path', `Malformed path: ${problem.message}`, path, problem.at);
    return null;
  }
  return ctx.template(text, path, ruleId, PERSON_FIELDS);
}

/** Literal paths (protected OUs): checked, returned as written. */
export function literalPaths(ctx: SectionContext, paths: (string | undefined)[] | undefined, at: readonly PathSeg[]): string[] {
  const out: string[] = [];
  (paths ?? []).forEach((p, i) => {
    if (p === undefined) return;
    const problem = logicalPathProblem(p, { literal: true });
    if (problem) ctx.errorInScalar('policy.path', `Malformed protected path: ${problem.message}`, [...at, i], problem.at);
    else out.push(p);
  });
  return out;
}

export function normalizePlacement(ctx: SectionContext, w: WrittenPlacement | undefined): PlacementPolicy {
  const rules: PlacementRule[] = [];
  (w?.rules ?? []).forEach((r, i) => {
    if (!r) return;
    const origin = ctx.origin(['rules', i], r.id);
    const when = normalizeMatch(ctx, r.when, ['rules', i, 'when']);
    const targets: Record<string, Template> = {};
    for (const [name, text] of Object.entries(r.targets ?? {})) {
      const at = ['rules', i, 'targets', name];
      if (!(ctx.known.targets === null || ctx.known.targets.has(name))) {
        const near = closest(name, [...(ctx.known.targets ?? [])]);
        ctx.error(
          'policy.unknown-target',
          `Unknown target "${name}" in a per-target path: not in \`targets\` in rollcall.yaml.${near ? ` Did you mean "${near}"?` : ''} Declared: ${[...(ctx.known.targets ?? [])].join(', ') || '(none)'}`,
          at,
          'key',
        );
        continue;
      }
      const t = pathTemplate(ctx, text, at, origin.id);
      if (t) targets[name] = t;
    }
    if (r.path === undefined) return;
    const path = pathTemplate(ctx, r.path, ['rules', i, 'path'], origin.id);
    if (path) rules.push({ origin, when, path, targets });
  });
  return { rules, protectedPaths: literalPaths(ctx, w?.protected, ['protected']) };
}
