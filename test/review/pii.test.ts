import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { planWithBase } from '../../cli/impact-output.js';
import { runImpact } from '../../engine/impact/run-impact.js';
import type { ImpactDocument } from '../../engine/impact/types.js';
import type { AttrValue, PlanDocument } from '../../engine/model/plan.js';
import { renderImpactMarkdown } from '../../engine/render/impact-markdown.js';
import { renderImpactText } from '../../engine/render/impact-text.js';
import { GITHUB_COMMENT_LIMIT, renderMarkdown } from '../../engine/render/markdown.js';
import { renderText } from '../../engine/render/text.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { col, readCsv } from '../helpers/district.js';
import { applyPlan, changeStudentNaming, commitAll, gitDistrict } from './helpers.js';

/**
 * The PR comment and CI output carry no student PII by default: the example district goes
 * through every review renderer, and not one given, family or preferred name, username or
 * email from its SIS export, nor any name, username or email the plan computes, may appear.
 * With showPii the same values do appear, so the check can fail.
 */

const NOW = '2026-10-01T12:00:00.000Z';
const KEY = 'pii-test-key';

function values(v: AttrValue | undefined): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v;
  return [];
}

describe('PII-safe review output', { timeout: 240_000 }, () => {
  let full: PlanDocument;
  let impact: ImpactDocument;
  let dir: string;
  const pii = new Set<string>();

  beforeAll(async () => {
    dir = await gitDistrict('rollcall-pii-');
    const users = readCsv(join(dir, 'sis/users.csv'));
    for (const name of ['givenName', 'familyName', 'middleName', 'preferredGivenName', 'preferredFamilyName', 'preferredMiddleName', 'username', 'email']) {
      for (const r of users.rows) pii.add(r[col(users, name)] ?? '');
    }
    full = (await runPlan({ dir, now: NOW })).plan;
    expect((await applyPlan(dir, full, NOW)).failed).toEqual([]);
    changeStudentNaming(dir);
    await commitAll(dir, 'naming');
    impact = (await runImpact({ dir, now: NOW, base: 'main~1' })).impact;
    const changes = [...full.changes, ...impact.entries.flatMap((e) => [e.base, e.head]).filter((c) => c !== undefined)];
    for (const c of changes) {
      for (const attrs of [c.before, c.after]) {
        for (const k of ['username', 'email', 'displayName', 'givenName', 'familyName', 'aliases', 'member']) for (const v of values(attrs?.[k])) pii.add(v);
      }
    }
    pii.delete('');
    expect(impact.entries.length).toBeGreaterThan(1000);
  });

  /** Values found in the output: whole tokens (names), or substrings (emails, multi-word names). */
  function leaks(output: string): string[] {
    const tokens = new Set(output.split(/[^\p{L}\p{M}\p{N}.@'_-]+/u).flatMap((t) => [t, t.replace(/^[.'-]+|[.'-]+$/g, '')]));
    return [...pii].filter((v) => tokens.has(v) || ((v.includes('@') || v.includes(' ')) && output.includes(v)));
  }

  const outputs = (showPii: boolean): Record<string, string> => ({
    'plan markdown': renderMarkdown(full, { showPii, pseudonymKey: KEY, maxChars: GITHUB_COMMENT_LIMIT - 1 }),
    'plan text': renderText(full, { showPii, pseudonymKey: KEY, limit: 0, color: false }),
    'impact markdown': renderImpactMarkdown(impact, { showPii, pseudonymKey: KEY }),
    'impact text': renderImpactText(impact, { showPii, pseudonymKey: KEY, limit: 0 }),
  });

  it('no name, username or email appears by default, in any review renderer', () => {
    expect(pii.size).toBeGreaterThan(5000);
    for (const [what, text] of Object.entries(outputs(false))) {
      expect(text.length, what).toBeGreaterThan(1000);
      expect(leaks(text), what).toEqual([]);
      expect(text, what).toMatch(/p-[0-9a-f]{10}/);
    }
  });

  it('the same check finds them with --show-pii (so it can fail)', () => {
    for (const [what, text] of Object.entries(outputs(true))) expect(leaks(text).length, what).toBeGreaterThan(100);
  });

  it('plan --base --show-pii --github shows names on stdout only: the job summary stays pseudonymous', async () => {
    const summary = join(dir, 'summary.md');
    vi.stubEnv('GITHUB_STEP_SUMMARY', summary);
    let stdout = '';
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout += String(chunk);
      return true;
    });
    try {
      await planWithBase({ dir, now: NOW, base: 'main~1', format: 'markdown', showPii: true, limit: 50, github: true });
    } finally {
      write.mockRestore();
      vi.unstubAllEnvs();
    }
    const text = readFileSync(summary, 'utf8');
    expect(leaks(stdout).length).toBeGreaterThan(100);
    expect(text.length).toBeGreaterThan(1000);
    expect(leaks(text)).toEqual([]);
    expect(text).toMatch(/p-[0-9a-f]{10}/);
  });

  it('the PR comments stay below GitHub\'s limit and keep the headline, warning slot and safety verdict', () => {
    const md = outputs(false);
    for (const what of ['plan markdown', 'impact markdown']) expect(md[what]!.length, what).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(md['impact markdown']).toContain(impact.headline);
    expect(md['impact markdown']).toMatch(/\*\*Safety: HALTED\*\* — `rename\.count` \(\d+ > 50\) — caused by this change/);
    expect(md['impact markdown']).toMatch(/omitted to fit the comment limit/);
    expect(md['plan markdown']).toMatch(/\*\*Safety: ok\*\*/);
    expect(md['plan markdown']).toContain('<details><summary>Changes by school</summary>');
  });
});
