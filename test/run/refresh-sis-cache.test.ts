import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Enrollment } from '../../engine/model/people.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { runRefresh } from '../../engine/run/refresh-run.js';
import { isSharedEnrollments } from '../../engine/model/shared-enrollments.js';
import { scratchDistrict } from '../helpers/district.js';

/**
 * Refresh once, plan many, for the SIS too: `rollcall refresh` primes the OneRoster parse
 * cache from the current export; plans read it and never write it (a first plan does not pay
 * for writing a cache), and a plan from the cache equals a plan from parsing.
 */

const NOW = '2026-10-01T12:00:00.000Z';
const cacheFiles = (dir: string): string[] => {
  const d = join(dir, '.rollcall', 'cache', 'sis');
  return existsSync(d) ? readdirSync(d).sort() : [];
};

describe('the SIS parse cache', () => {
  it('is written by refresh only, and plans read it to the same plan', async () => {
    const dir = scratchDistrict('rollcall-sis-cache-');
    const parsed = (await runPlan({ dir, now: NOW })).plan;
    expect(cacheFiles(dir)).toEqual([]);
    const r = await runRefresh({ dir, now: NOW });
    expect(r.sis).toEqual({ primed: true, people: parsed.inputs.sis_people });
    expect(cacheFiles(dir).length).toBeGreaterThan(0);
    const fromCache = await runPlan({ dir, now: NOW });
    expect(JSON.stringify(fromCache.plan)).toBe(JSON.stringify(parsed));
    // The cached read shares one enrollment list among people enrolled alike, and resolve then
    // works out a shared list's class groups once (resolve-cache.ts): the plan above is the
    // same with it. Some lists here are shared, so that path ran.
    const lists = fromCache.identities.map((i) => i.facts?.person.enrollments).filter((l): l is Enrollment[] => l !== undefined && l.length > 1);
    const shared = lists.filter((l) => isSharedEnrollments(l));
    expect(shared.length).toBeGreaterThan(0);
    expect(new Set(shared).size).toBeLessThan(shared.length);
    rmSync(join(dir, '.rollcall', 'cache'), { recursive: true });
  });
});
