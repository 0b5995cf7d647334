import { type Diagnostic, formatDiagnostic, sortDiagnostics } from './diagnostics.js';

/**
 * The few error classes that steer control flow. The CLI maps them to exit codes in one
 * place (cli/base-command.ts); nothing else calls process.exit.
 */

/** Bad user input: one or more diagnostics, at least one an error. Exit 1, nothing applied. */
export class InputError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[], message?: string) {
    const sorted = sortDiagnostics(diagnostics);
    super(message ?? sorted.filter((d) => d.severity === 'error').map(formatDiagnostic).join('\n'));
    this.name = 'InputError';
    this.diagnostics = sorted;
  }
}

/** The operator asked for something that is refused (stale plan, held lock, halted plan). */
export class RefusedError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'RefusedError';
    this.code = code;
  }
}

/** A provider failure that retrying will not fix (conflict, permission, invalid value). */
export class TerminalProviderError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TerminalProviderError';
    this.code = code;
  }
}

/** A bug in rollcall. Exit 1 with a request to report it. */
export class InternalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InternalError';
  }
}
