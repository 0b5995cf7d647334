import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { hasErrors, warningDiag, type Diagnostic } from '../model/diagnostics.js';
import { InputError } from '../model/errors.js';
import type { Policy } from '../model/policy.js';
import { assemblePolicy } from './assemble.js';
import { policyDigest } from './digest.js';
import { schemaCommentDiagnostics } from './schema-comment.js';
import { DECISIONS_DIR, POLICY_EXTENSIONS, ROOT_BASENAME, SECTION_DIR, SECTION_NAMES, fileRole, isCue } from './sections.js';
import type { SourceDoc } from './source-doc.js';
import { parseYamlDoc } from './yaml-doc.js';

/**
 * Loading a policy repo: a thin I/O step (which files exist, their text) and a pure step
 * (text -> diagnostics and the normalized Policy) that tests drive directly. CUE's engine is
 * imported only when a `.cue` file is present.
 */

export interface PolicyFile {
  /** Relative to the policy repo, `/`-separated: `rollcall.yaml`, `policy/naming.cue`. */
  path: string;
  text: string;
}

export interface LoadedPolicy {
  /** Complete even when there are errors (defaults stand in), but only trustworthy without. */
  policy: Policy;
  /** sha256 over the policy files, recorded in plans. */
  digest: string;
  /** The policy files read, relative to the repo, sorted. */
  files: string[];
  diagnostics: Diagnostic[];
}

function schemaNameFor(file: string): string | null {
  const role = fileRole(file);
  if (role.kind === 'root') return 'rollcall.schema.json';
  if (role.kind === 'section') return `${role.section}.schema.json`;
  if (role.kind === 'decisions') return 'decisions.schema.json';
  return null;
}

async function parseOne(f: PolicyFile): Promise<SourceDoc> {
  if (isCue(f.path)) {
    const { parseCueDoc } = await import('./cue-doc.js');
    return parseCueDoc(f.path, f.text);
  }
  const doc = parseYamlDoc(f.path, f.text);
  const expected = schemaNameFor(f.path);
  if (expected) doc.diagnostics.push(...schemaCommentDiagnostics(f.path, f.text, expected));
  return doc;
}

/** Pure apart from CUE evaluation (in-process WASM): text in, policy and diagnostics out. */
export async function parsePolicyFiles(files: readonly PolicyFile[]): Promise<LoadedPolicy> {
  const relevant = files.filter((f) => fileRole(f.path).kind !== 'other' && fileRole(f.path).kind !== 'auxiliary');
  const docs = await Promise.all(relevant.map(parseOne));
  const { policy, diagnostics } = assemblePolicy(docs);
  const digest = policyDigest(relevant.map((f) => ({ path: f.path, bytes: Buffer.from(f.text, 'utf8') })));
  return { policy, digest, files: relevant.map((f) => f.path).sort(), diagnostics };
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw e;
  }
}

const hasPolicyExt = (name: string): boolean => POLICY_EXTENSIONS.some((ext) => name.endsWith(ext));

/** Reads the policy files under `dir`; warns about policy-looking files it will not read. */
export async function readPolicyFiles(dir: string): Promise<{ files: PolicyFile[]; warnings: Diagnostic[] }> {
  const files: PolicyFile[] = [];
  const warnings: Diagnostic[] = [];
  const top = (await listDir(dir)).filter((n) => hasPolicyExt(n) && n.startsWith(`${ROOT_BASENAME}.`));
  const sub = (await listDir(path.join(dir, SECTION_DIR))).filter(hasPolicyExt).map((n) => `${SECTION_DIR}/${n}`);
  // Decisions are reviewed policy too: they are in the policy digest, so apply refuses a plan made before one changed.
  const decided = (await listDir(path.join(dir, DECISIONS_DIR))).filter(hasPolicyExt).map((n) => `${DECISIONS_DIR}/${n}`);
  for (const rel of [...top, ...sub, ...decided].sort()) {
    if (fileRole(rel).kind === 'auxiliary') continue;
    if (fileRole(rel).kind === 'other') {
      warnings.push(
        warningDiag('policy.unknown-file', `${rel} is not a policy file rollcall reads (expected ${SECTION_NAMES.map((s) => `${s}.yaml`).join(', ')}); it is ignored`, {
          source: { file: rel },
        }),
      );
      continue;
    }
    files.push({ path: rel, text: await readFile(path.join(dir, ...rel.split('/')), 'utf8') });
  }
  return { files, warnings };
}

export async function loadPolicy(dir: string): Promise<LoadedPolicy> {
  const { files, warnings } = await readPolicyFiles(dir);
  const loaded = await parsePolicyFiles(files);
  return { ...loaded, diagnostics: [...warnings, ...loaded.diagnostics] };
}

/** loadPolicy, throwing InputError (every diagnostic) when the policy has errors. */
export async function loadPolicyOrThrow(dir: string): Promise<LoadedPolicy> {
  const loaded = await loadPolicy(dir);
  if (hasErrors(loaded.diagnostics)) throw new InputError(loaded.diagnostics);
  return loaded;
}
