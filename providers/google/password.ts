import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { PasswordHash } from './settings.js';

/**
 * Google accepts a password already hashed (`hashFunction` SHA-1, MD5 or crypt), so the
 * plaintext need not cross the wire. SHA-1 is what Google's own sync tools send; `crypt`
 * here is SHA-512-crypt (`$6$`, 5,000 rounds, within Google's 10,000-round limit).
 */
export function hashForGoogle(password: string, mode: PasswordHash): { password: string; hashFunction?: string } {
  if (mode === 'none') return { password };
  if (mode === 'crypt') return { password: sha512Crypt(password, saltString(16)), hashFunction: 'crypt' };
  return { password: createHash('sha1').update(password, 'utf8').digest('hex'), hashFunction: 'SHA-1' };
}

/** A throwaway password for creates that got none (Google requires one); never shown. */
export function randomPassword(): string {
  return randomBytes(24).toString('base64url');
}

const B64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function saltString(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += B64[randomInt(64)];
  return s;
}

const sha512 = (...parts: Buffer[]): Buffer => {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest();
};

function repeatTo(src: Buffer, len: number): Buffer {
  const out = Buffer.alloc(len);
  for (let i = 0; i < len; i++) out[i] = src[i % src.length] ?? 0;
  return out;
}

/** SHA-512-crypt as specified by Ulrich Drepper ("Unix crypt using SHA-256 and SHA-512"). */
export function sha512Crypt(password: string, salt: string, rounds = 5000): string {
  const p = Buffer.from(password, 'utf8');
  const s = Buffer.from(salt.slice(0, 16), 'utf8');
  const b = sha512(p, s, p);
  const aParts: Buffer[] = [p, s, repeatTo(b, p.length)];
  for (let n = p.length; n > 0; n >>= 1) aParts.push(n & 1 ? b : p);
  let a = sha512(...aParts);
  const dp = repeatTo(sha512(...Array<Buffer>(p.length).fill(p)), p.length);
  const ds = repeatTo(sha512(...Array<Buffer>(16 + (a[0] ?? 0)).fill(s)), s.length);
  for (let i = 0; i < rounds; i++) {
    const parts: Buffer[] = [];
    parts.push(i & 1 ? dp : a);
    if (i % 3) parts.push(ds);
    if (i % 7) parts.push(dp);
    parts.push(i & 1 ? a : dp);
    a = sha512(...parts);
  }
  const order = [
    [0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48], [28, 49, 7], [50, 8, 29], [9, 30, 51], [31, 52, 10],
    [53, 11, 32], [12, 33, 54], [34, 55, 13], [56, 14, 35], [15, 36, 57], [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41],
  ];
  let out = '';
  const enc = (v: number, n: number): void => {
    for (let i = 0; i < n; i++) {
      out += B64[v & 63];
      v >>>= 6;
    }
  };
  for (const [x, y, z] of order) enc(((a[x ?? 0] ?? 0) << 16) | ((a[y ?? 0] ?? 0) << 8) | (a[z ?? 0] ?? 0), 4);
  enc(a[63] ?? 0, 2);
  const roundsPart = rounds === 5000 ? '' : `rounds=${rounds}$`;
  return `$6$${roundsPart}${salt.slice(0, 16)}$${out}`;
}
