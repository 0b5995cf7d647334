import { Command, Flags } from '@oclif/core';
import { formatDiagnostic } from '../engine/model/diagnostics.js';
import { resolve } from 'node:path';
import { InputError, InternalError, RefusedError } from '../engine/model/errors.js';
import { githubMode } from './github.js';
import { annotateInputError } from './impact-output.js';

/**
 * Every rollcall command extends this. It owns the one mapping from typed errors to exit
 * codes: input problems and refusals exit 1 with a message a person can act on; nothing
 * else calls process.exit. Error text is built from diagnostics, which never hold secrets.
 */
export abstract class RollcallCommand extends Command {
  static override baseFlags = {
    dir: Flags.string({ char: 'd', description: 'policy repo directory', default: '.' }),
  };

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (err instanceof InputError) {
      // In GitHub Actions, policy errors become annotations on the PR's diff lines.
      if (githubMode(undefined)) annotateInputError(err, dirFromArgv(this.argv));
      for (const d of err.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
      const n = err.diagnostics.filter((d) => d.severity === 'error').length;
      process.stderr.write(`\n${n} error(s); nothing was applied.\n`);
      this.exit(1);
    }
    if (err instanceof RefusedError) {
      process.stderr.write(`Refused (${err.code}): ${err.message}\n`);
      this.exit(1);
    }
    if (err instanceof InternalError) {
      process.stderr.write(`Internal error: ${err.message}\nThis is a bug in rollcall; please report it.\n`);
      this.exit(1);
    }
    return super.catch(err);
  }
}

function dirFromArgv(argv: readonly string[]): string {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if ((a === '--dir' || a === '-d') && argv[i + 1]) return resolve(argv[i + 1]!);
    if (a.startsWith('--dir=')) return resolve(a.slice('--dir='.length));
  }
  return resolve('.');
}

/** `--now`: an ISO date or date-time; default the clock, read here and never in the core. */
export function parseNow(raw: string | undefined): string {
  if (!raw) return new Date().toISOString();
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw}T12:00:00Z` : raw);
  if (Number.isNaN(d.getTime())) {
    throw new InputError([{ severity: 'error', code: 'cli.now', summary: `--now ${JSON.stringify(raw)} is not an ISO-8601 date or date-time` }]);
  }
  return d.toISOString();
}

export const nowFlag = Flags.string({ description: 'the time lifecycle rules see (ISO-8601); default: now' });
export const sisFlag = Flags.string({ description: 'SIS export (folder, .zip or URL) overriding the policy\'s sis.path' });
export const showPiiFlag = Flags.boolean({ description: 'show names, usernames and emails (default: pseudonymous ids); for private contexts only', default: false });

export function pseudonymKey(lineage: string, fallback: string): string {
  return process.env.ROLLCALL_PSEUDONYM_KEY || lineage || fallback;
}
