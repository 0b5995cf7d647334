// Writes oclif.manifest.json from the built commands, so `rollcall --help` lists commands
// without importing every command (and the engine behind it). Run after `tsc` (npm run build).
import { Config } from '@oclif/core';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const config = await Config.load(root);
const commands = {};
for (const c of config.commands) {
  const { load: _load, ...cached } = c;
  commands[c.id] = JSON.parse(JSON.stringify(cached));
}
writeFileSync(join(root, 'oclif.manifest.json'), JSON.stringify({ version: config.version, commands }, null, 2) + '\n');
console.log(`oclif.manifest.json: ${Object.keys(commands).length} commands`);
