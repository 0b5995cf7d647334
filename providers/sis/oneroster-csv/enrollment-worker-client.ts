import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ExportFile } from '../csv-util/file-set.js';
import { ownString } from '../csv-util/intern.js';
import { cachedSize } from './cache-file.js';
import { PRIMARY_FALSE, PRIMARY_TRUE, type RowsMessage, type WorkerInput, type WorkerMessage } from './enrollment-batch.js';
import type { LaneTargets } from './enrollment-lane.js';
import type { ParseCtx, TableRows } from './parse.js';
import { ENROLLMENT_ROLES } from './values.js';

/**
 * A bulk enrollments.csv read on a worker thread (enrollment-worker.ts), started with the read
 * so it runs while the main thread reads orgs to roles; the main thread then only resolves the
 * references of the rows the worker took, in file order, with the same effect as the
 * enrollment lane. Rows the worker declined, and taken rows that do not resolve, go to the
 * general path, so diagnostics come out as from an in-thread read.
 */

/**
 * Below this size the worker costs more than it saves: besides its start-up (~50 ms) it runs
 * the CSV code cold, in a fresh isolate (a 10 MB file, 10k people, measured no faster).
 */
export const WORKER_MIN_BYTES = 32 << 20;

/** How many reads went through a worker (tests check the worker path really ran). */
export const workerStats = { replays: 0 };

export interface EnrollmentWorker {
  /**
   * Feed the worker's rows to `rows` and close the table; false when the worker failed before
   * any row was fed (the caller reads the file itself).
   */
  replay(ctx: ParseCtx, rows: TableRows, targets: LaneTargets): Promise<boolean>;
  /** Stop the worker (idempotent; after replay, or when it is not used). */
  cancel(): void;
}

export interface StartOptions {
  version: '1.1' | '1.2';
  /** Smallest file read on the worker. */
  minBytes: number;
  /** The parse cache: when it may hold this file (same size), the worker is not started. */
  cacheDir?: string;
}

/** Start reading `file` on a worker, or undefined when it is not worth it or not possible. */
export function startEnrollmentWorker(file: ExportFile, opts: StartOptions): EnrollmentWorker | undefined {
  if (!file.path || file.size < opts.minBytes) return undefined;
  // Compiled JavaScript only: under a TypeScript test runner there is no worker file.
  const url = new URL('./enrollment-worker.js', import.meta.url);
  if (url.protocol !== 'file:' || !existsSync(fileURLToPath(url))) return undefined;
  const input: WorkerInput = { kind: 'rollcall-enrollments', path: file.path, name: file.name, version: opts.version };
  return new Client(url, input, opts.cacheDir ? cachedSize(opts.cacheDir, 'enrollments.bin', 'enrollments').then((s) => s !== file.size).catch(() => true) : Promise.resolve(true));
}

class Client implements EnrollmentWorker {
  private worker: Worker | undefined;
  private readonly queue: WorkerMessage[] = [];
  private wake: (() => void) | undefined;
  private cancelled = false;
  private readonly started: Promise<boolean>;

  private readonly name: string;

  constructor(url: URL, input: WorkerInput, go: Promise<boolean>) {
    this.name = input.name;
    this.started = go.then((yes) => {
      if (!yes || this.cancelled) return false;
      const w = new Worker(url, { workerData: input });
      this.worker = w;
      let ended = false;
      w.on('message', (m: WorkerMessage) => {
        if (m.kind === 'end' || m.kind === 'fail') ended = true;
        this.push(m);
      });
      w.on('error', (e: Error) => {
        ended = true;
        this.push({ kind: 'fail', message: e.message });
      });
      w.on('exit', (code) => {
        if (!ended && !this.cancelled) this.push({ kind: 'fail', message: `enrollments worker exited with ${code}` });
      });
      return true;
    });
  }

  private push(m: WorkerMessage): void {
    this.queue.push(m);
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async next(): Promise<WorkerMessage> {
    while (this.queue.length === 0) await new Promise<void>((r) => (this.wake = r));
    return this.queue.shift()!;
  }

  cancel(): void {
    this.cancelled = true;
    void this.worker?.terminate();
    this.worker = undefined;
  }

  async replay(ctx: ParseCtx, rows: TableRows, targets: LaneTargets): Promise<boolean> {
    if (!(await this.started)) return false;
    let r: Replay | undefined;
    try {
      for (;;) {
        const m = await this.next();
        if (m.kind === 'fail') {
          if (r === undefined) return false;
          throw new Error(`reading enrollments on a worker: ${m.message}`);
        }
        if (m.kind === 'header') {
          r = new Replay(ctx, rows, targets, this.name, m.fields, m.line);
        } else if (m.kind === 'rows') {
          r!.batch(m);
          ctx.onProgress(r!.name, m.rows);
        } else {
          rows.done(m);
          workerStats.replays++;
          return true;
        }
      }
    } finally {
      this.cancel();
    }
  }
}

/** The main thread's half of the lane: references, dates, duplicate ids, then staging. */
class Replay {
  private readonly roles: string[];
  private readonly userRaw: string[] = [];
  private readonly person: number[] = [];
  private readonly classRaw: string[] = [];
  private readonly classId: (string | undefined)[] = [];
  private readonly schoolRaw: string[] = [];
  private readonly schoolOk: boolean[] = [];
  private readonly dateRaw: string[] = [];
  private readonly dateIso: (string | undefined)[] = [];
  private readonly ix: Record<string, number>;
  private readonly headerLength: number;

  constructor(
    private readonly ctx: ParseCtx,
    private readonly rows: TableRows,
    private readonly t: LaneTargets,
    readonly name: string,
    header: string[],
    line: number,
  ) {
    rows.handlers.onHeader(header, line);
    this.headerLength = header.length;
    this.roles = ENROLLMENT_ROLES.map((r) => ctx.intern.get(r));
    // The binding parse.ts made from this header (the worker made the same one).
    this.ix = ctx.columns.get(name) ?? {};
  }

  batch(m: RowsMessage): void {
    const t = this.t;
    for (const s of m.newUsers) {
      this.userRaw.push(s);
      this.person.push(t.person(s));
    }
    for (const s of m.newClasses) {
      this.classRaw.push(s);
      this.classId.push(t.classes.get(s)?.sourcedId);
    }
    for (const s of m.newSchools) {
      this.schoolRaw.push(s);
      this.schoolOk.push(t.orgs.has(s));
    }
    for (const s of m.newDates) {
      this.dateRaw.push(s);
      this.dateIso.push(undefined);
    }
    const onRow = this.rows.handlers.onRow;
    const seen = this.rows.seen;
    const { lines, users, classes, schools, codes, begins, ends, ids, idEnds, declinedAt } = m;
    let d = 0;
    let idStart = 0;
    for (let k = 0; k < m.n; k++) {
      while (d < declinedAt.length && declinedAt[d] === k) {
        onRow(m.declinedFields[d]!, m.declinedLines[d]!);
        d++;
      }
      const idEnd = idEnds[k]!;
      const id = ownString(ids.substring(idStart, idEnd));
      idStart = idEnd;
      const line = lines[k]!;
      const person = this.person[users[k]!]!;
      const cls = this.classId[classes[k]!];
      const b = begins[k]!;
      const e = ends[k]!;
      const begin = b < 0 ? undefined : this.date(b);
      const end = e < 0 ? undefined : this.date(e);
      if (person < 0 || cls === undefined || !this.schoolOk[schools[k]!] || (b >= 0 && begin === undefined) || (e >= 0 && end === undefined) || seen.get(id) !== undefined) {
        onRow(this.rebuild(k, m, id), line);
        continue;
      }
      const code = codes[k]!;
      seen.set(id, line);
      t.stage(person, this.ctx.records.enrollment(cls, this.roles[code & 7]!, code >> 3 === PRIMARY_TRUE, id, begin, end));
    }
    for (; d < declinedAt.length; d++) onRow(m.declinedFields[d]!, m.declinedLines[d]!);
  }

  /** The ISO date of a year-first value the general path has read once (DateReader.known), else undefined for now. */
  private date(i: number): string | undefined {
    const hit = this.dateIso[i];
    if (hit !== undefined) return hit;
    const iso = this.ctx.dates.known(this.dateRaw[i]!);
    if (iso !== undefined) this.dateIso[i] = this.ctx.intern.get(iso);
    return this.dateIso[i];
  }

  /** The fields of taken row k as the CSV reader would have given them (every other column was blank). */
  private rebuild(k: number, m: RowsMessage, id: string): string[] {
    const f = new Array<string>(this.headerLength).fill('');
    const ix = this.ix;
    const set = (c: string, v: string) => {
      const i = ix[c] ?? -1;
      if (i >= 0) f[i] = v;
    };
    const code = m.codes[k]!;
    set('sourcedId', id);
    set('classSourcedId', this.classRaw[m.classes[k]!]!);
    set('schoolSourcedId', this.schoolRaw[m.schools[k]!]!);
    set('userSourcedId', this.userRaw[m.users[k]!]!);
    set('role', ENROLLMENT_ROLES[code & 7]!);
    set('primary', code >> 3 === PRIMARY_TRUE ? 'true' : code >> 3 === PRIMARY_FALSE ? 'false' : '');
    if (m.begins[k]! >= 0) set('beginDate', this.dateRaw[m.begins[k]!]!);
    if (m.ends[k]! >= 0) set('endDate', this.dateRaw[m.ends[k]!]!);
    return f;
  }
}
