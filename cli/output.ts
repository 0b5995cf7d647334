import { writeFileSync, renameSync } from 'node:fs';
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

export function renderPlan(plan: PlanDocument, choice: RenderChoice): string {
  switch (choice.format) {
    case 'json':
      return JSON.stringify(plan, null, 2) + '\n';
    case 'markdown':
      return renderMarkdown(plan, { showPii: choice.showPii, pseudonymKey: choice.pseudonymKey, maxChars: 60_000 });
    case 'text':
      return renderText(plan, { showPii: choice.showPii, pseudonymKey: choice.pseudonymKey, limit: choice.limit, color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR });
  }
}

/** Saved plans are written atomically, so a crash never leaves half a plan to apply. */
export function writePlanFile(path: string, plan: PlanDocument): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(plan, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
}

/** Progress for long runs: only on a terminal, on stderr, never with names. */
export function progressSink(enabled: boolean): ((message: string) => void) | undefined {
  if (!enabled || !process.stderr.isTTY) return undefined;
  return (message: string) => process.stderr.write(`\r\u001b[K${message}`);
}
