import { join } from 'node:path';
import { runDrift } from '../../engine/drift/run-drift.js';
import type { DriftReport } from '../../engine/drift/model.js';
import type { StateDocument } from '../../engine/model/state.js';
import { runApply } from '../../engine/run/apply-run.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { col, editUser, peopleWithRole, readCsv, scratchDistrict } from '../helpers/district.js';
import { Tamper } from './tamper.js';

/**
 * A district with drift in every category, for the renderer tests: the example district
 * planned and applied, then changed by hand in the sandbox.
 */

export const NOW = '2026-10-01T12:00:00.000Z';

export interface DriftFixture {
  dir: string;
  report: DriftReport;
  state: StateDocument;
}

export async function driftedDistrict(): Promise<DriftFixture> {
  const dir = scratchDistrict('rollcall-drift-render-');
  const first = (await runPlan({ dir, now: NOW })).plan;
  await runApply({ dir, plan: first, accept: [], now: () => NOW, actor: 'test', lockTimeoutMs: 0 });
  const students = [...new Set(peopleWithRole(join(dir, 'sis'), 'student'))];
  const staff = [...new Set(peopleWithRole(join(dir, 'sis'), 'teacher'))];
  const t = new Tamper(dir);
  // People from several schools, so the by-school chart has more than one bar.
  const pick = [3, 150, 400, 700, 1000, 1300].map((i) => students[i]!);
  t.edit(pick[0]!, { displayName: 'Changed By Hand', familyName: 'Changed' });
  t.edit(pick[1]!, { enabled: false });
  t.edit(pick[2]!, { path: 'Students/Elsewhere' });
  t.remove(t.byAnchor(pick[3]!).id);
  t.edit(pick[4]!, { username: 'WRONG name' });
  t.addGroup('domain-admins', [t.byAnchor(pick[5]!).id, t.byAnchor(staff[0]!).id]);
  t.addAccount({ username: 'stray.one', path: 'Students/MHS/2030' });
  t.addAccount({ username: 'stray.two', path: 'Staff/OHE' });
  t.addAccount({ username: 'kiosk07', path: 'Students/CMS/Kiosks/Library' });
  // The SIS curtails one student's access; rollcall has not applied it yet (origin: pending).
  editUser(join(dir, 'sis'), students[900]!, { enabledUser: 'false' });
  const { report, state } = await runDrift({ dir, now: NOW });
  return { dir, report, state };
}

/** Every given, family and preferred name, SIS username and email in the district's SIS. */
export function sisPii(dir: string): { names: string[]; usernames: string[]; emails: string[] } {
  const users = readCsv(join(dir, 'sis/users.csv'));
  const names = new Set<string>();
  const usernames = new Set<string>();
  const emails = new Set<string>();
  for (const r of users.rows) {
    for (const c of ['givenName', 'familyName', 'preferredGivenName', 'preferredFamilyName']) {
      const v = r[col(users, c)]?.trim();
      if (v) names.add(v);
    }
    const u = r[col(users, 'username')]?.trim();
    if (u) usernames.add(u);
    const e = r[col(users, 'email')]?.trim();
    if (e) emails.add(e);
  }
  return { names: [...names], usernames: [...usernames], emails: [...emails] };
}
