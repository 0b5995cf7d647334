import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Org, Person } from '../../../engine/model/people.js';
import { DiagnosticSink } from '../csv-util/diagnostic-sink.js';
import { openFileSet } from '../csv-util/file-set.js';
import { lineCount, lineHashes } from './line-hashes.js';
import { findFile, readManifest } from './manifest.js';
import { makeCtx } from './read.js';
import { RecordMaker } from './record-maker.js';
import { checkUser, type RefIndex } from './refs.js';
import { changedRowLines, changedRowsText, readChangedRows } from './users-patch.js';

/**
 * The users.csv rows that changed in place since a plan base was made (engine/incremental),
 * read as a full parse reads them, without reading the rest of the export: the lines whose
 * hash differs from the hashes stored with the base, through the same row reading and
 * reference checks (users-patch.ts). Anything a full parse could read differently declines,
 * and the caller plans in full: a header, line count or id that changed, a row that reports
 * anything or is not active, a quote left open, a 1.1-layout set (its users.csv carries
 * roles), or more than 5% of the rows changed.
 */

export interface ChangedUserRow {
  /** 1-based line in users.csv, as `Person.source.line`. */
  line: number;
  /** The row as a parse makes it: users.csv's fields (ROW_FIELDS of users-patch.ts) and the sourcedId. */
  person: Person;
}

export type ChangedUsers =
  | { rows: ChangedUserRow[]; usersFile: string; sha256: string }
  | { decline: string };

export async function readChangedUsers(location: string, stored: Int32Array, orgs: readonly Org[]): Promise<ChangedUsers> {
  const set = await openFileSet(location).catch(() => undefined);
  if (!set) return { decline: 'the export cannot be opened' };
  try {
    const sink = new DiagnosticSink();
    // Its warnings are the base's (the caller checked manifest.csv is the file the base read).
    const manifest = await readManifest(set, sink);
    if (manifest.modes.users !== 'bulk' || manifest.modes.roles !== 'bulk') return { decline: 'users.csv and roles.csv are not both bulk files' };
    const file = findFile(set, 'users');
    if (!file?.path) return { decline: 'users.csv is not a file on disk (a zip export)' };
    const buf = await readFile(file.path);
    const sha256 = createHash('sha256').update(buf).digest('hex');
    const lines = lineCount(buf);
    const changed = changedRowLines(stored, lineHashes(buf, lines), lines - 1);
    if (typeof changed === 'string') return { decline: changed };
    if (changed.length === 0) return { rows: [], usersFile: file.name, sha256 };
    const text = changedRowsText(buf, changed);
    if (typeof text === 'string') return { decline: text };
    const ctx = makeCtx(sink, manifest, new Map(), {}, new RecordMaker(false));
    const idx = refIndex(orgs);
    const read = await readChangedRows(ctx, file.name, text, (r, s) => checkUser(s, idx, r));
    if (!read || read.length !== changed.length) return { decline: 'a changed users.csv row reports a problem' };
    return { rows: read.map((person, j) => ({ line: changed[j]! + 1, person })), usersFile: file.name, sha256 };
  } finally {
    await set.close();
  }
}

/** What the reference checks of a users.csv row look at: the orgs (every other table is read by later files). */
function refIndex(orgs: readonly Org[]): RefIndex {
  return { orgs: new Map(orgs.map((o) => [o.sourcedId, o])), sessions: undefined, courses: undefined, classes: undefined, users: new Set(), deleted: new Set(), col: () => undefined };
}
