import { it } from 'vitest';
import { runLdapBench } from '../../bench/ldap-bench.js';
it('bench', async () => {
  const n = Number(process.env.BENCH_N ?? 200);
  const c = Number(process.env.BENCH_C ?? 4);
  console.log(JSON.stringify(await runLdapBench({ n, concurrency: c, durable: process.env.BENCH_DURABLE !== '0' })));
}, 3_600_000);
