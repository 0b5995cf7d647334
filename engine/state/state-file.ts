import { closeSync, fstatSync, openSync, promises as fs } from 'node:fs';
import { errorDiag } from '../model/diagnostics.js';
import { InputError } from '../model/errors.js';
import type { AccountAttrs } from '../model/accounts.js';
import type { PersonState, RegistryEntry, StateDocument } from '../model/state.js';
import { stringifyLine } from './canonical-json.js';
import { readIfExists, replaceFileDurablyFrom } from './fs-durable.js';
import { lazyMap, scanSection } from './lazy-section.js';
import { BufferLines, expectEnd, expectLine, LayoutError, type Lines, LineWindow, readMapBody, setEntry } from './line-window.js';
import { EntryChecks, mapPointer, parseJsonAt } from './schema.js';
import { POOL_SECTION, StringPool } from './string-pool.js';

/**
 * The local state file, format 2: still one JSON document, but laid out one map entry per
 * line, so it is written as a stream and read in window-sized pieces. A district of a million
 * people gives a file larger than V8's largest string (~512 MB), which format 1 (one
 * pretty-printed string) could neither write nor read.
 *
 *   {"format_version":2,"lineage":"...","serial":7,"journal_seq":42,"sis":{...},
 *   "registry":{
 *   "jdoe":{"anchor":"stu-1","issued_at":"..."},
 *   ...
 *   },
 *   "people":{
 *   ...
 *   },
 *   "last_applied":{
 *   "sandbox":{
 *   "stu-1":{"displayName":"...",...},
 *   ...
 *   }
 *   }
 *   }
 *
 * Keys are sorted, so a committed state diffs by the entries that changed. In memory the
 * document keeps format_version 1: the document did not change, only its layout on disk.
 * A file that is valid JSON but not in this layout (format 1, or a hand-reformatted file)
 * is read whole, as before, when it fits in a string.
 */

export const FILE_FORMAT = 2;
const HEADER_PREFIX = `{"format_version":${FILE_FORMAT},`;

/** What a state file's first bytes say about it, for the pre-write serial/lineage check. */
const HEADER_V2 = /^\{"format_version":2,"lineage":"([0-9A-Za-z-]*)","serial":(\d+),/;
const HEADER_V1 = /^\{\n {2}"format_version": 1,\n {2}"lineage": "([0-9A-Za-z-]*)",\n {2}"serial": (\d+),\n/;

export function headerFromHead(head: string): { lineage: string; serial: number } | null {
  const m = HEADER_V2.exec(head) ?? HEADER_V1.exec(head);
  return m?.[1] !== undefined && m[2] !== undefined ? { lineage: m[1], serial: Number(m[2]) } : null;
}

/**
 * One entry's JSON with its keys sorted, as format 1 had them. Written by hand because
 * JSON.stringify with a key list leaves V8's fast path, which at a million entries is most
 * of the write. The document was validated first, so every entry has exactly its schema's keys.
 */
const q = JSON.stringify;

const registryJson = (e: RegistryEntry): string => `{"anchor":${q(e.anchor)},"issued_at":${q(e.issued_at)}}`;

const attrsJson = (a: AccountAttrs): string =>
  `{"displayName":${q(a.displayName)},"email":${q(a.email)},"enabled":${a.enabled ? 'true' : 'false'},"familyName":${q(a.familyName)},"givenName":${q(a.givenName)},"path":${q(a.path)},"username":${q(a.username)}}`;

const PERSON_KEYS = [
  'deleted_at', 'delete_after', 'first_seen', 'graduated_at', 'last_grad_year', 'last_grade', 'last_role', 'last_school',
  'missing_since', 'previous_usernames', 'suspended_at', 'username',
].sort() as (keyof PersonState)[];

function personJson(p: PersonState): string {
  let out = '';
  for (const k of PERSON_KEYS) {
    const v = p[k];
    if (v !== undefined) out += `${out === '' ? '{' : ','}"${k}":${q(v)}`;
  }
  return out === '' ? '{}' : `${out}}`;
}

const WRITE_BATCH = 1 << 20;

function* entryLines<T>(map: Readonly<Record<string, T>>, json: (entry: T) => string): Generator<string> {
  const names = Object.keys(map).sort();
  const last = names.length - 1;
  for (let i = 0; i <= last; i++) {
    const k = names[i] as string;
    yield `${q(k)}:${json(map[k] as T)}${i === last ? '\n' : ',\n'}`;
  }
}

function* documentLines(doc: StateDocument): Generator<string> {
  const header: Record<string, unknown> = { format_version: FILE_FORMAT, lineage: doc.lineage, serial: doc.serial };
  if (doc.journal_seq !== undefined) header.journal_seq = doc.journal_seq;
  header.sis = doc.sis;
  // stringifyLine sorts keys; the header's own order (version, lineage, serial first) is fixed here.
  yield `{${Object.entries(header).map(([k, v]) => `${JSON.stringify(k)}:${v !== null && typeof v === 'object' ? stringifyLine(v) : JSON.stringify(v)}`).join(',')},\n`;
  yield '"registry":{\n';
  yield* entryLines(doc.registry, registryJson);
  yield '},\n"people":{\n';
  yield* entryLines(doc.people, personJson);
  yield '},\n"last_applied":{\n';
  const targets = Object.keys(doc.last_applied).sort();
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i] as string;
    yield `${JSON.stringify(t)}:{\n`;
    yield* entryLines(doc.last_applied[t] ?? {}, attrsJson);
    yield i === targets.length - 1 ? '}\n' : '},\n';
  }
  yield '}\n}\n';
}

/** Lines gathered into batches, so a write is a few hundred calls rather than millions. */
function* batched(lines: Iterable<string>): Generator<string> {
  let parts: string[] = [];
  let size = 0;
  for (const l of lines) {
    parts.push(l);
    size += l.length;
    if (size >= WRITE_BATCH) {
      yield parts.join('');
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) yield parts.join('');
}

/** The text of a document in format 2, for tests and tools; the backend streams it instead. */
export function stateFileText(doc: StateDocument): string {
  return [...documentLines(doc)].join('');
}

/** Atomically replace the state file with `doc` (validated by the caller), streamed. */
export async function writeStateFile(path: string, doc: StateDocument): Promise<void> {
  await replaceFileDurablyFrom(path, batched(documentLines(doc)));
}

export interface ReadStateFileOptions {
  /** Check every map entry against the schema while parsing (see ParsedStateFile.checks). */
  checkEntries?: boolean;
  /**
   * Keep the registry and each target's last_applied map as the file's bytes and parse an
   * entry when it is first used (lazy-section.ts): for a run that looks up a few entries and
   * writes nothing. Entries are then checked (with checkEntries) and reported broken only when
   * touched; people and the rest of the document are read and checked as usual. No I/O
   * happens after the read.
   */
  deferMaps?: boolean;
  /** Bytes read at a time; no string built while reading is much longer. */
  windowBytes?: number;
  /** Files up to this size that are not in the line layout are parsed whole. */
  wholeFileLimit?: number;
}

/** Below V8's string limit (2^29 - 24 UTF-16 units) with room for multi-byte text. */
const WHOLE_FILE_LIMIT = 400 * 2 ** 20;
const WINDOW_BYTES = 4 * 2 ** 20;

const TARGET_OPEN = /^("(?:[^"\\]|\\.)*"):\{$/;

interface Deferral {
  file: string;
  windowBytes: number;
}

function readLayout(lines: LineWindow, headerLine: string, checks: EntryChecks | undefined, deferral?: Deferral): Record<string, unknown> {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(`${headerLine.slice(0, -1)}}`) as Record<string, unknown>;
  } catch {
    throw new LayoutError(0, 'the first line is not a valid header');
  }
  const pool = new StringPool();
  const section = (from: Lines, kind: keyof typeof POOL_SECTION, base: string): Record<string, unknown> => {
    const pooled = POOL_SECTION[kind];
    const onEntry = checks
      ? (k: string, v: unknown): void => {
          pooled(v, pool);
          checks.check(base, k, v);
        }
      : (_k: string, v: unknown): void => pooled(v, pool);
    return readMapBody(from, onEntry);
  };
  // Deferred, a section's bytes are kept and its entries indexed there, to be parsed when
  // looked up (lazy-section.ts); a section not in the writer's exact layout is parsed from
  // those bytes as it would have been from the file. The deferred entries share a pool of
  // their own: the read's pool (and its map) can go when the read returns.
  const lazyPool = new StringPool();
  const deferred = (from: BufferLines, kind: 'registry' | 'last_applied', base: string, file: string): Record<string, unknown> => {
    const scanned = scanSection(from.buf, from.pos);
    if (!scanned) return section(from, kind, base);
    const firstLine = from.lineNo;
    from.skip(scanned.end, scanned.index.count);
    if (scanned.index.count === 0) return {};
    return lazyMap(scanned.index, { file, firstLine, base, section: kind, pool: lazyPool, check: checks !== undefined });
  };
  expectLine(lines, '"registry":{');
  let registry: Record<string, unknown>;
  if (deferral) {
    // Only this section's bytes: people, between it and last_applied, is parsed now and need not stay.
    const offset = lines.offset;
    const lineNo = lines.linesRead + 1;
    const own = new BufferLines(lines.section(), offset, lineNo, deferral.windowBytes);
    registry = deferred(own, 'registry', mapPointer('registry'), deferral.file);
    lines.linesRead += own.lineNo - lineNo;
  } else {
    registry = section(lines, 'registry', mapPointer('registry'));
  }
  expectLine(lines, '},');
  expectLine(lines, '"people":{');
  const people = section(lines, 'people', mapPointer('people'));
  expectLine(lines, '},');
  expectLine(lines, '"last_applied":{');
  // Deferred, last_applied (the rest of the file) is read into one buffer and each target's
  // section is indexed there.
  let tail: BufferLines | undefined;
  if (deferral) {
    const offset = lines.offset;
    const lineNo = lines.linesRead + 1;
    tail = new BufferLines(lines.rest(), offset, lineNo, deferral.windowBytes);
  }
  const rest: Lines = tail ?? lines;
  const lastAppliedSection = (target: string): Record<string, unknown> => {
    const base = mapPointer('last_applied', target);
    return tail && deferral ? deferred(tail, 'last_applied', base, deferral.file) : section(rest, 'last_applied', base);
  };
  const lastApplied: Record<string, unknown> = {};
  for (;;) {
    const at = rest.offset;
    const line = rest.line()?.trimEnd();
    if (line === '}') break;
    const m = line === undefined ? null : TARGET_OPEN.exec(line);
    if (m?.[1] === undefined) throw new LayoutError(at, 'expected a target of last_applied or }');
    let target: string;
    try {
      target = JSON.parse(m[1]) as string;
    } catch {
      throw new LayoutError(at, 'expected a target of last_applied or }');
    }
    setEntry(lastApplied, target, lastAppliedSection(target));
    const closeAt = rest.offset;
    const close = rest.line()?.trimEnd();
    if (close === '}') {
      expectLine(rest, '}');
      break;
    }
    if (close !== '},') throw new LayoutError(closeAt, 'expected } or },');
  }
  expectLine(rest, '}');
  expectEnd(rest);
  // Keys in format 1's order, so a document read back from either format compares equal by JSON.
  const { journal_seq: journalSeq, ...head } = doc;
  return { ...head, registry, people, last_applied: lastApplied, ...(journalSeq === undefined ? {} : { journal_seq: journalSeq }) };
}

/** Line and column (1-based) of a byte offset, by counting lines: only on the error path. */
async function locate(path: string, offset: number): Promise<{ line: number; column: number }> {
  const fh = await fs.open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    let line = 1;
    let lineStart = 0;
    for (let pos = 0; pos < offset; ) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, offset - pos), pos);
      if (bytesRead === 0) break;
      for (let i = buf.indexOf(0x0a, 0); i !== -1 && i < bytesRead; i = buf.indexOf(0x0a, i + 1)) {
        line++;
        lineStart = pos + i + 1;
      }
      pos += bytesRead;
    }
    const tail = Buffer.allocUnsafe(Math.min(offset - lineStart, 1 << 20));
    await fh.read(tail, 0, tail.length, lineStart);
    return { line, column: tail.toString('utf8').length + 1 };
  } finally {
    await fh.close();
  }
}

function wholeFileTooLarge(path: string, size: number): InputError {
  return new InputError([
    errorDiag('state.corrupt', `state file is ${Math.round(size / 2 ** 20)} MB and not in the one-entry-per-line layout rollcall writes, so it cannot be read whole`, { source: { file: path } }),
  ]);
}

async function readWhole(path: string, size: number, limit: number): Promise<unknown> {
  if (size > limit) throw wholeFileTooLarge(path, size);
  const text = await readIfExists(path);
  // Replaced between open and read: a rename by a writer leaves a whole file, never none.
  if (text === null) throw new InputError([errorDiag('state.corrupt', 'state file disappeared while being read', { source: { file: path } })]);
  return parseJsonAt(text, path);
}

export interface ParsedStateFile {
  /** The document with format_version as stored (1 or 2), not yet validated as a whole. */
  doc: unknown;
  /** The map entries' checks, when `checkEntries` was asked for and the windowed reader made them. */
  checks?: EntryChecks;
}

/** The parsed state file, or null when there is none. A broken file is reported at its line and column. */
export async function readStateFile(path: string, opts: ReadStateFileOptions = {}): Promise<ParsedStateFile | null> {
  const wholeFileLimit = opts.wholeFileLimit ?? WHOLE_FILE_LIMIT;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let size: number;
  let failure: LayoutError;
  try {
    size = fstatSync(fd).size;
    const windowBytes = Math.max(64, opts.windowBytes ?? WINDOW_BYTES);
    const defer = opts.deferMaps === true;
    const lines = new LineWindow(fd, windowBytes, defer);
    const first = lines.line();
    if (first === null || !first.startsWith(HEADER_PREFIX) || !first.endsWith(',')) return { doc: await readWhole(path, size, wholeFileLimit) };
    const checks = opts.checkEntries ? new EntryChecks() : undefined;
    try {
      const doc = readLayout(lines, first, checks, defer ? { file: path, windowBytes } : undefined);
      return checks ? { doc, checks } : { doc };
    } catch (err) {
      if (!(err instanceof LayoutError)) throw err;
      failure = err;
    }
  } finally {
    closeSync(fd);
  }
  // Valid JSON laid out differently (an operator's edit) still reads when it fits in a string,
  // and a real syntax error is then reported by the whole-text parser at its line and column.
  if (size <= wholeFileLimit) return { doc: await readWhole(path, size, wholeFileLimit) };
  const { line, column } = await locate(path, failure.offset);
  throw new InputError([errorDiag('state.corrupt', `corrupt state file: ${failure.detail} (line ${line}, column ${column})`, { source: { file: path, line, column } })]);
}
