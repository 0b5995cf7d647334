import { createRequire } from 'node:module';
import type pg from 'pg';

/**
 * The `pg` driver, loaded on first use: most runs keep local state, and loading the driver
 * costs every command about 50 ms of start-up. `pg` is CommonJS, so a synchronous require
 * keeps the backends' constructors synchronous.
 */
let loaded: typeof pg | undefined;
export function pgModule(): typeof pg {
  loaded ??= createRequire(import.meta.url)('pg') as typeof pg;
  return loaded;
}
