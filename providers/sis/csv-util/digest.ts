import { createHash } from 'node:crypto';

/**
 * One digest for a set of files: sha256 over `name NUL sha256(bytes) LF` for each file, in
 * order of name. Each file is hashed while it is streamed (no second read), and the result
 * does not depend on the order the files were read in.
 */
export function combineDigests(files: ReadonlyMap<string, string> | Iterable<[string, string]>): string {
  const entries = [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const h = createHash('sha256');
  for (const [name, sha] of entries) h.update(`${name}\0${sha}\n`);
  return h.digest('hex');
}
