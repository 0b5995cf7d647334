import { afterAll, beforeAll } from 'vitest';
import type { StateBackend } from '../../engine/model/state-backend.js';
import { postgresStateBackend } from '../../engine/state/postgres.js';
import { type PostgresServer, startPostgres } from '../servers/postgres.js';
import { backendContract } from './helpers/contract.js';

let server: PostgresServer;
const open: StateBackend[] = [];
let n = 0;

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await Promise.all(open.map((b) => b.close()));
  await server?.stop();
});

backendContract('postgres', async () => {
  // A fresh schema per test: the same server, an empty store.
  const schema = `contract_${++n}`;
  const a = postgresStateBackend({ connectionString: server.url, schema, holder: 'A@host pid 1' });
  const b = postgresStateBackend({ connectionString: server.url, schema, holder: 'B@host pid 2' });
  open.push(a, b);
  return { a, b };
});
