/**
 * Logical placement paths (`Students/MHS/2030`) are target-neutral: segments separated by
 * `/`, no leading or trailing slash, no empty segments. Providers render them as DNs,
 * orgUnitPaths or administrative units.
 */
export function normalizePath(raw: string): string {
  return raw
    .split('/')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .join('/');
}

/** Every ancestor of a path, shortest first, including the path itself. */
export function pathAncestors(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  const out: string[] = [];
  for (let i = 1; i <= parts.length; i++) out.push(parts.slice(0, i).join('/'));
  return out;
}

/** True when `path` is `root` or lies under it. */
export function isUnder(path: string, root: string): boolean {
  return path === root || path.startsWith(root + '/');
}
