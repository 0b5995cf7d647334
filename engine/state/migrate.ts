import { isDeepStrictEqual } from 'node:util';
import { RefusedError } from '../model/errors.js';
import type { JournalEntry } from '../model/state.js';
import type { StateBackend } from '../model/state-backend.js';

/**
 * `rollcall state migrate`: copy state and journal from one backend to another, holding both
 * locks so no apply runs in between. Safe to re-run after a crash: the journal is appended
 * first (only the entries the destination lacks), then the state document replaces the
 * destination's. Refuses to go backwards or to overwrite a different state's history.
 */

function sameEntry(a: JournalEntry, b: JournalEntry): boolean {
  return a.seq === b.seq && a.change_id === b.change_id && a.outcome === b.outcome && a.at === b.at;
}

/** Returns the serial now in `to`, and how many journal entries were copied. */
export async function migrateState(from: StateBackend, to: StateBackend): Promise<{ serial: number; journalEntries: number }> {
  if (from.description === to.description) throw new RefusedError('state.migrate', `cannot migrate state ${from.description} onto itself`);
  const fromLock = await from.lock('migrate', 0);
  try {
    const toLock = await to.lock('migrate', 0);
    try {
      const source = await from.read();
      const dest = await to.read();
      if (dest.serial > source.serial) {
        throw new RefusedError(
          'state.migrate',
          `destination ${to.description} already holds newer state (serial ${dest.serial}) than ${from.description} (serial ${source.serial}); nothing was migrated`,
        );
      }
      if (dest.serial > 0 && dest.lineage !== source.lineage) {
        throw new RefusedError(
          'state.migrate',
          `destination ${to.description} holds a different state (lineage ${dest.lineage}, serial ${dest.serial}) than ${from.description} (lineage ${source.lineage}); nothing was migrated`,
        );
      }
      const sourceJournal = await from.readJournal();
      const destJournal = await to.readJournal();
      // The destination's journal must be a prefix of the source's: same history, maybe shorter.
      for (let i = 0; i < destJournal.length; i++) {
        const d = destJournal[i];
        const src = sourceJournal[i];
        if (!d || !src || !sameEntry(d, src)) {
          throw new RefusedError('state.migrate', `the journal in ${to.description} differs from ${from.description} at entry ${d?.seq ?? i + 1}; nothing was migrated`);
        }
      }
      const missing = sourceJournal.slice(destJournal.length);
      const CHUNK = 1000;
      for (let i = 0; i < missing.length; i += CHUNK) await to.appendJournal(missing.slice(i, i + CHUNK), toLock);
      // Compared structurally: a state of a million people is longer than any string.
      if (source.serial > 0 && (dest.serial !== source.serial || !isDeepStrictEqual(dest, source))) {
        await to.write(source, dest.serial, toLock);
      }
      return { serial: source.serial, journalEntries: missing.length };
    } finally {
      await toLock.release();
    }
  } finally {
    await fromLock.release();
  }
}
