import { appendFileSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Diagnostic } from '../engine/model/diagnostics.js';

/**
 * GitHub Actions output: workflow-command annotations (so policy errors show on the PR's
 * diff lines), the job step summary, and step outputs. Only formatting and appending to
 * the files the runner names; nothing here talks to the network.
 */

/** `--github`, or auto-detected: GitHub sets GITHUB_ACTIONS=true in every job. */
export function githubMode(flag: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  return flag ?? env.GITHUB_ACTIONS === 'true';
}

/** Escaping from @actions/core's command.ts: data and property values differ. */
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * The annotation's file must be relative to the repository root (GITHUB_WORKSPACE), while
 * diagnostics name files relative to the policy repo, which may be a sub-folder.
 */
export function annotationPath(file: string, policyDir: string, workspace: string | undefined): string {
  const abs = isAbsolute(file) ? file : resolve(policyDir, file);
  const root = workspace ? resolve(workspace) : process.cwd();
  const rel = relative(root, abs);
  return (rel.startsWith('..') || isAbsolute(rel) ? abs : rel).split(sep).join('/');
}

/** `::error file=policy/naming.yaml,line=7,col=5,title=policy.schema::message`. */
export function annotation(d: Diagnostic, policyDir: string, workspace?: string): string {
  const props: string[] = [];
  if (d.source?.file) {
    props.push(`file=${escapeProperty(annotationPath(d.source.file, policyDir, workspace))}`);
    if (d.source.line !== undefined) props.push(`line=${d.source.line}`);
    if (d.source.line !== undefined && d.source.column !== undefined) props.push(`col=${d.source.column}`);
  }
  props.push(`title=${escapeProperty(`rollcall ${d.code}`)}`);
  const message = d.detail ? `${d.summary}\n${d.detail}` : d.summary;
  return `::${d.severity === 'error' ? 'error' : 'warning'} ${props.join(',')}::${escapeData(message)}`;
}

/**
 * Writes one annotation per diagnostic (errors and warnings). The runner reads workflow
 * commands from stdout and stderr alike; stderr keeps them out of output a step redirects
 * to a file (`rollcall plan --format markdown > comment.md`).
 */
export function emitAnnotations(diags: readonly Diagnostic[], policyDir: string, env: NodeJS.ProcessEnv = process.env, write: (line: string) => void = (l) => process.stderr.write(l + '\n')): number {
  for (const d of diags) write(annotation(d, policyDir, env.GITHUB_WORKSPACE));
  return diags.length;
}

/** Appends Markdown to the job summary; false when not in Actions (no GITHUB_STEP_SUMMARY). */
export function appendStepSummary(markdown: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return false;
  appendFileSync(file, markdown.endsWith('\n') ? markdown : markdown + '\n');
  return true;
}

/** Sets a step output (`steps.<id>.outputs.<name>`), multi-line safe. */
export function setOutput(name: string, value: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const file = env.GITHUB_OUTPUT;
  if (!file) return false;
  const delimiter = `rollcall_${Math.random().toString(36).slice(2)}`;
  appendFileSync(file, `${name}<<${delimiter}\n${value}\n${delimiter}\n`);
  return true;
}
