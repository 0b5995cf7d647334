import { createHash } from 'node:crypto';

/**
 * The SIS digest for a REST read: sha256 over every fetched record in canonical JSON (keys
 * sorted, `href` left out because it names the server, not the data), ordered by endpoint
 * then sourcedId. The same district therefore gives the same digest whatever the page size,
 * page order or host. Records are hashed as they arrive; only (endpoint, id, hash) is kept.
 */
export class RecordDigest {
  private readonly entries: string[] = [];

  add(endpoint: string, record: unknown): void {
    const id = typeof record === 'object' && record !== null && typeof (record as { sourcedId?: unknown }).sourcedId === 'string' ? (record as { sourcedId: string }).sourcedId : '';
    const h = createHash('sha256').update(canonicalJson(record)).digest('hex');
    this.entries.push(`${endpoint}\0${id}\0${h}\n`);
  }

  digest(): string {
    // Code-unit order (not locale order), and the hash breaks ties between duplicate ids.
    this.entries.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const h = createHash('sha256');
    for (const e of this.entries) h.update(e);
    return h.digest('hex');
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
