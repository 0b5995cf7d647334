import { Flags } from '@oclif/core';
import { chmodSync, writeFileSync } from 'node:fs';
import { renderSheetHtml, renderSheetText } from '../../engine/secrets/sheet.js';
import { runPasswordSheet } from '../../engine/secrets/run-passwords.js';
import { RefusedError } from '../../engine/model/errors.js';
import { RollcallCommand, sisFlag } from '../base.js';

export default class Passwords extends RollcallCommand {
  static override description = 'Print a class\'s initial sign-in sheet for its teacher: display name, username and initial password of each student. Needs ROLLCALL_CREDENTIALS_KEY.';
  static override examples = [
    '<%= config.bin %> passwords --class cls-mhs-00012 --format html --out alg1.html',
    '<%= config.bin %> passwords --class cls-mpe-00001',
  ];
  static override flags = {
    class: Flags.string({ description: 'the class sourcedId', required: true }),
    format: Flags.string({ description: 'output format', options: ['text', 'html'], default: 'text' }),
    out: Flags.string({ char: 'o', description: 'write the sheet to this file (created 0600) instead of stdout; required when stdout is not a terminal' }),
    target: Flags.string({ description: 'only passwords for this target (default: every target with one)' }),
    sis: sisFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Passwords);
    // Passwords to a pipe, a file or a CI log would outlive the sheet: a terminal, or --out.
    if (!flags.out && !process.stdout.isTTY) {
      throw new RefusedError('passwords.not-a-terminal', 'standard output is not a terminal (a pipe, a file or a CI log): write the sheet with --out FILE (created 0600), then print and delete it');
    }
    const sheet = await runPasswordSheet(flags.class, { dir: flags.dir, sis: flags.sis, ...(flags.target ? { target: flags.target } : {}) });
    const text = flags.format === 'html' ? renderSheetHtml(sheet) : renderSheetText(sheet);
    if (flags.out) {
      writeFileSync(flags.out, text, { mode: 0o600 });
      chmodSync(flags.out, 0o600);
      process.stderr.write(`Wrote ${sheet.rows.length} student(s) to ${flags.out} (mode 0600). It holds passwords: print it, then delete it.\n`);
    } else {
      process.stderr.write('Note: this sheet holds initial passwords; print it and do not save, paste or mail it.\n');
      process.stdout.write(text);
    }
  }
}
