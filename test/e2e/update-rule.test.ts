import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPlan } from '../../engine/run/plan-run.js';
import { appliedDistrict } from '../helpers/applied-district.js';

const NOW = '2026-10-01T12:00:00.000Z';

/**
 * An account update a policy edit causes names the rule whose template changed: a reviewer
 * (and the impact report, which groups changes by rule) reads it to know which edit did it.
 */
describe('the rule behind a policy-caused account update', () => {
  let dir: string;
  let naming: string;
  let before: string;

  beforeAll(async () => {
    ({ dir } = await appliedDistrict('rollcall-update-rule-', NOW));
    naming = join(dir, 'policy', 'naming.yaml');
    before = readFileSync(naming, 'utf8');
  }, 120_000);

  const updates = async (): Promise<{ rule?: string; attrs: string[] }[]> =>
    (await runPlan({ dir, now: NOW })).plan.changes
      .filter((c) => c.action === 'update')
      .map((c) => ({ ...(c.reason.rule !== undefined ? { rule: c.reason.rule } : {}), attrs: Object.keys(c.after ?? {}) }));

  it('a new student email template: the email rule, not the display name rule', async () => {
    writeFileSync(naming, before.replace('{username}@students.maplewood.k12.example', '{username}@learners.maplewood.k12.example'));
    const list = await updates();
    writeFileSync(naming, before);
    expect(list.length).toBeGreaterThan(100);
    expect(new Set(list.map((u) => u.rule))).toEqual(new Set(['student-email']));
    expect(new Set(list.map((u) => u.attrs.join(',')))).toEqual(new Set(['email']));
  });

  it('a new display name template: the display name rule', async () => {
    writeFileSync(naming, before.replace('template: "{preferredGiven} {preferredFamily}"', 'template: "{preferredFamily}, {preferredGiven}"'));
    const list = await updates();
    writeFileSync(naming, before);
    expect(list.length).toBeGreaterThan(100);
    expect(new Set(list.map((u) => u.rule))).toEqual(new Set(['preferred-display']));
  });
});
