import { inject } from 'vitest';
import type { SambaInfo } from './samba.js';

/** The run's shared Samba AD DC (started by test/setup/samba.global.ts). */
export function sharedSamba(): SambaInfo {
  const info = inject('samba');
  if (!info) {
    throw new Error('the shared Samba AD DC was not started: name the test file *samba*.test.ts or *.ad.test.ts (see test/setup/samba.global.ts)');
  }
  return info;
}
