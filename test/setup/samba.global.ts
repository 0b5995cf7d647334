import type { TestProject } from 'vitest/node';
import { startSamba, type SambaInfo, type SambaServer } from '../servers/samba.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The shared Samba AD DC, or null when no test file in this run needs it. */
    samba: SambaInfo | null;
  }
}

/**
 * Which test files need the shared Samba AD DC: a file name containing `samba` or `.ad.`
 * (e.g. `provider.samba.test.ts`, `acceptance.ad.test.ts`). Samba's ports are fixed, so there
 * is one DC per run, started here and handed to tests through `inject('samba')`.
 */
export const NEEDS_SAMBA = /(samba|\.ad\.)[^/]*$/i;

let server: SambaServer | undefined;

/**
 * vitest globalSetup. Starts the DC only when the run includes a file that needs it, so a
 * unit-test run pays nothing. If vitest stops exposing the file list, it starts the DC anyway
 * (slower, never wrong). ROLLCALL_SAMBA=1 forces a start. A DC that fails to start fails the run.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const paths = project.vitest.state.getPaths();
  const needed = process.env.ROLLCALL_SAMBA === '1' || !Array.isArray(paths) || paths.length === 0 || paths.some((p) => NEEDS_SAMBA.test(p));
  if (!needed) {
    project.provide('samba', null);
    return async () => undefined;
  }
  server = await startSamba();
  project.provide('samba', server.info);
  return async () => {
    await server?.stop();
    server = undefined;
  };
}
