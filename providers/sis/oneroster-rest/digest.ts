import { createHash } from 'node:crypto';

/**
 * The SIS digest for a REST read, independent of page size, page order and host.
 * - Each fetched record is hashed as sha256(endpoint NUL sourcedId NUL canonical JSON), where
 *   the canonical JSON has sorted keys and no `href` (which names the server, not the data).
 * - The record hashes are combined by addition mod 2^256, a multiset hash (MSet-Add-Hash,
 *   Clarke et al. 2003). The sum, like a hash over the records sorted by endpoint then
 *   sourcedId, depends only on which records were fetched. Unlike sorting, it needs constant
 *   memory, where sorting would hold one entry per record: 9 million at the issue's scale.
 * - The digest is sha256 over a version tag, the record count and the sum.
 */
export class RecordDigest {
  /** The sum as eight 32-bit limbs, least significant first. */
  private readonly acc = new Uint32Array(8);
  private count = 0;

  add(endpoint: string, record: unknown): void {
    const id = typeof record === 'object' && record !== null && typeof (record as { sourcedId?: unknown }).sourcedId === 'string' ? (record as { sourcedId: string }).sourcedId : '';
    const h = createHash('sha256').update(`${endpoint}\0${id}\0`).update(canonicalJson(record)).digest();
    let carry = 0;
    for (let i = 0; i < 8; i++) {
      const s = this.acc[i]! + h.readUInt32BE(28 - 4 * i) + carry;
      this.acc[i] = s >>> 0;
      carry = s > 0xffffffff ? 1 : 0;
    }
    this.count++;
  }

  digest(): string {
    const sum = Buffer.alloc(32);
    for (let i = 0; i < 8; i++) sum.writeUInt32BE(this.acc[i]!, 28 - 4 * i);
    return createHash('sha256').update(`oneroster-rest-records/1\n${this.count}\n`).update(sum).digest('hex');
  }
}

export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const keys = Object.keys(v).filter((k) => k !== 'href').sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
