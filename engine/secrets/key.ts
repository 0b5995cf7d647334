import { RefusedError } from '../model/errors.js';

/**
 * The key that encrypts initial credentials: 32 random bytes, base64, in the environment
 * variable ROLLCALL_CREDENTIALS_KEY (a CI secret or the admin's shell), never in the policy
 * repo. Whoever holds it can read every stored initial password. Make one with
 * `openssl rand -base64 32`.
 */

export const KEY_ENV = 'ROLLCALL_CREDENTIALS_KEY';

/** The key, or null when the variable is unset or empty. A malformed key is refused. */
export function credentialsKey(env: NodeJS.ProcessEnv): Buffer | null {
  const raw = env[KEY_ENV]?.trim();
  if (!raw) return null;
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(raw) ? Buffer.from(raw, 'base64') : Buffer.alloc(0);
  if (key.length !== 32) {
    throw new RefusedError('credentials.key', `${KEY_ENV} must be 32 bytes, base64-encoded (make one with \`openssl rand -base64 32\`); nothing was done`);
  }
  return key;
}
