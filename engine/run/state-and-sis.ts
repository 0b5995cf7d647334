import type { SisReadResult } from '../model/provider.js';
import type { StateDocument } from '../model/state.js';
import { openState, readSis, type LoadedPolicy, type RunOptions } from './inputs.js';
import { foldJournal, unfoldedJournal } from './recover.js';
import { writeRosterSnapshot } from './sis-snapshot.js';

/**
 * State and the SIS as every plan reads them (`plan`, `plan --base`, `impact verify`): side by
 * side, since the SIS's big files are hashed on a worker thread meanwhile; only a delta set
 * waits for state, for the roster of the last apply it applies to. Read-only: nothing is
 * written back to state.
 */
export interface StateAndSisOptions {
  /** Parse registry and last_applied entries only as they are looked up (StateReadOptions.deferMaps). */
  deferMaps: boolean;
  /** The plan is saved for apply: keep this export's roster beside state, the base for the next delta set. */
  saveSisSnapshot: boolean;
  /** Called as state, then the SIS, is read (benchmark timings). */
  clock?: (phase: string) => void;
}

export async function readStateAndSis(loaded: LoadedPolicy, opts: RunOptions, o: StateAndSisOptions): Promise<{ state: StateDocument; sis: SisReadResult }> {
  const backend = openState(loaded, opts);
  const stateRead = (async (): Promise<StateDocument> => {
    try {
      // An unfolded journal (below) touches only the targets it names and the registry, which
      // then parse whole.
      const read = await backend.read(o.deferMaps ? { deferMaps: true } : {});
      // An apply killed before it wrote state left results in the journal: plan as if folded,
      // so the plan does not re-adopt accounts rollcall itself just created. Only entries after
      // the last completed apply can be unfolded.
      foldJournal(read, await unfoldedJournal(backend, read));
      return read;
    } finally {
      await backend.close();
    }
  })();
  const sisRead = readSis(loaded, opts, { recordIds: o.saveSisSnapshot }, stateRead.then((s) => s.sis, () => null));
  sisRead.catch(() => undefined); // if state fails first, that error is the one reported
  const state = await stateRead;
  o.clock?.('state');
  const sis = await sisRead;
  if (o.saveSisSnapshot) await writeRosterSnapshot(loaded.dir, sis.digest, sis.roster);
  o.clock?.('ingest');
  return { state, sis };
}
