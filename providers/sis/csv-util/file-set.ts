import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';

/**
 * A set of export files, from a folder or a `.zip` (districts usually receive a zip).
 * Files are opened as byte streams so nothing holds a whole export in one string
 * (V8 strings stop at ~512 MB). Names are matched case-insensitively because exports
 * disagree on case (`userprofiles.csv` vs `userProfiles.csv`); callers may warn on that.
 */
export interface ExportFile {
  /** The name as stored (folder entry or zip entry without its leading folder). */
  name: string;
  /** Uncompressed size in bytes, when known (for progress). */
  size: number;
  /** The file on disk, for a folder set (a zip entry has none). */
  path?: string;
  /** A fresh stream of the file's bytes each call (a file may be re-read to locate an error). */
  open(): Promise<Readable>;
}

export interface FileSet {
  /** Where the set came from, for messages. */
  location: string;
  /** Lower-cased file name -> file. */
  files: Map<string, ExportFile>;
  close(): Promise<void>;
}

export async function openFileSet(location: string): Promise<FileSet> {
  const st = await stat(location);
  if (st.isDirectory()) return openDir(location);
  if (location.toLowerCase().endsWith('.zip')) return openZip(location);
  throw new Error(`${location} is neither a folder nor a .zip file`);
}

async function openDir(dir: string): Promise<FileSet> {
  const files = new Map<string, ExportFile>();
  for (const ent of await readdir(dir, { withFileTypes: true })) {
    if (!ent.isFile()) continue;
    const full = path.join(dir, ent.name);
    const { size } = await stat(full);
    files.set(ent.name.toLowerCase(), {
      name: ent.name,
      size,
      path: full,
      open: () => Promise.resolve(createReadStream(full, { highWaterMark: 1 << 20 })),
    });
  }
  return { location: dir, files, close: () => Promise.resolve() };
}

function openZip(file: string): Promise<FileSet> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: false }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error(`cannot open ${file}`));
      const entries: yauzl.Entry[] = [];
      zip.on('entry', (e: yauzl.Entry) => {
        entries.push(e);
        zip.readEntry();
      });
      zip.on('error', reject);
      zip.on('end', () => {
        // Zips made by "compress folder" put everything under one folder; look through it.
        const usable = entries.filter((e) => !e.fileName.endsWith('/') && !e.fileName.startsWith('__MACOSX/'));
        const files = new Map<string, ExportFile>();
        const depth = new Map<string, number>();
        for (const e of usable) {
          const base = e.fileName.split('/').pop() ?? e.fileName;
          const key = base.toLowerCase();
          // Prefer the shallowest entry when two folders hold the same name.
          const d = e.fileName.split('/').length;
          const prev = depth.get(key);
          if (prev !== undefined && prev <= d) continue;
          depth.set(key, d);
          files.set(key, {
            name: base,
            size: e.uncompressedSize,
            open: () =>
              new Promise<Readable>((res, rej) => zip.openReadStream(e, (e2, s) => (e2 || !s ? rej(e2 ?? new Error('no stream')) : res(s)))),
          });
        }
        resolve({ location: file, files, close: () => Promise.resolve(zip.close()) });
      });
      zip.readEntry();
    });
  });
}
