import { readFile } from 'node:fs/promises';
import type { Person } from '../../../engine/model/people.js';
import type { ExportFile } from '../csv-util/file-set.js';
import { lineHashes } from './line-hashes.js';
import type { UsersLines } from './people-cache.js';

/**
 * What refresh keeps of a users.csv it parsed, for a later plan to patch the cache from a
 * line diff (users-patch.ts): the hash of each line, only when the rows were exactly the
 * lines after the header (row k on line k + 2, nothing else in the file), so a line stands for
 * a row. A file on disk only (not a zip entry).
 */
export async function usersLines(file: ExportFile, people: readonly Person[], base: string): Promise<UsersLines | undefined> {
  if (!file.path) return undefined;
  for (let i = 0; i < people.length; i++) if (people[i]!.source.line !== i + 2) return undefined;
  const hashes = lineHashes(await readFile(file.path));
  return hashes.length === 2 * (people.length + 1) ? { hashes, base } : undefined;
}
