import { beforeAll, describe, expect, it } from 'vitest';
import { DRIFT_FORMATS, renderDrift } from '../../engine/render/drift-render.js';
import { driftedDistrict, sisPii, type DriftFixture } from './fixture.js';

/**
 * Drift reports travel: the HTML goes into a CI artifact, the Markdown into an issue. By
 * default none may carry a name, username or email from the SIS, or a username or email
 * rollcall issued. --show-pii turns them on (checked too, so this test can fail).
 */

interface Pii {
  /** Single-word names: matched as whole words, so "Rose" does not hit "Roseville". */
  words: string[];
  /** Multi-word names, usernames and emails: matched as text. */
  phrases: string[];
  usernames: string[];
}

function leaks(output: string, pii: Pii): string[] {
  const words = new Set(output.split(/[^\p{L}\p{M}\p{N}'’]+/u));
  const userTokens = new Set(output.split(/[^A-Za-z0-9._-]+/));
  const found: string[] = [];
  for (const w of pii.words) if (words.has(w)) found.push(w);
  for (const p of pii.phrases) if (output.includes(p)) found.push(p);
  for (const u of pii.usernames) if (userTokens.has(u)) found.push(u);
  return found;
}

describe('drift reports carry no PII unless --show-pii', () => {
  let fx: DriftFixture;
  let pii: Pii;
  let key: string;

  beforeAll(async () => {
    fx = await driftedDistrict();
    const sis = sisPii(fx.dir);
    const issued = Object.keys(fx.state.registry);
    const emails = Object.values(fx.state.last_applied.sandbox ?? {}).map((a) => a.email);
    pii = {
      words: sis.names.filter((n) => /^[\p{L}\p{M}'’]+$/u.test(n)),
      phrases: [...sis.names.filter((n) => !/^[\p{L}\p{M}'’]+$/u.test(n)), ...sis.emails, ...emails],
      usernames: [...sis.usernames, ...issued],
    };
    key = fx.state.lineage;
  }, 120_000);

  it('the fixture has drift in every category and real PII to leak', () => {
    expect(Object.values(fx.report.summary.by_category).every((n) => n > 0)).toBe(true);
    expect(pii.words.length).toBeGreaterThan(300);
    expect(pii.usernames.length).toBeGreaterThan(1900);
    // The raw model holds usernames (the renderers must hide them).
    expect(leaks(JSON.stringify(fx.report), pii).length).toBeGreaterThan(0);
  });

  it.each(DRIFT_FORMATS)('%s output contains no name, username or email', (format) => {
    const out = renderDrift(fx.report, { format, showPii: false, pseudonymKey: key });
    expect(out.length).toBeGreaterThan(500);
    expect(leaks(out, pii)).toEqual([]);
    expect(out).toMatch(/p-[0-9a-f]{10}/);
  });

  it('--show-pii shows usernames and names to those who ask', () => {
    for (const format of ['text', 'html', 'markdown'] as const) {
      const out = renderDrift(fx.report, { format, showPii: true, pseudonymKey: key });
      const found = leaks(out, pii);
      expect(found.length, format).toBeGreaterThan(0);
    }
  });
});
