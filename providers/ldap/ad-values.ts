/**
 * Active Directory value encodings: userAccountControl bits and objectGUID.
 */

export const UAC_ACCOUNTDISABLE = 0x0002;
export const UAC_NORMAL_ACCOUNT = 0x0200;

/** New UAC with only the disable bit changed, so other bits (e.g. DONT_EXPIRE_PASSWORD) stay. */
export function uacWithEnabled(current: number, enabled: boolean): number {
  return enabled ? current & ~UAC_ACCOUNTDISABLE : current | UAC_ACCOUNTDISABLE;
}

export function uacEnabled(uac: number): boolean {
  return (uac & UAC_ACCOUNTDISABLE) === 0;
}

/**
 * objectGUID bytes -> the usual string form. The first three fields are little-endian on the
 * wire (Microsoft GUID layout), so `{01020304-...}` is stored as 04 03 02 01.
 */
export function guidToString(buf: Buffer): string {
  if (buf.length !== 16) throw new Error('objectGUID must be 16 bytes');
  const h = (start: number, end: number, reverse: boolean): string => {
    const part = [...buf.subarray(start, end)];
    return (reverse ? part.reverse() : part).map((b) => b.toString(16).padStart(2, '0')).join('');
  };
  return `${h(0, 4, true)}-${h(4, 6, true)}-${h(6, 8, true)}-${h(8, 10, false)}-${h(10, 16, false)}`;
}

export function guidToBytes(guid: string): Buffer {
  const m = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i.exec(guid);
  if (!m) throw new Error('not a GUID');
  const le = (s: string): Buffer => Buffer.from(s, 'hex').reverse();
  return Buffer.concat([le(m[1] as string), le(m[2] as string), le(m[3] as string), Buffer.from(m[4] as string, 'hex'), Buffer.from(m[5] as string, 'hex')]);
}

export function isGuid(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}
