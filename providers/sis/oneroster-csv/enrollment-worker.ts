import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { readCsv, type RowSpans } from '../csv-util/csv-stream.js';
import { bindHeader } from '../csv-util/header.js';
import { ownString } from '../csv-util/intern.js';
import { tableSpec } from './columns.js';
import { edge, same } from './row-spans.js';
import { type EndMessage, type FailMessage, PRIMARY_BLANK, PRIMARY_FALSE, PRIMARY_TRUE, type RowsMessage, type WorkerInput } from './enrollment-batch.js';
import { ENROLLMENT_ROLES } from './values.js';

/**
 * Worker thread: reads a bulk enrollments.csv while the main thread reads the files before it
 * (enrollment-worker-client.ts). It does every check of the enrollment lane that needs nothing
 * from the other files (shape, blank status, id, role, primary) and leaves the references and
 * dates to the main thread. A row it takes must be rebuilt exactly from what it sends, so a
 * taken row has every column outside the lane's blank; the main thread hands the rows it cannot
 * resolve, rebuilt, to the general path.
 */

const ROLES: readonly string[] = ENROLLMENT_ROLES;
const input = workerData as WorkerInput | undefined;
if (!isMainThread && parentPort && input?.kind === 'rollcall-enrollments') {
  const port = parentPort;
  run(input, (m, transfer) => port.postMessage(m, transfer)).catch((e: unknown) => {
    const fail: FailMessage = { kind: 'fail', message: (e as Error).message };
    port.postMessage(fail);
  });
}

type Post = (m: unknown, transfer?: ArrayBuffer[]) => void;

async function run(inp: WorkerInput, post: Post): Promise<void> {
  const { size } = await stat(inp.path);
  const file = { name: inp.name, size, path: inp.path, open: () => Promise.resolve(createReadStream(inp.path, { highWaterMark: 1 << 20 })) };
  let batch: Batch | undefined;
  let rows = 0;
  const res = await readCsv(
    file,
    {
      onHeader(fields, line) {
        post({ kind: 'header', fields: fields.slice(), line });
        const b = bindHeader(inp.name, fields, line, tableSpec('enrollments', inp.version), 'bulk');
        if (!b.ok) return false;
        batch = new Batch(b.index, fields.length);
        return true;
      },
      onRow(fields, line) {
        rows++;
        batch!.decline(fields.slice(), line);
      },
      onPlainRow(row, line) {
        if (batch === undefined || !batch.take(row, line)) return false;
        rows++;
        return true;
      },
    },
    {
      onProgress() {
        if (batch?.pending()) batch.flush(rows, post);
      },
    },
  );
  if (batch?.pending()) batch.flush(rows, post);
  const end: EndMessage = { kind: 'end', sha256: res.sha256, diagnostics: res.diagnostics };
  post(end);
}

/** Rows taken and declined since the last message, and the string tables so far. */
class Batch {
  private readonly iId: number;
  private readonly iClass: number;
  private readonly iSchool: number;
  private readonly iUser: number;
  private readonly iRole: number;
  private readonly iPrimary: number;
  private readonly iBegin: number;
  private readonly iEnd: number;
  /** Columns a taken row must leave blank (status, dateLastModified, anything else). */
  private readonly blank: number[] = [];
  private readonly userIx = new Map<string, number>();
  private readonly classIx = new Map<string, number>();
  private readonly schoolIx = new Map<string, number>();
  private readonly dateIx = new Map<string, number>();
  private cap = 4096;
  private n = 0;
  private lines = new Int32Array(this.cap);
  private users = new Int32Array(this.cap);
  private classes = new Int32Array(this.cap);
  private schools = new Int32Array(this.cap);
  private codes = new Uint8Array(this.cap);
  private begins = new Int32Array(this.cap);
  private ends = new Int32Array(this.cap);
  private idEnds = new Int32Array(this.cap);
  private idLength = 0;
  private ids: string[] = [];
  private newUsers: string[] = [];
  private newClasses: string[] = [];
  private newSchools: string[] = [];
  private newDates: string[] = [];
  private declinedAt: number[] = [];
  private declinedLines: number[] = [];
  private declinedFields: string[][] = [];
  // Rows come grouped by user: the previous row's raw text of a column and its index.
  private userRaw = '\0';
  private user = -1;
  private schoolRaw = '\0';
  private school = -1;
  private roleRaw = '\0';
  private role = -1;
  private beginRaw = '\0';
  private begin = -1;
  private endRaw = '\0';
  private end = -1;

  constructor(
    ix: Record<string, number>,
    private readonly headerLength: number,
  ) {
    const col = (c: string) => ix[c] ?? -1;
    this.iId = col('sourcedId');
    this.iClass = col('classSourcedId');
    this.iSchool = col('schoolSourcedId');
    this.iUser = col('userSourcedId');
    this.iRole = col('role');
    this.iPrimary = col('primary');
    this.iBegin = col('beginDate');
    this.iEnd = col('endDate');
    const used = new Set([this.iId, this.iClass, this.iSchool, this.iUser, this.iRole, this.iPrimary, this.iBegin, this.iEnd]);
    for (let k = 0; k < headerLength; k++) if (!used.has(k)) this.blank.push(k);
  }

  pending(): boolean {
    return this.n > 0 || this.declinedAt.length > 0;
  }

  decline(fields: string[], line: number): void {
    this.declinedAt.push(this.n);
    this.declinedLines.push(line);
    this.declinedFields.push(fields);
  }

  take(row: RowSpans, line: number): boolean {
    if (row.quoted || row.count !== this.headerLength || this.iId < 0 || this.iClass < 0 || this.iSchool < 0 || this.iUser < 0 || this.iRole < 0) return false;
    const text = row.text;
    const st = row.start;
    const et = row.end;
    const blank = this.blank;
    for (let j = 0; j < blank.length; j++) if (et[blank[j]!] !== st[blank[j]!]) return false;

    let s = st[this.iId]!;
    let e = et[this.iId]!;
    if (e === s || edge(text.charCodeAt(s)) || edge(text.charCodeAt(e - 1))) return false;
    const idS = s;
    const idE = e;

    s = st[this.iUser]!;
    e = et[this.iUser]!;
    if (e === s) return false;
    if (!same(text, s, e, this.userRaw)) {
      this.userRaw = text.substring(s, e);
      this.user = index(this.userIx, this.newUsers, this.userRaw);
    }

    s = st[this.iSchool]!;
    e = et[this.iSchool]!;
    if (e === s) return false;
    if (!same(text, s, e, this.schoolRaw)) {
      this.schoolRaw = text.substring(s, e);
      this.school = index(this.schoolIx, this.newSchools, this.schoolRaw);
    }

    s = st[this.iRole]!;
    e = et[this.iRole]!;
    if (!same(text, s, e, this.roleRaw)) {
      const raw = text.substring(s, e);
      const r = ROLES.indexOf(raw);
      if (r < 0) return false;
      this.roleRaw = raw;
      this.role = r;
    }

    let primary = PRIMARY_BLANK;
    if (this.iPrimary >= 0 && et[this.iPrimary] !== st[this.iPrimary]) {
      s = st[this.iPrimary]!;
      e = et[this.iPrimary]!;
      if (same(text, s, e, 'true')) primary = PRIMARY_TRUE;
      else if (same(text, s, e, 'false')) primary = PRIMARY_FALSE;
      else return false;
    }

    let b = -1;
    if (this.iBegin >= 0 && et[this.iBegin] !== st[this.iBegin]) {
      s = st[this.iBegin]!;
      e = et[this.iBegin]!;
      if (!same(text, s, e, this.beginRaw)) {
        this.beginRaw = text.substring(s, e);
        this.begin = index(this.dateIx, this.newDates, this.beginRaw);
      }
      b = this.begin;
    }
    let en = -1;
    if (this.iEnd >= 0 && et[this.iEnd] !== st[this.iEnd]) {
      s = st[this.iEnd]!;
      e = et[this.iEnd]!;
      if (!same(text, s, e, this.endRaw)) {
        this.endRaw = text.substring(s, e);
        this.end = index(this.dateIx, this.newDates, this.endRaw);
      }
      en = this.end;
    }

    const cls = index(this.classIx, this.newClasses, text.substring(st[this.iClass]!, et[this.iClass]!));

    if (this.n === this.cap) this.grow();
    const k = this.n++;
    this.lines[k] = line;
    this.users[k] = this.user;
    this.schools[k] = this.school;
    this.classes[k] = cls;
    this.codes[k] = this.role + primary * 8;
    this.begins[k] = b;
    this.ends[k] = en;
    this.ids.push(text.substring(idS, idE));
    this.idLength += idE - idS;
    this.idEnds[k] = this.idLength;
    return true;
  }

  flush(rows: number, post: Post): void {
    const n = this.n;
    const m: RowsMessage = {
      kind: 'rows',
      n,
      lines: this.lines.slice(0, n),
      users: this.users.slice(0, n),
      classes: this.classes.slice(0, n),
      schools: this.schools.slice(0, n),
      codes: this.codes.slice(0, n),
      begins: this.begins.slice(0, n),
      ends: this.ends.slice(0, n),
      ids: this.ids.join(''),
      idEnds: this.idEnds.slice(0, n),
      newUsers: this.newUsers,
      newClasses: this.newClasses,
      newSchools: this.newSchools,
      newDates: this.newDates,
      declinedAt: this.declinedAt,
      declinedLines: this.declinedLines,
      declinedFields: this.declinedFields,
      rows,
    };
    post(m, [m.lines.buffer, m.users.buffer, m.classes.buffer, m.schools.buffer, m.codes.buffer, m.begins.buffer, m.ends.buffer, m.idEnds.buffer] as ArrayBuffer[]);
    this.n = 0;
    this.idLength = 0;
    this.ids = [];
    this.newUsers = [];
    this.newClasses = [];
    this.newSchools = [];
    this.newDates = [];
    this.declinedAt = [];
    this.declinedLines = [];
    this.declinedFields = [];
  }

  private grow(): void {
    this.cap *= 2;
    const i32 = (a: Int32Array) => {
      const b = new Int32Array(this.cap);
      b.set(a);
      return b;
    };
    this.lines = i32(this.lines);
    this.users = i32(this.users);
    this.classes = i32(this.classes);
    this.schools = i32(this.schools);
    this.begins = i32(this.begins);
    this.ends = i32(this.ends);
    this.idEnds = i32(this.idEnds);
    const codes = new Uint8Array(this.cap);
    codes.set(this.codes);
    this.codes = codes;
  }
}

/** The index of `s` in a table that grows across batches; new entries also go to `added`. */
function index(map: Map<string, number>, added: string[], s: string): number {
  let i = map.get(s);
  if (i === undefined) {
    // A flat copy: a substring would pin the 1 MiB chunk it came from for the rest of the file.
    const own = ownString(s);
    i = map.size;
    map.set(own, i);
    added.push(own);
  }
  return i;
}
