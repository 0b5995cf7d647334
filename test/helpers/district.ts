import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Papa from 'papaparse';

/** Test helpers: a scratch copy of the example district, and CSV edits on it. */

export const REPO = resolve(import.meta.dirname, '../..');
export const MAPLEWOOD = join(REPO, 'examples/maplewood');

export function scratchDistrict(prefix = 'rollcall-e2e-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const part of ['rollcall.yaml', 'policy', 'sis']) cpSync(join(MAPLEWOOD, part), join(dir, part), { recursive: true });
  return dir;
}

export interface CsvTable {
  header: string[];
  rows: string[][];
}

export function readCsv(path: string): CsvTable {
  const parsed = Papa.parse<string[]>(readFileSync(path, 'utf8'), { skipEmptyLines: true });
  const [header, ...rows] = parsed.data;
  return { header: header ?? [], rows };
}

export function writeCsv(path: string, t: CsvTable): void {
  writeFileSync(path, Papa.unparse([t.header, ...t.rows], { newline: '\n' }) + '\n');
}

export function col(t: CsvTable, name: string): number {
  const i = t.header.indexOf(name);
  if (i < 0) throw new Error(`no column ${name}`);
  return i;
}

/** Drop people (by sourcedId) from users, roles and enrollments, as a withdrawal would. */
export function removePeople(sisDir: string, ids: ReadonlySet<string>): void {
  const users = readCsv(join(sisDir, 'users.csv'));
  users.rows = users.rows.filter((r) => !ids.has(r[col(users, 'sourcedId')]!));
  writeCsv(join(sisDir, 'users.csv'), users);
  for (const f of ['roles.csv', 'enrollments.csv']) {
    const t = readCsv(join(sisDir, f));
    t.rows = t.rows.filter((r) => !ids.has(r[col(t, 'userSourcedId')]!));
    writeCsv(join(sisDir, f), t);
  }
}

/** sourcedIds of people holding a role, in file order. */
export function peopleWithRole(sisDir: string, role: string): string[] {
  const roles = readCsv(join(sisDir, 'roles.csv'));
  return roles.rows.filter((r) => r[col(roles, 'role')] === role).map((r) => r[col(roles, 'userSourcedId')]!);
}

export function editUser(sisDir: string, sourcedId: string, edit: Record<string, string>): void {
  const users = readCsv(join(sisDir, 'users.csv'));
  const row = users.rows.find((r) => r[col(users, 'sourcedId')] === sourcedId);
  if (!row) throw new Error(`no user ${sourcedId}`);
  for (const [k, v] of Object.entries(edit)) row[col(users, k)] = v;
  writeCsv(join(sisDir, 'users.csv'), users);
}
