import { spawn } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TargetSnapshot } from '../engine/model/accounts.js';
import type { PlanDocument } from '../engine/model/plan.js';
import type { JournalEntry, StateDocument } from '../engine/model/state.js';
import { runPlan } from '../engine/run/plan-run.js';
import { SandboxStore } from '../providers/sandbox/store.js';
import { mulberry32 } from '../scripts/prng.js';

/**
 * Crash soak for `rollcall apply`: the example district (~15,700 changes against the sandbox
 * target) is applied by the real CLI in a child process, which is SIGKILLed at a seeded
 * random point; then the same plan is applied again (resume) or a new plan is made and
 * applied, and the result is checked: exit 0, a re-plan with no changes, no duplicate or
 * lost account, every planned membership present, state and journal consistent with the
 * directory. The CI test (test/crash/) runs a few trials of this; the soak runs 20+:
 *
 *   npm run build && node dist/bench/crash-soak.js [--trials 20] [--seed 7] [--keep]
 */

/** The repository root, from bench/ (vitest) or dist/bench/ (compiled). */
export const ROOT = existsSync(join(import.meta.dirname, '..', 'package.json')) ? resolve(import.meta.dirname, '..') : resolve(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'run.js');

export function requireBuilt(): void {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'commands', 'apply.js'))) {
    throw new Error(`the CLI is not built (${join(ROOT, 'dist')} has no cli/commands/apply.js): run \`npx tsc -p tsconfig.json\` (scripts/test.sh does) before the crash tests`);
  }
}

/** Seeded PRNG (mulberry32): the same seed gives the same kill points. */
export function prng(seed: number): () => number {
  return mulberry32(seed);
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Run the CLI to completion. The environment never carries a CI actor, so holders are user@host pid N. */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((res, rej) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', rej);
    child.on('close', (code, signal) => res({ code, signal, stdout, stderr, ms: Math.round(performance.now() - started) }));
  });
}

export interface Template {
  dir: string;
  plan: PlanDocument;
  /** Lines the sandbox's ops.jsonl receives during a full, uninterrupted apply. */
  opsLines: number;
}

/** A scratch copy of examples/maplewood with `plan.json` made by the CLI. */
export async function makeTemplate(dir: string, rootYaml?: (yaml: string) => string, env: NodeJS.ProcessEnv = {}): Promise<Template> {
  requireBuilt();
  const example = join(ROOT, 'examples', 'maplewood');
  mkdirSync(dir, { recursive: true });
  for (const part of ['rollcall.yaml', 'policy', 'sis']) cpSync(join(example, part), join(dir, part), { recursive: true });
  if (rootYaml) {
    const file = join(dir, 'rollcall.yaml');
    writeFileSync(file, rootYaml(readFileSync(file, 'utf8')));
  }
  const r = await cli(['plan', '--dir', dir, '--out', join(dir, 'plan.json')], env);
  if (r.code !== 0) throw new Error(`plan failed (exit ${r.code}): ${r.stderr || r.stdout}`);
  const plan = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as PlanDocument;
  return { dir, plan, opsLines: expectedOpsLines(plan) };
}

/** The sandbox appends one line per container, two per created group or account (id seq + object), one per member. */
export function expectedOpsLines(plan: PlanDocument): number {
  let n = 0;
  for (const c of plan.changes) {
    if (c.kind === 'membership') n += c.members?.length ?? 1;
    else if (c.kind === 'container') n += 1;
    else if (c.action === 'create') n += 2;
    else n += 1;
  }
  return n;
}

export function cloneTemplate(t: Template, dest: string): void {
  mkdirSync(dest, { recursive: true });
  for (const part of ['rollcall.yaml', 'policy', 'sis', 'plan.json']) cpSync(join(t.dir, part), join(dest, part), { recursive: true });
}

export type KillPoint =
  /** After the sandbox log has this many lines: mid-apply, at any change. */
  | { kind: 'ops'; lines: number }
  /** This long after spawn: start-up, lock, journal writes, state write, compaction. */
  | { kind: 'delay'; ms: number }
  /** As soon as state.json exists: after the state write, before the process ends. */
  | { kind: 'state-written' }
  /** When `ready()` first says so (polled every millisecond), e.g. an emulator's object count. */
  | { kind: 'when'; label: string; ready: () => boolean };

export interface TrialSpec {
  index: number;
  kill: KillPoint;
  /** After the kill: apply the same plan again, or make a new plan and apply that. */
  recover: 'resume' | 'replan';
}

export interface TrialResult {
  index: number;
  kill: string;
  recover: TrialSpec['recover'];
  /** Where the killed apply was: no ops yet, mid-apply, or state already written. */
  phase: 'before-changes' | 'mid-apply' | 'after-state-write' | 'finished-before-kill';
  opsAtKill: number;
  lockLeft: boolean;
  /** What the recovery apply said about the dead run (stale lock broken, journal recovered). */
  notices: string[];
  recoverExit: number | null;
  recoverMs: number;
  problems: string[];
}

/** Count newlines appended to a file since `state.offset` (the file may be truncated by compaction). */
function countNewLines(file: string, state: { offset: number; lines: number }): void {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return;
  }
  if (size < state.offset) return; // compacted: the apply is past its changes
  if (size === state.offset) return;
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(size - state.offset);
    const n = readSync(fd, buf, 0, buf.length, state.offset);
    for (let i = 0; i < n; i++) if (buf[i] === 10) state.lines++;
    state.offset += n;
  } finally {
    closeSync(fd);
  }
}

/** Spawn `apply plan.json` and SIGKILL it at the kill point. Resolves once the process is gone. */
export function applyAndKill(dir: string, kill: KillPoint, env: NodeJS.ProcessEnv = {}): Promise<{ killed: boolean; opsAtKill: number; result: CliResult }> {
  const ops = join(dir, '.rollcall', 'sandbox', 'ops.jsonl');
  const stateFile = join(dir, '.rollcall', 'state.json');
  return new Promise((res, rej) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, 'apply', join(dir, 'plan.json'), '--auto-approve', '--dir', dir], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const counter = { offset: 0, lines: 0 };
    let killed = false;
    const fire = () => {
      if (killed || child.exitCode !== null) return;
      killed = true;
      countNewLines(ops, counter);
      child.kill('SIGKILL');
    };
    let timer: NodeJS.Timeout | undefined;
    if (kill.kind === 'delay') timer = setTimeout(fire, kill.ms);
    else {
      timer = setInterval(() => {
        if (kill.kind === 'ops') {
          countNewLines(ops, counter);
          if (counter.lines >= kill.lines) fire();
        } else if (kill.kind === 'when') {
          if (kill.ready()) fire();
        } else if (existsSync(stateFile)) fire();
      }, 1);
    }
    child.on('error', rej);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(timer);
      res({ killed: killed && signal === 'SIGKILL', opsAtKill: counter.lines, result: { code, signal, stdout, stderr, ms: Math.round(performance.now() - started) } });
    });
  });
}

/** What a check sees of rollcall's state: the document and the journal. */
export interface StoreView {
  state: StateDocument | null;
  journal: JournalEntry[];
}
export type StoreReader = (dir: string) => Promise<StoreView>;

export const localStore: StoreReader = async (dir) => ({ state: readState(dir), journal: readJournal(dir) });

export interface TrialOptions {
  /** Environment of every child (e.g. the postgres connection variable). */
  env?: NodeJS.ProcessEnv;
  /** Where state lives; default the local backend's files under .rollcall/. */
  store?: StoreReader;
}

function readJournal(dir: string): JournalEntry[] {
  const file = join(dir, '.rollcall', 'state.journal.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as JournalEntry);
}

function readState(dir: string): StateDocument | null {
  const file = join(dir, '.rollcall', 'state.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StateDocument) : null;
}

/**
 * Everything that must hold after recovery, checked against the original plan. Returns the
 * problems found (at most a few of each kind), empty when the district converged.
 */
/** What the checks need of a directory: accounts, groups by name with member ids, containers. */
interface DirectoryView {
  accounts: { id: string; anchor: string | null; username: string }[];
  groups: Map<string, Set<string>>;
  containers: string[];
}

function sandboxView(dir: string): DirectoryView {
  const d = SandboxStore.load(dir);
  return { accounts: Object.values(d.accounts), groups: new Map(Object.values(d.groups).map((g) => [g.name, new Set(g.members)])), containers: d.containers };
}

function snapshotView(snapshots: readonly TargetSnapshot[]): DirectoryView {
  return {
    accounts: snapshots.flatMap((s) => s.accounts),
    groups: new Map(snapshots.flatMap((s) => s.groups.map((g) => [g.name, new Set(g.members)] as const))),
    containers: snapshots.flatMap((s) => s.containers),
  };
}

export async function checkConverged(dir: string, plan: PlanDocument, recoveryPlans: PlanDocument[], opts: TrialOptions = {}): Promise<string[]> {
  const problems: string[] = [];
  const add = (kind: string, msg: string) => {
    if (problems.filter((p) => p.startsWith(kind)).length < 5) problems.push(`${kind}: ${msg}`);
  };

  const replanned = await runPlan({ dir, now: new Date().toISOString(), env: { ...process.env, ...opts.env } });
  const replan = replanned.plan;
  if (replan.changes.length !== 0) add('replan', `${replan.changes.length} change(s) left, e.g. ${replan.changes.slice(0, 3).map((c) => c.id).join(', ')}`);

  // The sandbox is read from its files (independently of the provider); other targets through their snapshot.
  const sandboxDir = join(dir, '.rollcall', 'sandbox');
  const d = existsSync(sandboxDir) ? sandboxView(sandboxDir) : snapshotView(replanned.snapshots);
  const accounts = d.accounts;
  const byAnchor = new Map<string, (typeof accounts)[number]>();
  const usernames = new Set<string>();
  for (const a of accounts) {
    if (a.anchor === null) add('anchor', `account ${a.id} has no anchor`);
    else if (byAnchor.has(a.anchor)) add('duplicate', `anchor ${a.anchor} has accounts ${byAnchor.get(a.anchor)!.id} and ${a.id}`);
    else byAnchor.set(a.anchor, a);
    const u = a.username.toLowerCase();
    if (usernames.has(u)) add('duplicate', `username ${a.username} is held twice`);
    usernames.add(u);
  }
  const groups = d.groups;

  let creates = 0;
  for (const c of plan.changes) {
    if (c.kind === 'account' && c.action === 'create') {
      creates++;
      const a = byAnchor.get(c.anchor ?? '');
      if (!a) add('lost', `planned account ${c.anchor} was never created`);
      else if (a.username !== c.after?.username) add('lost', `account ${c.anchor} is ${a.username}, planned ${String(c.after?.username)}`);
    } else if (c.kind === 'group' && c.action === 'create') {
      if (!groups.has(String(c.after?.name))) add('lost', `planned group ${String(c.after?.name)} is missing`);
    } else if (c.kind === 'container') {
      if (!d.containers.includes(c.key)) add('lost', `planned container ${c.key} is missing`);
    } else if (c.kind === 'membership' && c.action === 'add') {
      const g = groups.get(String(c.after?.group ?? c.key));
      for (const m of c.members ?? []) {
        const a = byAnchor.get(m.anchor ?? '');
        if (!g || !a || !g.has(a.id)) add('lost', `membership ${m.anchor} in ${String(c.after?.group ?? c.key)} is missing`);
      }
    }
  }
  if (accounts.length !== creates) add('count', `${accounts.length} accounts in the directory, ${creates} planned`);

  const { state, journal } = await (opts.store ?? localStore)(dir);
  if (!state) {
    add('state', 'no state.json after recovery');
    return problems;
  }
  for (const a of accounts) {
    const reg = state.registry[a.username.toLowerCase()];
    if (reg?.anchor !== a.anchor) add('registry', `username ${a.username} is registered to ${reg?.anchor ?? 'nobody'}, not ${String(a.anchor)}`);
    if (a.anchor !== null && state.people[a.anchor]?.username !== a.username) add('people', `state has ${state.people[a.anchor]?.username ?? 'no entry'} for ${a.anchor}, the directory ${a.username}`);
  }

  const seqs = journal.map((e) => e.seq);
  if (new Set(seqs).size !== seqs.length) add('journal', 'duplicate journal seq');
  const maxSeq = Math.max(0, ...seqs);
  if ((state.journal_seq ?? 0) !== maxSeq) add('journal', `state.journal_seq ${String(state.journal_seq)} but the journal ends at ${maxSeq}`);
  for (const e of journal) if (e.outcome === 'failed') add('journal', `failed result for ${e.change_id}: ${e.error ?? ''}`);
  const applied = new Set(journal.filter((e) => e.outcome === 'applied').map((e) => e.change_id));
  const intended = new Set(journal.filter((e) => e.outcome === 'intent').map((e) => e.change_id));
  // Every change of every plan that ran to the end has its result.
  for (const p of recoveryPlans) for (const c of p.changes) if (!applied.has(c.id)) add('journal', `no result for ${c.id} of the recovery plan`);
  // A change of the killed plan has a result, or (when a new plan took over and found it done) at least its intent.
  for (const c of plan.changes) if (!applied.has(c.id) && !intended.has(c.id)) add('journal', `no intent or result for ${c.id}`);
  return problems;
}

/** One trial: clone, apply and kill, recover, check. */
export async function runTrial(t: Template, work: string, spec: TrialSpec, opts: TrialOptions = {}): Promise<TrialResult> {
  const dir = join(work, `trial-${spec.index}`);
  const env = opts.env ?? {};
  cloneTemplate(t, dir);
  const { killed, opsAtKill, result } = await applyAndKill(dir, spec.kill, env);
  const problems: string[] = [];
  const stateAfterKill = (await (opts.store ?? localStore)(dir)).state;
  const lockLeft = existsSync(join(dir, '.rollcall', 'state.json.lock'));
  const phase: TrialResult['phase'] = !killed ? 'finished-before-kill' : stateAfterKill ? 'after-state-write' : opsAtKill > 0 || spec.kill.kind === 'when' ? 'mid-apply' : 'before-changes';
  if (!killed && result.code !== 0) problems.push(`first apply exited ${result.code} without being killed: ${result.stderr.slice(0, 300)}`);

  const recoveryPlans: PlanDocument[] = [];
  let rec: CliResult;
  if (spec.recover === 'resume') {
    rec = await cli(['apply', join(dir, 'plan.json'), '--auto-approve', '--dir', dir], env);
    if (stateAfterKill) {
      // The killed run had finished and written state: the plan is spent, and a stale plan is refused.
      if (rec.code !== 1 || !/state moved on/.test(rec.stderr + rec.stdout)) problems.push(`resuming a spent plan: expected a stale-state refusal, got exit ${rec.code}: ${(rec.stderr + rec.stdout).slice(0, 300)}`);
    } else {
      if (rec.code !== 0) problems.push(`resume exited ${rec.code}: ${(rec.stderr + rec.stdout).slice(0, 400)}`);
      recoveryPlans.push(t.plan);
    }
  } else {
    const planned = await cli(['plan', '--dir', dir, '--out', join(dir, 'plan2.json')], env);
    if (planned.code !== 0) problems.push(`re-plan exited ${planned.code}: ${(planned.stderr + planned.stdout).slice(0, 400)}`);
    rec = await cli(['apply', join(dir, 'plan2.json'), '--auto-approve', '--dir', dir], env);
    rec.ms += planned.ms;
    if (rec.code !== 0) problems.push(`apply of the new plan exited ${rec.code}: ${(rec.stderr + rec.stdout).slice(0, 400)}`);
    if (existsSync(join(dir, 'plan2.json'))) recoveryPlans.push(JSON.parse(readFileSync(join(dir, 'plan2.json'), 'utf8')) as PlanDocument);
  }
  const notices = rec.stderr.split('\n').filter((l) => /broke stale lock|cleared stale lock|recovered \d+ applied/.test(l));
  if (lockLeft && !notices.some((n) => n.includes('broke stale lock'))) problems.push('the dead apply left its lock, but the next apply did not report breaking it');
  if (existsSync(join(dir, '.rollcall', 'state.json.lock'))) problems.push('a lock file is left after recovery');
  problems.push(...(await checkConverged(dir, t.plan, recoveryPlans, opts)));
  const kill = spec.kill.kind === 'ops' ? `after ${spec.kill.lines} sandbox ops` : spec.kill.kind === 'delay' ? `after ${spec.kill.ms} ms` : spec.kill.kind === 'when' ? spec.kill.label : 'once state.json was written';
  return { index: spec.index, kill, recover: spec.recover, phase, opsAtKill, lockLeft, notices, recoverExit: rec.code, recoverMs: rec.ms, problems };
}

/**
 * Kill points for `n` trials from `seed`, cycling through: a uniformly random sandbox
 * operation then resume; a random operation then a new plan; a random wall-clock delay
 * (start-up, lock, journal and state writes, compaction) then resume or a new plan; a random
 * operation then resume. The last trial (when n >= 4) is killed right after the state write.
 */
export function trialSpecs(n: number, seed: number, opsLines: number, maxDelayMs = 6000): TrialSpec[] {
  const rnd = prng(seed);
  const specs: TrialSpec[] = [];
  for (let i = 0; i < n; i++) {
    const r = rnd();
    const ops: KillPoint = { kind: 'ops', lines: 1 + Math.floor(r * opsLines) };
    if (i === n - 1 && n >= 4) specs.push({ index: i, kill: { kind: 'state-written' }, recover: 'resume' });
    else if (i % 4 === 0 || i % 4 === 3) specs.push({ index: i, kill: ops, recover: 'resume' });
    else if (i % 4 === 1) specs.push({ index: i, kill: ops, recover: 'replan' });
    else specs.push({ index: i, kill: { kind: 'delay', ms: Math.floor(r * maxDelayMs) }, recover: i % 8 === 2 ? 'resume' : 'replan' });
  }
  return specs;
}

export function describeTrial(r: TrialResult): string {
  return `trial ${String(r.index).padStart(2)}: killed ${r.kill.padEnd(24)} phase ${r.phase.padEnd(20)} ops ${String(r.opsAtKill).padStart(5)}  lock left ${r.lockLeft ? 'yes' : 'no '}  ${r.recover.padEnd(6)} exit ${String(r.recoverExit)} in ${r.recoverMs} ms  ${r.problems.length === 0 ? 'OK' : `FAIL ${r.problems.join('; ')}`}`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const arg = (name: string, dflt: string): string => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
  };
  const trials = Number(arg('trials', '20'));
  const seed = Number(arg('seed', '20261126'));
  const work = mkdtempSync(join(tmpdir(), 'rollcall-crash-soak-'));
  const started = performance.now();
  const t = await makeTemplate(join(work, 'template'));
  process.stdout.write(`crash soak: ${t.plan.summary.total} planned operations (${t.plan.changes.length} plan changes, ${t.opsLines} sandbox ops), ${trials} trials, seed ${seed}, in ${work}\n`);
  let failed = 0;
  for (const spec of trialSpecs(trials, seed, t.opsLines)) {
    const r = await runTrial(t, work, spec);
    if (r.problems.length > 0) failed++;
    process.stdout.write(describeTrial(r) + '\n');
    for (const n of r.notices) process.stdout.write(`          notice: ${n}\n`);
    if (r.problems.length === 0 && !args.includes('--keep')) rmSync(join(work, `trial-${spec.index}`), { recursive: true, force: true });
  }
  process.stdout.write(`${trials - failed}/${trials} trials converged (no duplicates, nothing lost, state consistent) in ${Math.round((performance.now() - started) / 1000)} s\n`);
  if (!args.includes('--keep') && failed === 0) rmSync(work, { recursive: true, force: true });
  if (failed > 0) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
