import type { StateDocument } from '../model/state.js';
import { setEntry } from './line-window.js';
import { EntryChecks, mapPointer } from './schema.js';

/**
 * How the PostgreSQL backend stores state that outgrows one value. PostgreSQL caps a jsonb
 * value at 255 MB and V8 a string at ~512 MB; a district of several hundred thousand people
 * passes both. So the state row keeps the document's shell (everything but the three big
 * maps, which are left empty) and `state_chunks` holds the maps' entries, a bounded number
 * per row, written in the same transaction as the shell and read in one snapshot.
 */

/** A map's rows are named by section: `registry`, `people`, or `last_applied:<target>`. */
export interface ChunkRow {
  section: string;
  chunk: number;
  /** JSON text of an object holding this chunk's entries. */
  entries: string;
}

/**
 * The stored shell says format_version 2: a rollcall from before chunks (which knows only 1)
 * then refuses the row as invalid instead of planning with empty maps, which would forget
 * every username ever issued.
 */
export const SHELL_FORMAT = 2;

/** The document with its big maps emptied, as stored in the state row. */
export function shellOf(doc: StateDocument): Omit<StateDocument, 'format_version'> & { format_version: typeof SHELL_FORMAT } {
  return { ...doc, format_version: SHELL_FORMAT, registry: {}, people: {}, last_applied: Object.fromEntries(Object.keys(doc.last_applied).map((t) => [t, {}])) };
}

/** The stored shell as the in-memory document's shell (format_version 1), or null when it is not a shell. */
export function documentOfShell(stored: unknown): unknown {
  if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) return null;
  const s = stored as Record<string, unknown>;
  return s.format_version === SHELL_FORMAT ? { ...s, format_version: 1 } : null;
}

/** The rows for the maps of `doc`, `size` entries each at most, in key order of each map. */
export function* chunkRows(doc: StateDocument, size: number): Generator<ChunkRow> {
  const sections: [string, Readonly<Record<string, unknown>>][] = [['registry', doc.registry], ['people', doc.people]];
  for (const t of Object.keys(doc.last_applied)) sections.push([`last_applied:${t}`, doc.last_applied[t] ?? {}]);
  for (const [section, map] of sections) {
    const keys = Object.keys(map);
    for (let from = 0, chunk = 0; from < keys.length; from += size, chunk++) {
      const parts: string[] = [];
      for (let i = from; i < Math.min(keys.length, from + size); i++) {
        const k = keys[i]!;
        parts.push(`${JSON.stringify(k)}:${JSON.stringify(map[k])}`);
      }
      yield { section, chunk, entries: `{${parts.join(',')}}` };
    }
  }
}

/**
 * The shell with the rows' entries put back, each entry checked against the state schema as
 * it goes in (the checks are returned for the caller's whole-document report). Rows must come
 * ordered by section and chunk; a row for a target the shell does not list, or text that is
 * not a JSON object, is reported by section and chunk.
 */
export function assembleDocument(shell: StateDocument, rows: Iterable<{ section: string; chunk: number; entries: string }>): { doc: StateDocument; checks: EntryChecks; problems: string[] } {
  const doc: StateDocument = { ...shell, registry: {}, people: {}, last_applied: {} };
  for (const t of Object.keys(shell.last_applied ?? {})) doc.last_applied[t] = {};
  const checks = new EntryChecks();
  const problems: string[] = [];
  for (const row of rows) {
    let into: Record<string, unknown> | undefined;
    let base: string;
    if (row.section === 'registry' || row.section === 'people') {
      into = doc[row.section] as Record<string, unknown>;
      base = mapPointer(row.section);
    } else if (row.section.startsWith('last_applied:')) {
      const target = row.section.slice('last_applied:'.length);
      into = doc.last_applied[target] as Record<string, unknown> | undefined;
      base = mapPointer('last_applied', target);
    } else base = '';
    if (into === undefined) {
      problems.push(`state chunk ${row.section}#${row.chunk} belongs to no map of the document`);
      continue;
    }
    let entries: unknown;
    try {
      entries = JSON.parse(row.entries);
    } catch {
      entries = undefined;
    }
    if (entries === null || typeof entries !== 'object' || Array.isArray(entries)) {
      problems.push(`state chunk ${row.section}#${row.chunk} is not a JSON object`);
      continue;
    }
    const obj = entries as Record<string, unknown>;
    for (const k of Object.keys(obj)) {
      checks.check(base, k, obj[k]);
      setEntry(into, k, obj[k]);
    }
  }
  return { doc, checks, problems };
}
