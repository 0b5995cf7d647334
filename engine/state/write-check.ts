import type { StateDocument } from '../model/state.js';
import { lineageError, serialError } from './lock-message.js';

/**
 * The checks every backend makes before replacing state, in one place so they agree:
 * the stored serial must be the one the caller read (optimistic concurrency on top of the
 * lock), and a write may not switch the state to another lineage. An empty lineage means
 * "not assigned yet": the stored one is kept, or a new one is minted on the first write.
 */
export function checkedDocument(
  where: string,
  stored: { serial: number; lineage: string } | null,
  state: StateDocument,
  expectedSerial: number,
  newLineage: () => string,
): StateDocument {
  const storedSerial = stored?.serial ?? 0;
  if (storedSerial !== expectedSerial) throw serialError(where, storedSerial, expectedSerial);
  const storedLineage = stored?.lineage ?? '';
  let lineage = state.lineage;
  if (lineage === '') lineage = storedLineage || newLineage();
  else if (storedLineage !== '' && storedLineage !== lineage) throw lineageError(where, storedLineage, lineage);
  return { ...state, lineage };
}
