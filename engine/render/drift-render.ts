import type { DriftReport } from '../drift/model.js';
import { renderDriftCsv } from './drift-csv.js';
import { renderDriftHtml } from './drift-html.js';
import { renderDriftJson } from './drift-json.js';
import { renderDriftMarkdown } from './drift-markdown.js';
import { renderDriftText } from './drift-text.js';
import { driftView } from './drift-view.js';
import type { PrivacyOptions } from './pseudonym.js';

/** One entry point for every drift format; each reads the same privacy-applied view. */

export const DRIFT_FORMATS = ['text', 'json', 'csv', 'markdown', 'html'] as const;
export type DriftFormat = (typeof DRIFT_FORMATS)[number];

export interface DriftRenderOptions extends PrivacyOptions {
  format: DriftFormat;
  /** Text: items per category before summarizing (0 = all). */
  limit?: number;
  /** Markdown: hard cap on length (GitHub comments and issues stop at 65,536). */
  maxChars?: number;
}

export function renderDrift(report: DriftReport, opts: DriftRenderOptions): string {
  const view = driftView(report, opts);
  switch (opts.format) {
    case 'text':
      return renderDriftText(view, { limit: opts.limit ?? 50 });
    case 'json':
      return renderDriftJson(view);
    case 'csv':
      return renderDriftCsv(view);
    case 'markdown':
      return renderDriftMarkdown(view, { maxChars: opts.maxChars ?? 60_000 });
    case 'html':
      return renderDriftHtml(view);
  }
}
