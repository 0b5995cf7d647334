import { errorDiag } from '../model/diagnostics.js';
import { InputError } from '../model/errors.js';
import type { JournalEntry } from '../model/state.js';

/** The readJournal filter, shared so every backend answers the same question the same way. */
export interface JournalFilter {
  since?: string;
  anchor?: string;
  /** Only entries with a higher seq: what state has not folded in yet (its journal_seq). */
  afterSeq?: number;
}

/** `since` as epoch ms; a value that is not a date is the operator's mistake, not a bug. */
export function sinceMillis(filter: JournalFilter | undefined): number | undefined {
  if (filter?.since === undefined) return undefined;
  const ms = Date.parse(filter.since);
  if (Number.isNaN(ms)) throw new InputError([errorDiag('journal.since', `--since ${JSON.stringify(filter.since)} is not an ISO-8601 date or time`)]);
  return ms;
}

export function journalMatcher(filter: JournalFilter | undefined): (e: JournalEntry) => boolean {
  const since = sinceMillis(filter);
  const anchor = filter?.anchor;
  const afterSeq = filter?.afterSeq;
  return (e) => (since === undefined || Date.parse(e.at) >= since) && (anchor === undefined || e.anchor === anchor) && (afterSeq === undefined || e.seq > afterSeq);
}
