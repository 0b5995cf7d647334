import { errorDiag, sortDiagnostics } from '../../../engine/model/diagnostics.js';
import { InputError } from '../../../engine/model/errors.js';
import type { AcademicSession, ClassSection, Org, Roster } from '../../../engine/model/people.js';
import type { SisReadResult } from '../../../engine/model/provider.js';
import { DiagnosticSink } from '../csv-util/diagnostic-sink.js';
import { combineDigests } from '../csv-util/digest.js';
import { type ExportFile, type FileSet, openFileSet } from '../csv-util/file-set.js';
import { Interner } from '../csv-util/intern.js';
import { BulkBuilder } from './bulk-builder.js';
import { DeltaCollector } from './delta-collector.js';
import type { RecordSink } from './record-sink.js';
import { checkRoster } from './checks.js';
import type { TableName } from './columns.js';
import { findFile, type Manifest, readManifest } from './manifest.js';
import { readEnrollments } from './enrollments-read.js';
import { type EnrollmentWorker, startEnrollmentWorker, WORKER_MIN_BYTES } from './enrollment-worker-client.js';
import { loadRolesCache, loadUsersCache, ROLES_KIND, saveRolesCache, saveUsersCache, USERS_KIND } from './people-cache.js';
import { patchUsers } from './users-patch.js';
import { usersLines } from './users-lines.js';
import { type CacheWriter, hashEarly, throughCache } from './table-cache.js';
import { type Ix, type ParseCtx, parseTable } from './parse.js';
import { roleLane, userLane } from './people-lane.js';
import { classLane } from './class-lane.js';
import { CheckRecorder, checksKey, replayChecks, saveChecks } from './check-cache.js';
import { CLASSES_KIND, loadClassesCache, saveClassesCache } from './class-cache.js';
import type { SeenIds } from '../csv-util/seen-ids.js';
import { classValue, courseValue, orgValue, roleValue, sessionValue, userValue } from './row-values.js';
import type { CourseValue, RoleValue, UserValue } from './records.js';
import { DateReader } from './values.js';
import { RecordMaker } from './record-maker.js';

export interface ReadProgress {
  file: string;
  /** Data rows read so far in this file / in the whole set. Never names. */
  rows: number;
  totalRows: number;
  message: string;
}

export interface ReadOneRosterOptions {
  /** The last known roster; required when the manifest marks any file `delta`. */
  base?: Roster;
  /** Called at most once a second during the read, with row counts only. */
  progress?: (p: ReadProgress) => void;
  /** Do not read enrollments.csv (policy uses no class sections): the biggest file by far. */
  skipEnrollments?: boolean;
  /** Warnings listed per code and file before they are only counted. Default 20. */
  warningCap?: number;
  /** false: read every row the general way (tests compare the fast lanes against it). */
  fastLanes?: boolean;
  /**
   * A folder for the parse cache (enrollment-cache.ts), e.g. the policy repo's
   * `.rollcall/cache/sis`; without it nothing is cached.
   */
  cacheDir?: string;
  /** false: use the parse cache but never write it (plans; `rollcall refresh` primes it). */
  cacheWrite?: boolean;
  /**
   * false: enrollments and roles carry no sourcedId, and records alike are one shared object
   * (record-maker.ts). Only a delta set, a roster kept as a delta's base and the parse cache
   * read those ids, so a delta set, or a read that writes the cache, keeps them anyway.
   */
  recordIds?: boolean;
  /**
   * A bulk enrollments.csv on disk of at least this many bytes is read on a worker thread,
   * alongside the files before it. Default WORKER_MIN_BYTES; Infinity: never.
   */
  workerMinBytes?: number;
}

/**
 * Read a OneRoster 1.1 or 1.2 CSV set (folder or .zip) into the normalized Roster.
 * Throws InputError carrying every error found (and the warnings); otherwise returns the
 * roster, the warnings and a digest of the bytes read.
 */
export async function readOneRosterCsv(location: string, opts: ReadOneRosterOptions = {}): Promise<SisReadResult> {
  let set: FileSet;
  try {
    set = await openFileSet(location);
  } catch (e) {
    throw new InputError([errorDiag('sis.location', `cannot read OneRoster set at ${location}: ${(e as Error).message}`, { source: { file: location } })]);
  }
  try {
    return await readSet(set, opts);
  } finally {
    await set.close();
  }
}

async function readSet(set: FileSet, opts: ReadOneRosterOptions): Promise<SisReadResult> {
  const sink = new DiagnosticSink(opts.warningCap ?? 20);
  const manifest = await readManifest(set, sink);
  const digests = new Map<string, string>();
  if (manifest.sha256) digests.set(set.files.get('manifest.csv')!.name, manifest.sha256);
  const anyDelta = Object.values(manifest.modes).some((m) => m === 'delta');
  const keepIds = opts.recordIds !== false || anyDelta || (opts.cacheDir !== undefined && opts.cacheWrite !== false);
  const ctx = makeCtx(sink, manifest, digests, opts, new RecordMaker(keepIds));
  if (anyDelta && !opts.base) {
    const first = Object.entries(manifest.modes).find(([, m]) => m === 'delta')?.[0] as TableName | undefined;
    const line = first ? manifest.lines[first] : undefined;
    sink.error('oneroster.delta-without-base', `the manifest marks ${first}.csv as delta, but there is no earlier roster to apply it to; ingest a bulk set first`, {
      file: 'manifest.csv',
      ...(line ? { line } : {}),
    });
  }
  // Only a delta set leaves files out as unchanged: a bulk set (a zip may come with a base,
  // since a zip's manifest is not read before the roster is) must be whole.
  if (!(anyDelta && opts.base)) {
    for (const t of ['orgs', 'users'] as const) {
      if (manifest.modes[t] === 'absent' && !sink.diagnostics.some((d) => d.code === 'oneroster.missing-file' && d.summary.includes(`${t}.csv`)))
        sink.error('oneroster.missing-file', `${t}.csv is required but absent from the set`, { file: 'manifest.csv' });
    }
  }
  const format = manifest.version === '1.2' ? 'oneroster-1.2-csv' : 'oneroster-1.1-csv';
  // Bulk sets stream straight into the roster; sets with delta files are collected and merged.
  const builder: RecordSink & { finish(): Roster } =
    anyDelta && opts.base ? new DeltaCollector(sink, ctx, format, opts.base) : new BulkBuilder(sink, ctx, format);
  const { birth, saveCache, enrollmentsFile } = await parseAll(set, manifest, ctx, opts, builder);
  const roster = builder.finish();
  // Run even after errors, so one run lists every problem; skip the school check without orgs.
  const orgsKnown = manifest.modes.orgs !== 'absent' || !!opts.base;
  const brokenOrgs = builder.brokenOrgs();
  // A bulk roster is a function of its files: the checks' outcome can come from the cache.
  const checksDir = builder instanceof BulkBuilder ? opts.cacheDir : undefined;
  const key = checksDir ? checksKey(digests, enrollmentsFile, orgsKnown, brokenOrgs) : undefined;
  let recorded: CheckRecorder | undefined;
  if (!(checksDir && key && (await replayChecks(checksDir, key, sink)))) {
    recorded = checksDir && opts.cacheWrite !== false ? new CheckRecorder(sink) : undefined;
    checkRoster(recorded ?? sink, roster, birth, orgsKnown, brokenOrgs);
  }
  if (sink.hasErrors) throw new InputError([...sink.diagnostics.filter((d) => d.severity === 'error'), ...sink.warnings()]);
  await saveCache?.();
  if (recorded && checksDir && key) await saveChecks(checksDir, key, recorded.list);
  return { roster, warnings: sortDiagnostics(sink.warnings()), digest: combineDigests(digests), fileDigests: Object.fromEntries(digests) };
}

export function makeCtx(sink: DiagnosticSink, manifest: Manifest, digests: Map<string, string>, opts: ReadOneRosterOptions, records: RecordMaker): ParseCtx {
  let totalRows = 0;
  const lastRows = new Map<string, number>();
  let lastEmit = Date.now();
  return {
    sink,
    intern: new Interner(),
    dates: new DateReader(sink),
    version: manifest.version,
    rolesFromUsers: manifest.modes.roles === 'absent',
    digests,
    columns: new Map(),
    records,
    onProgress(file, rows) {
      totalRows += rows - (lastRows.get(file) ?? 0);
      lastRows.set(file, rows);
      const now = Date.now();
      if (opts.progress && now - lastEmit >= 1000) {
        lastEmit = now;
        opts.progress({ file, rows, totalRows, message: `reading ${file}: ${rows.toLocaleString('en-US')} rows (${totalRows.toLocaleString('en-US')} in total)` });
      }
    },
  };
}

/** Read every listed file in reference order (orgs before the files that point at them). */
interface Parsed {
  birth: Map<string, string>;
  saveCache?: () => Promise<void>;
  /** The name of enrollments.csv when it was read. */
  enrollmentsFile?: string;
}

async function parseAll(set: FileSet, manifest: Manifest, ctx: ParseCtx, opts: ReadOneRosterOptions, out: RecordSink): Promise<Parsed> {
  const fileOf = (t: TableName) => {
    const mode = manifest.modes[t];
    const f = mode === 'absent' ? undefined : findFile(set, t);
    if (!f) return undefined;
    if (f.name !== `${t}.csv`) ctx.sink.warn('oneroster.file-name-case', `${f.name} should be named ${t}.csv (names are case-sensitive)`, { file: f.name });
    return { f, mode: mode as 'bulk' | 'delta' };
  };
  // Cache checks need the files' digests: a worker computes them while the main thread reads the others.
  const bulk = out instanceof BulkBuilder ? out : undefined;
  const cacheDir = bulk ? opts.cacheDir : undefined;
  const cacheable = (t: TableName) => (manifest.modes[t] === 'bulk' ? findFile(set, t) : undefined);
  const early = hashEarly(cacheDir, [
    { kind: CLASSES_KIND, file: cacheable('classes') },
    { kind: USERS_KIND, file: ctx.rolesFromUsers ? undefined : cacheable('users') },
    { kind: ROLES_KIND, file: ctx.rolesFromUsers ? undefined : cacheable('roles') },
    { kind: 'enrollments', file: opts.skipEnrollments ? undefined : cacheable('enrollments') },
  ]);
  const enrollmentsFile = bulk && !opts.skipEnrollments && opts.fastLanes !== false && manifest.modes.enrollments === 'bulk' ? findFile(set, 'enrollments') : undefined;
  const worker = enrollmentsFile
    ? startEnrollmentWorker(enrollmentsFile, { version: ctx.version, minBytes: opts.workerMinBytes ?? WORKER_MIN_BYTES, ...(cacheDir ? { cacheDir } : {}) })
    : undefined;
  try {
    return await parseTables(set, manifest, ctx, opts, out, fileOf, bulk, cacheDir, early, worker);
  } finally {
    worker?.cancel();
  }
}

async function parseTables(
  set: FileSet,
  manifest: Manifest,
  ctx: ParseCtx,
  opts: ReadOneRosterOptions,
  out: RecordSink,
  fileOf: (t: TableName) => { f: ExportFile; mode: 'bulk' | 'delta' } | undefined,
  bulk: BulkBuilder | undefined,
  cacheDir: string | undefined,
  early: Map<string, Promise<string | undefined>>,
  worker: EnrollmentWorker | undefined,
): Promise<Parsed> {
  const writers: CacheWriter[] = [];
  const orgs = fileOf('orgs');
  if (orgs) await parseTable<Org>(ctx, orgs.f, 'orgs', orgs.mode, orgValue(ctx), (r) => out.org(r, orgs.mode), false, (id) => out.invalid('orgs', id));
  out.end('orgs', orgs?.mode);
  const sessions = fileOf('academicSessions');
  if (sessions) await parseTable<AcademicSession>(ctx, sessions.f, 'academicSessions', sessions.mode, sessionValue(ctx), (r) => out.session(r, sessions.mode), false, (id) => out.invalid('academicSessions', id));
  out.end('academicSessions', sessions?.mode);
  const courses = fileOf('courses');
  if (courses) await parseTable<CourseValue>(ctx, courses.f, 'courses', courses.mode, courseValue(ctx), (r) => out.course(r, courses.mode), false, (id) => out.invalid('courses', id));
  out.end('courses', courses?.mode);
  if (courses && bulk && cacheDir) seenAs(ctx, courses.f.name, `references ${bulk.references('courses')}`);
  const classes = fileOf('classes');
  if (classes) {
    const targets = bulk && opts.fastLanes !== false ? bulk.classTargets() : undefined;
    const lane = targets ? (ix: Ix, n: number, seen: SeenIds) => classLane(ix, n, seen, ctx.intern, targets) : undefined;
    const parse = () => parseTable<ClassSection>(ctx, classes.f, 'classes', classes.mode, classValue(ctx), (r) => out.cls(r, classes.mode), false, (id) => out.invalid('classes', id), lane).then(() => undefined);
    if (bulk && classes.mode === 'bulk') {
      const w = await throughCache(ctx, classes.f, cacheDir, early.get(CLASSES_KIND), {
        kind: CLASSES_KIND,
        parse,
        async load(key) {
          const hit = await loadClassesCache(cacheDir!, key, ctx.intern);
          if (!hit) return false;
          bulk.restoreClasses(hit);
          ctx.onProgress(classes.f.name, hit.length);
          return true;
        },
        save: (key, size) => saveClassesCache(cacheDir!, key, size, bulk.rosterClasses()),
      });
      if (w) writers.push(w);
    } else await parse();
  }
  out.end('classes', classes?.mode);
  if (classes && bulk && cacheDir) seenAs(ctx, classes.f.name, `references ${bulk.references('classes')}`);
  const users = fileOf('users');
  if (users) {
    const makeUser = userValue(ctx);
    let decided = false;
    const toValue: typeof makeUser = (row, w, ix) => {
      if (!decided) {
        decided = true;
        decideRoleSource(ctx, ix, users.f.name, manifest, !!opts.base);
      }
      return makeUser(row, w, ix);
    };
    // The lane only for the 1.2 layout (roles.csv present): a 1.1 row carries roles to check.
    const targets = bulk && !ctx.rolesFromUsers && opts.fastLanes !== false ? bulk.peopleTargets() : undefined;
    const lane = targets ? (ix: Ix, n: number, seen: SeenIds) => userLane(ix, n, seen, ctx.intern, users.f.name, targets) : undefined;
    const parse = () => parseTable<UserValue>(ctx, users.f, 'users', users.mode, toValue, (r) => out.user(r, users.mode), false, (id) => out.invalid('users', id), lane).then(() => undefined);
    // Cached only with roles.csv: then the users file alone decides what a user row gives.
    if (bulk && users.mode === 'bulk' && !ctx.rolesFromUsers) {
      let refs: string | undefined;
      const w = await throughCache(ctx, users.f, cacheDir, early.get(USERS_KIND), {
        kind: USERS_KIND,
        parse,
        async load(key) {
          const hit = await loadUsersCache(cacheDir!, key, ctx.intern);
          if (!hit) return false;
          bulk.restoreUsers(hit.inFile, hit.sorted, hit.at);
          refs = hit.refs;
          ctx.onProgress(users.f.name, hit.inFile.length);
          return true;
        },
        save: async (key, size, base) => {
          const order = bulk.rosterOrder();
          if (!order) return;
          const people = bulk.peopleInFileOrder();
          await saveUsersCache(cacheDir!, key, size, users.f.name, people, order, refs ?? bulk.references('users'), await usersLines(users.f, people, base));
        },
        // A plan (which writes no cache) of an export refresh has not parsed: patched from the
        // cache of the one it did, when only a few rows changed. Refresh parses and rewrites.
        ...(opts.cacheWrite === false
          ? {
              patch: async (base: string) => {
                const p = await patchUsers(ctx, users.f, cacheDir!, base, (r, sink) => bulk.userRowOk(r, sink));
                if (!p) return undefined;
                bulk.restoreUsers(p.people.inFile, p.people.sorted, p.people.at);
                refs = p.people.refs;
                ctx.onProgress(users.f.name, p.people.inFile.length);
                return p.sha256;
              },
            }
          : {}),
      });
      if (cacheDir) {
        // Parsed: worked out now (a fraction of a second at a million people); from the cache: as stored.
        refs ??= bulk.references('users');
        seenAs(ctx, users.f.name, `references ${refs}`);
      }
      if (w) writers.push(w);
    } else await parse();
  }
  out.end('users', users?.mode);
  const roles = ctx.rolesFromUsers ? undefined : fileOf('roles');
  if (roles) {
    const targets = bulk && opts.fastLanes !== false ? bulk.peopleTargets() : undefined;
    const lane = targets ? (ix: Ix, n: number, seen: SeenIds) => roleLane(ix, n, seen, ctx.dates, ctx.intern, ctx.records, targets) : undefined;
    const parse = () => parseTable<RoleValue>(ctx, roles.f, 'roles', roles.mode, roleValue(ctx), (r) => out.role(r, roles.mode), false, (id) => out.invalid('roles', id), lane).then(() => undefined);
    if (bulk && roles.mode === 'bulk') {
      const log = cacheDir ? bulk.logRoles() : undefined;
      const w = await throughCache(ctx, roles.f, cacheDir, early.get(ROLES_KIND), {
        kind: ROLES_KIND,
        parse,
        async load(key) {
          const hit = await loadRolesCache(cacheDir!, key, bulk.peopleInFileOrder().length, bulk.orgIndex(), ctx.intern, ctx.records);
          if (!hit) return false;
          bulk.restoreRoles(hit.owners, hit.roles);
          ctx.onProgress(roles.f.name, hit.roles.length);
          return true;
        },
        save: (key, size) => (log ? saveRolesCache(cacheDir!, key, size, log.owners, log.roles) : Promise.resolve()),
      });
      if (w) writers.push(w);
    } else await parse();
  }
  out.end('roles', roles?.mode);
  // enrollments.csv, the only file read after it, never looks at roles (BulkBuilder.enrollment, refs.ts).
  if (roles && bulk && cacheDir) seenAs(ctx, roles.f.name, 'roles.csv: read by no later file');
  const enrollments = opts.skipEnrollments ? undefined : fileOf('enrollments');
  const w = enrollments ? await readEnrollments(ctx, enrollments.f, enrollments.mode, out, opts, early.get('enrollments'), worker) : undefined;
  if (w) writers.push(w);
  out.end('enrollments', enrollments?.mode);
  const saveCache = writers.length && opts.cacheWrite !== false ? async () => {
    for (const write of writers) await write();
  } : undefined;

  const birth = new Map<string, string>();
  const demo = set.files.get('demographics.csv');
  if (demo) {
    // Only birth facts, for the duplicate-person warning; this file's quirks are not reported.
    const quiet: ParseCtx = { ...ctx, sink: new DiagnosticSink(), dates: new DateReader(new DiagnosticSink()) };
    await parseTable<string>(
      quiet,
      demo,
      'demographics',
      manifest.modes.demographics === 'delta' ? 'delta' : 'bulk',
      (row, _w, ix) => {
        const pick = (c: string) => (ix[c] !== undefined && ix[c]! >= 0 ? (row[ix[c]!] ?? '').trim() : '');
        const b = pick('birthDate');
        return b ? `${b}\0${pick('sex')}\0${pick('cityOfBirth')}` : undefined;
      },
      (r) => {
        if (r.value) birth.set(r.sourcedId, r.value);
      },
      true,
    );
  }
  return { birth, ...(saveCache ? { saveCache } : {}), ...(enrollments ? { enrollmentsFile: enrollments.f.name } : {}) };
}

/** What the parse cache keys of later files take for `file` instead of its digest (table-cache.ts). */
function seenAs(ctx: ParseCtx, file: string, key: string): void {
  (ctx.keyDigests ??= new Map()).set(file, key);
}

/** A 1.2 set without roles.csv falls back to 1.1-style role columns when users.csv has them. */
function decideRoleSource(ctx: ParseCtx, ix: Record<string, number>, file: string, manifest: Manifest, hasBase: boolean): void {
  if (!ctx.rolesFromUsers || manifest.version === '1.1') return;
  if (ix.role! >= 0 && ix.orgSourcedIds! >= 0) {
    ctx.sink.warn('oneroster.roles-from-users', `a 1.2 set without roles.csv: roles read from ${file} role/orgSourcedIds (the 1.1 layout)`, { file, line: 1 });
  } else {
    ctx.rolesFromUsers = false;
    const line = manifest.lines.roles;
    if (!hasBase)
      ctx.sink.error('oneroster.missing-file', `roles.csv is absent and ${file} has no role/orgSourcedIds columns: nobody has a role or a school`, { file: 'manifest.csv', ...(line ? { line } : {}) });
  }
}
