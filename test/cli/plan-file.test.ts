import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PlanDocument } from '../../engine/model/plan.js';
import { planDigest } from '../../engine/plan/build-plan.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { readPlanFile } from '../../cli/plan-file.js';
import { writePlanFile } from '../../cli/output.js';
import { InputError } from '../../engine/model/errors.js';
import { scratchDistrict } from '../helpers/district.js';

/**
 * Saved plans too large for one string are read line by line in the layout rollcall writes.
 * The line reader is forced here with a tiny size limit, on a real plan of the example district.
 */

let plan: PlanDocument;
let file: string;
beforeAll(async () => {
  const dir = scratchDistrict('rollcall-planfile-');
  plan = (await runPlan({ dir, now: '2026-10-01T12:00:00.000Z' })).plan;
  file = join(mkdtempSync(join(tmpdir(), 'rollcall-planfile-')), 'plan.json');
  writePlanFile(file, plan);
});

describe('saved plan files', () => {
  it('read line by line give the same document, digest included', () => {
    const whole = readPlanFile(file);
    const byLines = readPlanFile(file, 0);
    expect(byLines.changes.length).toBeGreaterThan(100);
    expect(byLines).toEqual(whole);
    expect(JSON.stringify(byLines)).toBe(JSON.stringify(plan));
    expect(planDigest(byLines)).toBe(plan.digest);
  });

  it('a truncated large file is refused with the line where it broke', () => {
    const text = readFileSync(file, 'utf8');
    const cut = join(mkdtempSync(join(tmpdir(), 'rollcall-planfile-')), 'cut.json');
    writeFileSync(cut, text.slice(0, Math.floor(text.length / 2)));
    let err: unknown;
    try {
      readPlanFile(cut, 0);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    const d = (err as InputError).diagnostics[0]!;
    expect(d.code).toBe('plan.parse');
    expect(d.source?.line).toBeGreaterThan(1);
  });
});
