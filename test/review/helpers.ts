import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import type { PlanDocument } from '../../engine/model/plan.js';
import { runApply } from '../../engine/run/apply-run.js';
import { MAPLEWOOD, col, peopleWithRole, readCsv, scratchDistrict, writeCsv } from '../helpers/district.js';

/** A scratch policy repo made from examples/maplewood: git init, one commit on `main`. */
export async function gitDistrict(prefix = 'rollcall-review-'): Promise<string> {
  const dir = scratchDistrict(prefix);
  // The whole district repo: its policy tests and workflows too.
  for (const part of ['tests', '.github']) cpSync(join(MAPLEWOOD, part), join(dir, part), { recursive: true });
  writeFileSync(join(dir, '.gitignore'), '.rollcall/\n*.json\n');
  const git = simpleGit({ baseDir: dir });
  await git.init(['--initial-branch=main']);
  await git.addConfig('user.name', 'Test');
  await git.addConfig('user.email', 'test@example.invalid');
  await git.addConfig('commit.gpgsign', 'false');
  await commitAll(dir, 'district policy');
  return dir;
}

export async function commitAll(dir: string, message: string): Promise<string> {
  const git = simpleGit({ baseDir: dir });
  await git.add(['-A']);
  await git.commit(message);
  return (await git.revparse(['HEAD'])).trim();
}

export function editFile(dir: string, rel: string, edit: (text: string) => string): void {
  const p = join(dir, rel);
  const before = readFileSync(p, 'utf8');
  const after = edit(before);
  if (after === before) throw new Error(`edit of ${rel} changed nothing`);
  writeFileSync(p, after);
}

/**
 * The naming-rule change the acceptance tests make: renames on, and new student templates
 * (four-digit graduation year; `st` instead of `s` before the identifier), so no student's
 * current username is one the rule still produces: every student is renamed.
 */
export function changeStudentNaming(dir: string): void {
  editFile(dir, 'policy/naming.yaml', (t) => t
    .replace('renames: keep', 'renames: rename')
    .replace('"{preferredGiven|first:1}{family}{gradYear|last:2}"', '"{preferredGiven|first:1}{family}{gradYear}"')
    .replace('"{preferredGiven|first:2}{family}{gradYear|last:2}"', '"{preferredGiven|first:2}{family}{gradYear}"')
    .replace('"s{identifier}"', '"st{identifier}"'));
}

export async function applyPlan(dir: string, plan: PlanDocument, now: string, accept: readonly string[] = []) {
  return runApply({ dir, plan, accept, now: () => now, actor: 'test', lockTimeoutMs: 0 });
}

/**
 * Copy `n` existing students (users, roles, enrollments) under new sourcedIds and new
 * names, as new enrollments arriving in the SIS. Returns the new sourcedIds.
 */
export function addStudents(sisDir: string, n: number, tag: string): string[] {
  const students = [...new Set(peopleWithRole(sisDir, 'student'))].slice(0, n);
  const map = new Map(students.map((id, i) => [id, `new-${tag}-${String(i).padStart(3, '0')}`]));
  const users = readCsv(join(sisDir, 'users.csv'));
  const sid = col(users, 'sourcedId');
  const added = users.rows.filter((r) => map.has(r[sid]!)).map((r, i) => {
    const row = [...r];
    row[sid] = map.get(r[sid]!)!;
    row[col(users, 'givenName')] = `Newgiven${tag}${letters(i)}`;
    row[col(users, 'familyName')] = `Newfamily${tag}${letters(i)}`;
    row[col(users, 'preferredGivenName')] = '';
    row[col(users, 'identifier')] = `9${tag.length}${String(i).padStart(6, '0')}`;
    row[col(users, 'username')] = '';
    row[col(users, 'userIds')] = '';
    return row;
  });
  users.rows.push(...added);
  writeCsv(join(sisDir, 'users.csv'), users);
  for (const f of ['roles.csv', 'enrollments.csv']) {
    const t = readCsv(join(sisDir, f));
    const u = col(t, 'userSourcedId');
    const s = col(t, 'sourcedId');
    const copies = t.rows.filter((r) => map.has(r[u]!)).map((r, i) => {
      const row = [...r];
      row[u] = map.get(r[u]!)!;
      row[s] = `${r[s]}-${tag}-${i}`;
      return row;
    });
    t.rows.push(...copies);
    writeCsv(join(sisDir, f), t);
  }
  return [...map.values()];
}

function letters(i: number): string {
  return String.fromCharCode(97 + Math.floor(i / 26) % 26) + String.fromCharCode(97 + (i % 26));
}
