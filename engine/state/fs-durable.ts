import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * The file primitives behind the local backend. A crash (kill -9, power loss) at any point
 * must leave either the old or the new content, never a torn file:
 *  - replace: write a temp file in the same directory, fsync it, rename over the target,
 *    fsync the directory so the rename itself is durable;
 *  - append: one write per batch, fsynced before returning.
 */

/** Prefix of temp files for `target`, so a later run can find and remove leftovers. */
export function tempPrefix(target: string): string {
  return `.${basename(target)}.tmp-`;
}

export async function fsyncDir(dir: string): Promise<void> {
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(dir, 'r');
    await fh.sync();
  } catch (err) {
    // Some platforms cannot fsync a directory (EISDIR/EINVAL/EPERM); the rename is still atomic.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw err;
  } finally {
    await fh?.close();
  }
}

/** Atomically replace `target` with `content`. */
export async function replaceFileDurably(target: string, content: string): Promise<void> {
  await replaceFileDurablyFrom(target, [content]);
}

/**
 * Atomically replace `target` with the concatenation of `chunks`, written as they come, so
 * the content never has to exist as one string (a state of a million people does not fit).
 */
export async function replaceFileDurablyFrom(target: string, chunks: Iterable<string>): Promise<void> {
  const dir = dirname(target);
  await fs.mkdir(dir, { recursive: true });
  const tmp = join(dir, `${tempPrefix(target)}${process.pid}-${randomBytes(6).toString('hex')}`);
  const fh = await fs.open(tmp, 'wx', 0o600);
  try {
    // writeFile on a handle writes at the current position and retries short writes.
    for (const chunk of chunks) await fh.writeFile(chunk, 'utf8');
    await fh.sync();
  } catch (err) {
    await fh.close();
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  try {
    await fs.rename(tmp, target);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await fsyncDir(dir);
}

/** Append `content` to `target` (created if missing) and fsync before returning. */
export async function appendDurably(target: string, content: string): Promise<void> {
  const dir = dirname(target);
  await fs.mkdir(dir, { recursive: true });
  let created = false;
  try {
    await fs.access(target);
  } catch {
    created = true;
  }
  const fh = await fs.open(target, 'a', 0o600);
  try {
    await fh.writeFile(content, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  if (created) await fsyncDir(dir);
}

/** Remove temp files a crashed writer left behind. Call only under the lock. */
export async function removeStaleTemps(target: string): Promise<void> {
  const dir = dirname(target);
  const prefix = tempPrefix(target);
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return;
  }
  await Promise.all(names.filter((n) => n.startsWith(prefix)).map((n) => fs.rm(join(dir, n), { force: true })));
}

export async function readIfExists(path: string): Promise<string | null> {
  try {
    return await fs.readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** The first `bytes` bytes of a file as text, or null when it does not exist. */
export async function readHead(path: string, bytes: number): Promise<string | null> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
}
