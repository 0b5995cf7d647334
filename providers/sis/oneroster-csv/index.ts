import type { SisReadOptions, SisReadResult, SisSource } from '../../../engine/model/provider.js';
import { readOneRosterCsv } from './read.js';

/**
 * OneRoster 1.1 / 1.2 CSV (folder or .zip) as a rollcall SIS source.
 * `settings.skipEnrollments: true` skips enrollments.csv when the policy needs no class sections.
 * `settings.cacheDir` (set by the run, not the policy) turns on the parse cache there;
 * `settings.cacheWrite: false` reads it without writing (plans: `rollcall refresh` primes it).
 * `settings.recordIds: false` (set by the run) drops enrollment and role ids nothing will read.
 */
export const oneRosterCsvSource: SisSource = {
  read(options: SisReadOptions): Promise<SisReadResult> {
    const progress = options.progress;
    return readOneRosterCsv(options.location, {
      ...(progress ? { progress: (p) => progress(p.message) } : {}),
      ...(options.settings.skipEnrollments === true ? { skipEnrollments: true } : {}),
      ...(options.base ? { base: options.base } : {}),
      ...(typeof options.settings.cacheDir === 'string' ? { cacheDir: options.settings.cacheDir } : {}),
      ...(options.settings.cacheWrite === false ? { cacheWrite: false } : {}),
      ...(options.settings.recordIds === false ? { recordIds: false } : {}),
    });
  },
};

export { readOneRosterCsv, type ReadOneRosterOptions, type ReadProgress } from './read.js';
export { applyDelta } from './delta.js';
export type { RosterChanges, TableChanges, Rec, UserValue, RoleValue, EnrollmentValue } from './records.js';
