import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for one record: a fresh 96-bit IV per record, the 128-bit tag checked on open.
 * The associated data names the format, so a sealed record cannot be passed off as another
 * kind of rollcall secret. A wrong key or an altered line fails the tag check: `open` then
 * returns null and never hands back partial plaintext.
 */

const AAD = Buffer.from('rollcall:initial-credential:v1');

export interface SealedLine {
  v: 1;
  iv: string;
  tag: string;
  ct: string;
}

export function seal(key: Buffer, plaintext: string): SealedLine {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(AAD);
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { v: 1, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), ct: ct.toString('base64') };
}

export function open(key: Buffer, line: SealedLine): string | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(line.iv, 'base64'));
    decipher.setAAD(AAD);
    decipher.setAuthTag(Buffer.from(line.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(line.ct, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
