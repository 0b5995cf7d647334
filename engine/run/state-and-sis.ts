import type { SisReadResult } from '../model/provider.js';
import type { StateDocument } from '../model/state.js';
import { openState, readSis, type LoadedPolicy, type RunOptions } from './inputs.js';
import { foldJournal, unfoldedJournal } from './recover.js';
import { writeRosterSnapshot } from './sis-snapshot.js';

export interface StateAndSisOptions {
  /** Parse registry and last_applied entries only as they are looked up (StateReadOptions.deferMaps). */
  deferMaps: boolean;
  /** The plan is saved for apply: keep this export's roster beside state, the base for the next delta set. */
  saveSisSnapshot: boolean;
  /**
   * Read the SIS first and state after it, unless the SIS is a delta set (which needs state
   * first). `plan --base` (two plans, then the impact): 100,000 people peaked at 650 MB so,
   * 710-730 MB with state read first, in the same time. A plain plan keeps state first: while
   * it reads state, a worker hashes the SIS files the parse cache is checked by.
   */
  sisFirst?: boolean;
  /** Called as state, then the SIS, is read (benchmark timings). */
  clock?: (phase: string) => void;
}

/**
 * State and the SIS as every plan reads them (`plan`, `plan --base`, `impact verify`): side by
 * side, since the SIS's big files are hashed on a worker thread meanwhile (or the SIS first,
 * see sisFirst); only a delta set waits for state, for the roster of the last apply it applies
 * to. Read-only: nothing is written back to state.
 */
export async function readStateAndSis(loaded: LoadedPolicy, opts: RunOptions, o: StateAndSisOptions): Promise<{ state: StateDocument; sis: SisReadResult }> {
  let stateRead: Promise<StateDocument> | undefined;
  const readState = (): Promise<StateDocument> => {
    if (stateRead === undefined) {
      stateRead = readPlanState(loaded, opts, o.deferMaps);
      // Awaited below, after the SIS: a failure meanwhile must not count as unhandled.
      stateRead.catch(() => undefined);
    }
    return stateRead;
  };
  if (!o.sisFirst) readState();
  // Only a delta set asks for the roster of the last apply (and so for state) before it is read.
  const sisRead = readSis(loaded, opts, { recordIds: o.saveSisSnapshot }, () => readState().then((s) => s.sis, () => null));
  sisRead.catch(() => undefined); // if state fails first, that error is the one reported
  if (o.sisFirst) {
    await sisRead.catch(() => undefined);
    o.clock?.('ingest');
  }
  const state = await readState();
  o.clock?.('state');
  const sis = await sisRead;
  if (o.saveSisSnapshot) await writeRosterSnapshot(loaded.dir, sis.digest, sis.roster);
  if (!o.sisFirst) o.clock?.('ingest');
  return { state, sis };
}

async function readPlanState(loaded: LoadedPolicy, opts: RunOptions, deferMaps: boolean): Promise<StateDocument> {
  const backend = openState(loaded, opts);
  try {
    // An unfolded journal (below) touches only the targets it names and the registry, which
    // then parse whole.
    const read = await backend.read(deferMaps ? { deferMaps: true } : {});
    // An apply killed before it wrote state left results in the journal: plan as if folded,
    // so the plan does not re-adopt accounts rollcall itself just created. Only entries after
    // the last completed apply can be unfolded.
    foldJournal(read, await unfoldedJournal(backend, read));
    return read;
  } finally {
    await backend.close();
  }
}
