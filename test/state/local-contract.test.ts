import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { localStateBackend } from '../../engine/state/local.js';
import { backendContract } from './helpers/contract.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

backendContract('local', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rollcall-state-'));
  dirs.push(dir);
  const path = join(dir, '.rollcall', 'state.json');
  return { a: localStateBackend(path, { holder: 'A@host pid 1' }), b: localStateBackend(path, { holder: 'B@host pid 2' }) };
});
