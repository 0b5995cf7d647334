import { createHash, randomBytes } from 'node:crypto';

/**
 * Password encodings. The results are secrets: never log them, never put them in errors.
 */

/** AD `unicodePwd`: the password in double quotes, UTF-16LE. Only accepted over TLS. */
export function adUnicodePwd(password: string): Buffer {
  return Buffer.from(`"${password}"`, 'utf16le');
}

/** OpenLDAP `{SSHA}`: base64(SHA1(password + salt) + salt) with an 8-byte random salt. */
export function sshaHash(password: string, salt: Buffer = randomBytes(8)): string {
  const digest = createHash('sha1').update(Buffer.from(password, 'utf8')).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

/** Check a password against an `{SSHA}` value (used by tests and the idempotence check). */
export function sshaMatches(password: string, hashed: string): boolean {
  if (!hashed.startsWith('{SSHA}')) return false;
  const raw = Buffer.from(hashed.slice(6), 'base64');
  if (raw.length <= 20) return false;
  return sshaHash(password, raw.subarray(20)) === hashed;
}
