// Writes dist/build-id.json: a digest of the compiled engine and providers, so a plan base
// (engine/run/plan-from-base.ts) written by one build is never trusted by another, even of the
// same package version (a developer's rebuild, two builds compared by bench/ab.ts). Run after
// `tsc` (npm run build).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const files = [];
const walk = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.js')) files.push(p);
  }
};
for (const part of ['engine', 'providers']) walk(join(dist, part));
files.sort();
const h = createHash('sha256');
for (const f of files) h.update(relative(dist, f) + '\0').update(readFileSync(f)).update('\0');
const id = h.digest('hex');
writeFileSync(join(dist, 'build-id.json'), JSON.stringify({ id, files: files.length }) + '\n');
console.log(`build-id.json: ${id.slice(0, 12)} over ${files.length} files`);
