import { createHash } from 'node:crypto';

/**
 * The policy digest plans record, so `apply` can refuse a plan made from another policy.
 * sha256 over each policy file's path and bytes, in path order: a reordered directory listing
 * gives the same digest; moving a section between files, or any edit, does not.
 */
export function policyDigest(files: readonly { path: string; bytes: Uint8Array }[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    h.update(`${f.path}\0${f.bytes.length}\0`);
    h.update(f.bytes);
  }
  return `sha256:${h.digest('hex')}`;
}
