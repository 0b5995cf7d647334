import type { Diagnostic } from '../../../engine/model/diagnostics.js';

/**
 * What the enrollments worker (enrollment-worker.ts) sends the main thread, in file order.
 * Rows it takes travel as typed arrays (transferred, not cloned) of indices into string tables
 * that grow across batches, with their ids packed into one string; the main thread resolves
 * the references. Every other row travels as its fields, for the general path.
 */

export interface WorkerInput {
  kind: 'rollcall-enrollments';
  path: string;
  name: string;
  version: '1.1' | '1.2';
}

export interface HeaderMessage {
  kind: 'header';
  fields: string[];
  line: number;
}

export interface RowsMessage {
  kind: 'rows';
  /** Rows taken in this batch. */
  n: number;
  lines: Int32Array;
  users: Int32Array;
  classes: Int32Array;
  schools: Int32Array;
  /** Index into ENROLLMENT_ROLES, plus primary (PRIMARY_*) times 8. */
  codes: Uint8Array;
  /** Index into the dates table, or -1 for a blank field. */
  begins: Int32Array;
  ends: Int32Array;
  /** The taken rows' ids, concatenated; idEnds[k] is where the k-th ends. */
  ids: string;
  idEnds: Int32Array;
  /** Entries appended to the string tables by this batch. */
  newUsers: string[];
  newClasses: string[];
  newSchools: string[];
  newDates: string[];
  /** Rows for the general path: each comes right before taken row declinedAt[i] (n: after the last). */
  declinedAt: number[];
  declinedLines: number[];
  declinedFields: string[][];
  /** Data rows read so far (progress). */
  rows: number;
}

export interface EndMessage {
  kind: 'end';
  sha256: string;
  diagnostics: Diagnostic[];
}

export interface FailMessage {
  kind: 'fail';
  message: string;
}

export type WorkerMessage = HeaderMessage | RowsMessage | EndMessage | FailMessage;

export const PRIMARY_BLANK = 0;
export const PRIMARY_TRUE = 1;
export const PRIMARY_FALSE = 2;
