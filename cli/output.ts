import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import type { PlanDocument } from '../engine/model/plan.js';
import { renderMarkdown } from '../engine/render/markdown.js';
import { renderText } from '../engine/render/text.js';

export type PlanFormat = 'text' | 'markdown' | 'json';

export interface RenderChoice {
  format: PlanFormat;
  showPii: boolean;
  pseudonymKey: string;
  limit: number;
}

/**
 * Whether applying the plan would do anything: a change, or a state update to record (a
 * grace-period timer, remembered facts). `plan --detailed-exitcode` answers 2 for either: a
 * script that skips apply on 0 must not skip the timer that starts a withdrawn student's grace
 * period, or it would start again on every run.
 */
export function pendingWork(plan: Pick<PlanDocument, 'changes' | 'state_updates'>): boolean {
  return plan.changes.length > 0 || plan.state_updates.length > 0;
}

export function renderPlan(plan: PlanDocument, choice: RenderChoice): string {
  switch (choice.format) {
    case 'json': {
      // One JSON layout everywhere: the saved plan's, one change per line.
      let out = '';
      writePlanJson(plan, (chunk) => (out += chunk));
      return out;
    }
    case 'markdown':
      return renderMarkdown(plan, { showPii: choice.showPii, pseudonymKey: choice.pseudonymKey, maxChars: 60_000 });
    case 'text':
      return renderText(plan, { showPii: choice.showPii, pseudonymKey: choice.pseudonymKey, limit: choice.limit, color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR });
  }
}

/**
 * Saved plans are written atomically (a crash never leaves half a plan to apply) and
 * streamed one change per line: a district's first plan is too large for one string, and a
 * line per change diffs well. The file is ordinary JSON.
 */
export function writePlanFile(path: string, plan: PlanDocument): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writePlanJson(plan, (chunk) => writeSync(fd, chunk));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/**
 * The plan as JSON, handed to `sink` in pieces of about a megabyte, one change per line.
 * Used for saved plans and for `--format json` on stdout alike.
 */
export function writePlanJson(plan: PlanDocument, sink: (chunk: string) => void): void {
  let buf = '';
  const put = (s: string): void => {
    buf += s;
    if (buf.length > 1 << 20) {
      sink(buf);
      buf = '';
    }
  };
  const entries = Object.entries(plan);
  put('{');
  entries.forEach(([key, value], i) => {
    put(`${i ? ',\n' : '\n'}${JSON.stringify(key)}: `);
    if (Array.isArray(value) && (key === 'changes' || key === 'state_updates')) {
      put('[');
      value.forEach((item: unknown, j: number) => put(`${j ? ',' : ''}\n  ${JSON.stringify(item)}`));
      put(value.length ? '\n]' : ']');
    } else put(JSON.stringify(value));
  });
  put('\n}\n');
  sink(buf);
}

/** Print a plan in the chosen format; JSON goes out in pieces (a district's plan is bigger than one string). */
export function printPlan(plan: PlanDocument, choice: RenderChoice): void {
  if (choice.format === 'json') writePlanJson(plan, (chunk) => process.stdout.write(chunk));
  else process.stdout.write(renderPlan(plan, choice));
}

/** Progress for long runs: only on a terminal, on stderr, never with names. */
export function progressSink(enabled: boolean): ((message: string) => void) | undefined {
  if (!enabled || !process.stderr.isTTY) return undefined;
  return (message: string) => process.stderr.write(`\r\u001b[K${message}`);
}
