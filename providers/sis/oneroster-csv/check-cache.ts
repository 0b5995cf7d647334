import type { SourceRange } from '../../../engine/model/diagnostics.js';
import { CacheWriter, cacheKey, readCacheFile } from './cache-file.js';
import type { CheckSink } from './checks.js';

/**
 * The outcome of the whole-roster checks (checks.ts), kept beside the parse cache: at a million
 * people they walk everyone and hash every email. On a bulk read their outcome is a function of
 * the files the roster was read from (every one but enrollments.csv, which gives people no role,
 * email or name), of whether orgs can be checked, and of the orgs already reported broken; the
 * key covers exactly those. Stored as the diagnostics they reported, in order, and given to the
 * sink again the same way, so counts and caps come out as from a run of the checks.
 *
 * Columns: severity (0 warning, 1 error), has a source, line, column (-1: none);
 * strings: code, summary, detail, file of each diagnostic.
 */

const KIND = 'checks';
export const CHECKS_FILE = `${KIND}.bin`;

interface Recorded {
  error: boolean;
  code: string;
  summary: string;
  source: SourceRange | undefined;
  detail: string | undefined;
}

interface ChecksExtra {
  rows: number;
}

/**
 * The key for the checks of a roster read from the files in `digests` (name -> sha256), leaving
 * out `skip` (the enrollments file), with the two inputs that are not files.
 */
export function checksKey(digests: ReadonlyMap<string, string>, skip: string | undefined, orgsKnown: boolean, brokenOrgs: ReadonlySet<string>): string {
  const files = new Map([...digests].filter(([name]) => name !== skip));
  return cacheKey(KIND, `orgsKnown ${orgsKnown}\0broken ${JSON.stringify([...brokenOrgs].sort())}`, files);
}

/** Passes every report on to `sink` and keeps it, for saveChecks. */
export class CheckRecorder implements CheckSink {
  readonly list: Recorded[] = [];
  constructor(private readonly sink: CheckSink) {}

  warn(code: string, summary: string, source?: SourceRange, detail?: string): void {
    this.list.push({ error: false, code, summary, source, detail });
    this.sink.warn(code, summary, source, detail);
  }

  error(code: string, summary: string, source?: SourceRange, detail?: string): void {
    this.list.push({ error: true, code, summary, source, detail });
    this.sink.error(code, summary, source, detail);
  }
}

/** Report the stored outcome for `key` to `sink`; false (nothing reported) when there is none usable. */
export async function replayChecks(dir: string, key: string, sink: CheckSink): Promise<boolean> {
  const c = await readCacheFile<ChecksExtra>(dir, CHECKS_FILE, KIND, key);
  if (!c) return false;
  const list: Recorded[] = [];
  try {
    const { header: h, ints, strings } = c;
    const n = h.rows;
    if (!Number.isInteger(n) || ints.length !== 4 * n) return false;
    for (let i = 0; i < n; i++) {
      const severity = ints[i]!;
      const hasSource = ints[n + i]!;
      const line = ints[2 * n + i]!;
      const column = ints[3 * n + i]!;
      if ((severity !== 0 && severity !== 1) || (hasSource !== 0 && hasSource !== 1) || line < -1 || column < -1) return false;
      const code = strings.next();
      const summary = strings.next();
      const detail = strings.next();
      const file = strings.next();
      // The shape of a Person's source (file, then line), as the checks pass it.
      const source: SourceRange | undefined = hasSource ? { file, ...(line >= 0 ? { line } : {}), ...(column >= 0 ? { column } : {}) } : undefined;
      list.push({ error: severity === 1, code, summary, source, detail: detail === '' ? undefined : detail });
    }
    if (!strings.done()) return false;
  } catch {
    return false;
  }
  // Only once the whole file has been read: a bad one reports nothing.
  for (const d of list) {
    if (d.error) sink.error(d.code, d.summary, d.source, d.detail);
    else sink.warn(d.code, d.summary, d.source, d.detail);
  }
  return true;
}

export async function saveChecks(dir: string, key: string, list: readonly Recorded[]): Promise<void> {
  const n = list.length;
  const ints = new Int32Array(4 * n);
  const strings = CacheWriter.open(dir, CHECKS_FILE);
  if (!strings) return;
  for (let i = 0; i < n; i++) {
    const d = list[i]!;
    ints[i] = d.error ? 1 : 0;
    ints[n + i] = d.source ? 1 : 0;
    ints[2 * n + i] = d.source?.line ?? -1;
    ints[3 * n + i] = d.source?.column ?? -1;
    strings.add(d.code);
    strings.add(d.summary);
    strings.add(d.detail ?? '');
    strings.add(d.source?.file ?? '');
  }
  await strings.finish({ kind: KIND, key, size: 0, rows: n }, ints);
}
