import { isAbsolute, join, resolve } from 'node:path';
import type { TargetSnapshot } from '../model/accounts.js';
import type { Diagnostic } from '../model/diagnostics.js';
import { errorDiag } from '../model/diagnostics.js';
import { InputError } from '../model/errors.js';
import type { Policy } from '../model/policy.js';
import type { ProviderContext, SisReadResult, TargetConstraints, TargetProvider } from '../model/provider.js';
import type { StateBackend } from '../model/state-backend.js';
import type { StateDocument } from '../model/state.js';
import { loadPolicyOrThrow } from '../policy/load.js';
import { mergeConstraints } from '../resolve/naming/constraints.js';
import { openStateBackend } from '../state/index.js';
import { PROVIDERS } from '../../providers/registry.js';
import { loadSisSource } from '../../providers/sis/registry.js';
import { policyCommit } from './git-info.js';
import { declaresDelta, readRosterSnapshot } from './sis-snapshot.js';

/**
 * The imperative shell around the pure core: everything that reads files, the SIS, state
 * and the directories lives here, so engine/plan and engine/resolve never do I/O.
 */

export interface RunOptions {
  dir: string;
  /**
   * Only these targets (`--target`). Without it, every target except those the policy marks
   * `enabled: false` (e.g. the example district's AD and cloud targets, which need credentials).
   */
  targets?: readonly string[] | undefined;
  /** Overrides the policy's SIS location. */
  sis?: string | undefined;
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
  progress?: (message: string) => void;
}

export interface LoadedPolicy {
  dir: string;
  /** The policy with only the selected targets. */
  policy: Policy;
  /** Every target in the policy: usernames are district-wide, so all of their limits apply. */
  allTargets: Policy['targets'];
  digest: string;
  commit: string | null;
}

export async function loadPolicyInput(opts: RunOptions): Promise<LoadedPolicy> {
  const dir = resolve(opts.dir);
  // The git lookup is a child process: it runs while the policy files are parsed.
  const commit = policyCommit(dir); // never rejects: outside git it is null
  const { policy, digest } = await loadPolicyOrThrow(dir);
  return { dir, policy: selectTargets(policy, opts.targets), allTargets: policy.targets, digest, commit: await commit };
}

/** Apply `--target` and `enabled: false`; the `enabled` key is rollcall's, not the provider's. */
export function selectTargets(policy: Policy, names: readonly string[] | undefined): Policy {
  if (names) {
    const unknown = names.filter((n) => !policy.targets.some((t) => t.name === n));
    if (unknown.length > 0) {
      throw new InputError(unknown.map((n) => errorDiag('cli.target', `--target ${n}: no such target in rollcall.yaml (targets: ${policy.targets.map((t) => t.name).join(', ')})`)));
    }
  }
  const targets = policy.targets
    .filter((t) => (names ? names.includes(t.name) : t.settings.enabled !== false))
    .map((t) => {
      const { enabled: _enabled, ...settings } = t.settings;
      return { ...t, settings };
    });
  return { ...policy, targets };
}

/**
 * `needs.enrollments`: the caller uses enrollments for more than the policy's groups (class
 * password sheets, explain). Otherwise enrollments, by far the biggest SIS file, are read only
 * when a group rule is `forEach: class`. `needs.recordIds`: the roster is kept as the base of
 * a later delta set, which finds enrollments and roles by their ids; otherwise a source may drop them.
 */
export async function readSis(loaded: LoadedPolicy, opts: RunOptions, needs: { enrollments?: boolean; primeCache?: boolean; recordIds?: boolean } = {}, lastApplied?: () => Promise<{ digest: string } | null | undefined>): Promise<SisReadResult> {
  const { policy, dir } = loaded;
  const abs = sisLocation(loaded, opts);
  const source = await loadSisSource(policy.sis.format);
  const skip = !needs.enrollments && policy.sis.settings.skipEnrollments !== false && !policy.groups.rules.some((r) => r.forEach === 'class');
  const settings: Record<string, unknown> = skip ? { ...policy.sis.settings, skipEnrollments: true } : { ...policy.sis.settings };
  // "Refresh once, plan many": OneRoster CSV keeps parsed files beside state (student data: ignored folder).
  // Only `rollcall refresh` writes it (primeCache): a plan reads it and never pays for writing.
  if (policy.sis.format === 'oneroster-csv' && settings.cacheDir === undefined) settings.cacheDir = join(dir, '.rollcall', 'cache', 'sis');
  if (!needs.primeCache) settings.cacheWrite = false;
  // Enrollment and role ids matter only to a roster kept as a delta's base (and to the cache refresh writes).
  if (!needs.recordIds && !needs.primeCache) settings.recordIds = false;
  // A delta set applies to the roster last applied, kept as a snapshot beside state. Only a
  // delta asks for it (the caller may still be reading state, or not have started).
  const last = policy.sis.format === 'oneroster-csv' && declaresDelta(abs) && lastApplied ? await lastApplied() : null;
  const base = last ? await readRosterSnapshot(dir, last.digest) : null;
  const read = source.read({ location: abs, settings, env: opts.env ?? process.env, ...(opts.progress ? { progress: opts.progress } : {}), ...(base ? { base } : {}) });
  if (!last || base) return read;
  // State knows the roster of the last apply, but this machine does not hold it (a fresh CI
  // runner with shared state): say so, rather than "ingest a bulk set first".
  return read.catch((e: unknown) => {
    if (!(e instanceof InputError) || !e.diagnostics.some((d) => d.code === 'oneroster.delta-without-base')) throw e;
    throw new InputError([
      // Alone: without its base, whatever else the delta read reported (files it leaves out as
      // unchanged are "missing") follows from this.
      errorDiag('sis.base-not-here', `a delta set applies to the roster of the last apply (SIS digest ${last.digest.slice(0, 12)}…), which is kept in ${join('.rollcall', 'sis')} beside the policy where that plan was saved, and is not on this machine: keep that folder between runs (a persistent runner, or a cache restored before plan and apply), or read a bulk export`),
    ]);
  });
}

/** Where the export is: a URL, or a path (`--sis` from the working directory, the policy's from the policy repo). */
export function sisLocation(loaded: LoadedPolicy, opts: RunOptions): string {
  const location = opts.sis ?? loaded.policy.sis.path;
  return /^[a-z]+:\/\//i.test(location) || isAbsolute(location) ? location : resolve(opts.sis ? process.cwd() : loaded.dir, location);
}

export function targetConstraints(policy: Policy, allTargets: Policy['targets'] = policy.targets): TargetConstraints {
  const list: TargetConstraints[] = [];
  for (const t of allTargets) {
    const entry = PROVIDERS[t.provider];
    if (entry) list.push(entry.constraints(t));
  }
  const maxRule = Math.min(...policy.naming.usernames.map((r) => r.maxLength), 64);
  return mergeConstraints(list, maxRule);
}

export async function openProviders(loaded: LoadedPolicy, opts: RunOptions): Promise<Map<string, TargetProvider>> {
  const diags: Diagnostic[] = [];
  const out = new Map<string, TargetProvider>();
  const ctx: ProviderContext = { policyDir: loaded.dir, env: opts.env ?? process.env, log: opts.log ?? (() => undefined) };
  for (const t of loaded.policy.targets) {
    const entry = PROVIDERS[t.provider];
    if (!entry) {
      diags.push(errorDiag('target.provider', `target ${t.name}: unknown provider "${t.provider}"`, t.origin.source ? { source: t.origin.source } : {}));
      continue;
    }
    const mod = await entry.load();
    const problems = mod.validateSettings(t);
    diags.push(...problems);
    if (problems.some((d) => d.severity === 'error')) continue;
    out.set(t.name, await mod.create(t, ctx));
  }
  if (diags.some((d) => d.severity === 'error')) {
    await closeAll(out);
    throw new InputError(diags);
  }
  return out;
}

export async function readSnapshots(providers: Map<string, TargetProvider>): Promise<TargetSnapshot[]> {
  const out: TargetSnapshot[] = [];
  for (const [, p] of providers) out.push(await p.read());
  return out;
}

/** Open every selected target, read it, and close it again (a plan's refresh). */
export async function readTargets(loaded: LoadedPolicy, opts: RunOptions): Promise<TargetSnapshot[]> {
  const providers = await openProviders(loaded, opts);
  try {
    return await readSnapshots(providers);
  } finally {
    await closeAll(providers);
  }
}

export async function closeAll(providers: Map<string, TargetProvider>): Promise<void> {
  for (const p of providers.values()) await p.close();
}

export function openState(loaded: LoadedPolicy, opts: RunOptions): StateBackend {
  // A stale lock broken automatically (its holder died on this host) is reported, not silent.
  return openStateBackend(loaded.policy.state, loaded.dir, opts.env ?? process.env, opts.log ? { onNotice: opts.log } : {});
}

export type { StateDocument };
