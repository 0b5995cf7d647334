import type { AttrMap, Change, ChangeKind } from '../model/plan.js';
import type { JournalEntry, StateDocument } from '../model/state.js';
import type { StateBackend } from '../model/state-backend.js';
import { recordOutcome } from './record.js';

/**
 * Crash recovery. An apply writes each change's intent and result to the journal before it
 * writes state (once, at the end). If it is killed in between, the journal holds results
 * that state does not: the next apply folds them in before it does anything else, so the
 * username registry never forgets a name that was issued. Pure: entries are the input.
 */

export interface Recovery {
  /** Journal entries after state's watermark. */
  pending: JournalEntry[];
  /** Applied results folded into state. */
  folded: number;
  /** Plan digests that have intents after the watermark: applies that never finished. */
  interruptedPlans: Set<string>;
  /** Highest journal seq seen. */
  lastSeq: number;
}

/**
 * Journal entries that may not be folded into state yet: those after state's watermark
 * (journal_seq). Plan and apply both read only these, not the whole (ever-growing) journal.
 * By sequence number, not time: a plan made with `--now` in the future must not hide the
 * results of an apply that crashed before it wrote state.
 */
export async function unfoldedJournal(backend: StateBackend, state: StateDocument): Promise<JournalEntry[]> {
  return backend.readJournal({ afterSeq: state.journal_seq ?? 0 });
}

export function foldJournal(state: StateDocument, entries: readonly JournalEntry[]): Recovery {
  const watermark = state.journal_seq ?? 0;
  const pending = entries.filter((e) => e.seq > watermark).sort((a, b) => a.seq - b.seq);
  const interruptedPlans = new Set<string>();
  let folded = 0;
  let lastSeq = watermark;
  for (const e of entries) lastSeq = Math.max(lastSeq, e.seq);
  for (const e of pending) {
    interruptedPlans.add(e.plan_digest);
    if (e.outcome !== 'applied') continue;
    const change = changeFromEntry(e);
    if (!change) continue;
    recordOutcome(state, change, { status: 'applied' }, e.at);
    folded++;
  }
  state.journal_seq = lastSeq;
  return { pending, folded, interruptedPlans, lastSeq };
}

function changeFromEntry(e: JournalEntry): Change | null {
  // change ids are `${target}:${kind}:${key}:${action}`.
  const kind = e.change_id.slice(e.target.length + 1).split(':')[0] as ChangeKind | undefined;
  if (!kind) return null;
  return {
    id: e.change_id,
    target: e.target,
    kind,
    action: e.action as Change['action'],
    ...(e.anchor ? { anchor: e.anchor } : {}),
    key: e.anchor ?? '',
    ...(e.before ? { before: e.before as AttrMap } : {}),
    ...(e.after ? { after: e.after as AttrMap } : {}),
    reason: { cause: e.cause as Change['reason']['cause'], detail: 'recovered from the journal' },
  };
}
