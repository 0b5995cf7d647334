import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDrift } from '../../engine/render/drift-render.js';
import { driftedDistrict, type DriftFixture } from './fixture.js';

/**
 * The auditor's HTML report in a real browser (Debian's chromium, driven by playwright-core;
 * scripts/deps/chromium.sh installs it): it renders with no console errors and no request
 * beyond the file itself, the charts draw, and the filters and sorting work.
 */

const CHROMIUM = '/usr/bin/chromium';
// Playwright gives each launch a new empty profile (it refuses --user-data-dir here).
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('the drift HTML report in headless Chromium', () => {
  let fx: DriftFixture;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const requests: string[] = [];
  let shot = '';

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/deps/chromium.sh`);
    fx = await driftedDistrict();
    const out = mkdtempSync(join(tmpdir(), 'rollcall-drift-html-'));
    const file = join(out, 'drift.html');
    writeFileSync(file, renderDrift(fx.report, { format: 'html', showPii: false, pseudonymKey: fx.state.lineage }));
    shot = join(out, 'drift.png');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
  });

  const shown = async (): Promise<number> => page.locator('#items tbody tr[data-category]:visible').count();

  it('renders with no console errors and requests nothing but itself', async () => {
    await page.screenshot({ path: shot, fullPage: true });
    expect(problems).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
    expect(await page.title()).toContain('Drift report');
    expect(await page.locator('#run-time').textContent()).toBe(fx.report.generated_at);
    expect(await page.locator('#policy-commit').textContent()).toBe('(not a git repository)');
  });

  it('draws the charts: one bar per school and per category with drift, each of non-zero size', async () => {
    // By default the table (and so the charts) show drift, not allow-listed items: as the figures count.
    const schools = Object.keys(fx.report.summary.by_school).length;
    const categories = Object.values(fx.report.summary.by_category).filter((n) => n > 0).length;
    expect(await page.locator('#chart-school rect').count()).toBe(schools);
    expect(await page.locator('#chart-category rect').count()).toBe(categories);
    for (const sel of ['#chart-school', '#chart-category']) {
      const box = await page.locator(sel).boundingBox();
      expect(box && box.width > 100 && box.height > 20, sel).toBe(true);
      for (const rect of await page.locator(`${sel} rect`).all()) {
        const b = await rect.boundingBox();
        expect(b && b.width > 0 && b.height > 0, sel).toBe(true);
      }
    }
  });

  it('filters by text, category and status, and the charts follow', async () => {
    const drift = fx.report.items.length;
    const total = drift + fx.report.allowed.length;
    expect(await shown()).toBe(drift);
    expect(await page.locator('#shown').textContent()).toBe(`Showing ${drift} of ${total} item(s)`);

    const subject = (await page.locator('#items tbody tr[data-category="missing-account"] td[data-col="subject"]').first().textContent()) ?? '';
    expect(subject).toMatch(/^p-[0-9a-f]{10}$/);
    await page.fill('#f-q', subject);
    expect(await shown()).toBe(1);
    expect(await page.locator('#chart-category rect').count()).toBe(1);
    await page.fill('#f-q', 'no such thing anywhere');
    expect(await shown()).toBe(0);
    expect(await page.locator('#no-match').isVisible()).toBe(true);
    await page.fill('#f-q', '');

    const orphans = (list: readonly { category: string }[]): number => list.filter((i) => i.category === 'orphan-account').length;
    await page.selectOption('#f-category', 'orphan-account');
    expect(await shown()).toBe(orphans(fx.report.items));
    expect(await page.locator('#chart-category rect').count()).toBe(1);
    await page.selectOption('#f-status', 'allowed');
    expect(await shown()).toBe(orphans(fx.report.allowed));
    await page.selectOption('#f-status', '');
    expect(await shown()).toBe(orphans(fx.report.items) + orphans(fx.report.allowed));
    await page.selectOption('#f-category', '');
    expect(await shown()).toBe(total);
    await page.selectOption('#f-status', 'drift');
    await page.selectOption('#f-severity', 'high');
    expect(await shown()).toBe(fx.report.items.filter((i) => i.severity === 'high').length);
    await page.selectOption('#f-severity', '');
    expect(await shown()).toBe(drift);
  });

  it('reads "No drift" when there is none, still without errors', async () => {
    const empty = { ...fx.report, items: [], allowed: [], warnings: [], summary: { ...fx.report.summary, total: 0, allowed: 0, fixable: 0, by_school: {}, by_target: {}, by_severity: { high: 0, medium: 0, low: 0 }, by_category: Object.fromEntries(Object.keys(fx.report.summary.by_category).map((k) => [k, 0])) as typeof fx.report.summary.by_category } };
    const other = await browser.newPage();
    const errors: string[] = [];
    other.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    other.on('pageerror', (e) => errors.push(e.message));
    await other.setContent(renderDrift(empty, { format: 'html', showPii: false, pseudonymKey: 'k' }), { waitUntil: 'load' });
    expect(errors).toEqual([]);
    expect(await other.locator('.nodrift').textContent()).toMatch(/^No drift/);
    expect(await other.locator('#chart-school text').textContent()).toMatch(/No items/);
    await other.close();
  });

  it('sorts by a column when its header is clicked, both ways', async () => {
    const categories = async (): Promise<string[]> => page.locator('#items tbody tr[data-category]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-category') ?? ''));
    await page.click('th[data-sort="category"]');
    const asc = await categories();
    expect(asc).toEqual([...asc].sort());
    await page.click('th[data-sort="category"]');
    expect(await categories()).toEqual([...asc].sort().reverse());
    await page.screenshot({ path: shot.replace(/\.png$/, '-sorted.png'), fullPage: false });
    expect(problems).toEqual([]);
  });
});
