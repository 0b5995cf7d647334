import { Flags } from '@oclif/core';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ambiguousCases, renderDecisionFile } from '../../engine/correlate/cases.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { nowFlag, parseNow, RollcallCommand, sisFlag } from '../base.js';

export default class Correlate extends RollcallCommand {
  static override description = [
    'Link existing accounts to SIS people (policy/correlation.yaml) and write every ambiguous case as a decisions file to review.',
    '',
    'Each case (people and the candidate accounts they share) becomes one YAML file in the decisions format: set `account:` for each',
    'person, or mark an account `notAPerson`, commit, and the next plan adopts them. Entries left null are ignored.',
    'PII: these files contain usernames and directory paths by necessity (a reviewer cannot decide without them). Keep the',
    'policy repo private, and delete resolved files you no longer need once the accounts carry their anchors.',
  ].join('\n');
  static override examples = [
    '<%= config.bin %> correlate --dir examples/maplewood',
    '<%= config.bin %> correlate --out decisions/pending',
  ];
  static override flags = {
    sis: sisFlag,
    now: nowFlag,
    out: Flags.string({ description: 'directory for the case files (relative to --dir unless absolute)', default: 'decisions' }),
    'dry-run': Flags.boolean({ description: 'print the summary only; write no files', default: false }),
    force: Flags.boolean({ description: 'overwrite case files that exist already (they may hold a reviewer\'s edits)', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Correlate);
    const now = parseNow(flags.now);
    // Correlation always runs in adoption mode here: this command exists to review adoption.
    const result = await runPlan({ dir: flags.dir, sis: flags.sis, now, adopt: true });
    const byId = new Map<string, { username: string; path: string }>();
    for (const s of result.snapshots) for (const a of s.accounts) byId.set(`${s.target}\u0000${a.id}`, a);
    const cases = ambiguousCases(result.plan, (target, id) => byId.get(`${target}\u0000${id}`) ?? null);
    const summary = result.plan.correlation?.targets ?? {};
    for (const [target, c] of Object.entries(summary)) {
      process.stdout.write(
        `${target}: ${c.linked} linked, ${c.matched} matched, ${c.decided} decided, ${c.ambiguous} ambiguous, ${c.unmatched_persons} without an account, ` +
          `${c.orphans} orphaned account(s), ${c.excluded} excluded, ${c.not_a_person} not a person${c.out_of_scope ? `, ${c.out_of_scope} out of scope` : ''}\n`,
      );
    }
    if (cases.length === 0) {
      process.stdout.write('No ambiguous cases: nothing to decide.\n');
      return;
    }
    if (flags['dry-run']) {
      process.stdout.write(`${cases.length} ambiguous case(s); run without --dry-run to write them.\n`);
      return;
    }
    const out = resolve(resolve(flags.dir), flags.out);
    mkdirSync(out, { recursive: true });
    let written = 0;
    const kept: string[] = [];
    for (const c of cases) {
      const file = join(out, c.file);
      // Never clobber a file a reviewer may have half filled in.
      if (existsSync(file) && !flags.force) {
        kept.push(c.file);
        continue;
      }
      writeFileSync(file, renderDecisionFile(c));
      written++;
    }
    process.stdout.write(`Wrote ${written} case file(s) to ${out}. They contain usernames: review them in a private repo, fill in \`account:\`, commit, then plan.\n`);
    if (kept.length > 0) process.stdout.write(`Left ${kept.length} existing case file(s) as they are (--force overwrites): ${kept.slice(0, 5).join(', ')}${kept.length > 5 ? ', ...' : ''}\n`);
  }
}
