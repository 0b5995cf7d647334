import type { Match } from '../model/policy.js';
import type { SectionContext } from './context.js';
import type { PathSeg } from './source-doc.js';
import type { One, WrittenMatch } from './written.js';
import { closest } from '../resolve/naming/suggest.js';

/**
 * `when:` as written (single values or lists, bare grade numbers) -> Match (lists of strings),
 * checking that roles and school codes are ones rollcall.yaml declares: a typo there would
 * silently match nobody.
 */

function list<T>(v: One<T> | undefined): T[] | undefined {
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v : [v]).filter((x): x is T => x !== undefined);
}

/** YAML reads `grade: 9` and `grade: 09` as numbers; CEDS codes are two-digit text. */
export function gradeCode(g: string | number): string {
  return typeof g === 'number' ? String(g).padStart(2, '0') : g;
}

function checkNames(
  ctx: SectionContext,
  values: One<string> | undefined,
  path: readonly PathSeg[],
  declared: ReadonlySet<string> | null,
  what: string,
  where: string,
): void {
  if (values === undefined || declared === null) return;
  const items = Array.isArray(values) ? values : [values];
  items.forEach((v, i) => {
    if (v === undefined || declared.has(v)) return;
    const near = closest(v, [...declared]);
    const at = Array.isArray(values) ? [...path, i] : [...path];
    ctx.error(
      `policy.unknown-${what}`,
      `Unknown ${what} "${v}": not in \`${where}\` in rollcall.yaml.${near ? ` Did you mean "${near}"?` : ''} Declared: ${[...declared].join(', ') || '(none)'}`,
      at,
    );
  });
}

export function normalizeMatch(ctx: SectionContext, when: WrittenMatch | undefined, path: readonly PathSeg[]): Match {
  if (!when) return {};
  const m: Match = {};
  checkNames(ctx, when.role, [...path, 'role'], ctx.known.roles, 'role', 'roles');
  checkNames(ctx, when.school, [...path, 'school'], ctx.known.schools, 'school', 'schools');
  const role = list(when.role);
  if (role) m.role = role;
  const school = list(when.school);
  if (school) m.school = school;
  const grade = list(when.grade);
  if (grade) m.grade = grade.map(gradeCode);
  const gradYear = list(when.gradYear);
  if (gradYear) m.gradYear = gradYear;
  if (when.fields) {
    const fields: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(when.fields)) {
      const vals = list(v);
      if (vals) fields[k] = vals.map((x) => String(x));
    }
    m.fields = fields;
  }
  return m;
}
