import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { summarizeDrift } from '../../engine/drift/detect.js';
import type { DriftItem, DriftReport } from '../../engine/drift/model.js';
import { renderDrift } from '../../engine/render/drift-render.js';

/** The renderers on a synthetic report: they agree on the rows, and each keeps its own limits. */

function item(i: number, over: Partial<DriftItem> = {}): DriftItem {
  return {
    id: `sandbox:attribute-changed:a${i}`, category: 'attribute-changed', severity: 'low', origin: 'outside', target: 'sandbox',
    anchor: `anchor-${i}`, objectId: `u${i}`, username: `user${i}`, path: `Students/MHS/${2030 + (i % 4)}`, school: i % 2 ? 'MHS' : 'CMS',
    attrs: [{ name: 'displayName', observed: `Observed ${i}`, lastApplied: `Applied ${i}`, expected: `Applied ${i}` }, { name: 'path', observed: 'Students/X', lastApplied: 'Students/MHS/2030' }],
    detail: 'displayName, path changed outside rollcall', fixedBy: [`sandbox:account:anchor-${i}:update`, `sandbox:account:anchor-${i}:move`], ...over,
  };
}

function report(items: DriftItem[], allowed: DriftItem[] = []): DriftReport {
  return {
    format_version: 1, generated_at: '2026-10-01T12:00:00.000Z', policy_commit: 'abc123', policy_digest: 'sha256:x', state_serial: 3, district: 'Test District',
    targets: [{ name: 'sandbox', accounts: 100, groups: 5, managedRoots: ['Students'] }], summary: summarizeDrift(items, allowed.length), items, allowed, warnings: [],
  };
}

const privacy = { showPii: false, pseudonymKey: 'k' };

describe('drift renderers', () => {
  it('CSV: one row per item, quoted per RFC 4180, formulas defused', () => {
    const r = report([item(1, { detail: '=HYPERLINK("http://x")' }), item(2)], [item(3, { allow: { index: 0, reason: 'kiosk, lab', expires: '2027-01-01' } })]);
    const csv = renderDrift(r, { ...privacy, format: 'csv' });
    const rows = Papa.parse<string[]>(csv.trim(), { newline: '\r\n' }).data;
    expect(rows).toHaveLength(4);
    const [header, first, , last] = rows;
    const at = (row: string[] | undefined, col: string): string => row?.[header!.indexOf(col)] ?? '';
    expect(at(first, 'detail')).toBe('\'=HYPERLINK("http://x")');
    expect(at(first, 'fix_actions')).toBe('update move');
    expect(at(first, 'attributes')).toBe('displayName (values hidden); path: "Students/X" (last applied "Students/MHS/2030")');
    expect(at(last, 'status')).toBe('allowed');
    expect(at(last, 'allow_reason')).toBe('kiosk, lab');
    expect(csv).not.toMatch(/user\d|Observed|Applied \d/);
  });

  it('JSON: the same rows, privacy applied, a null commit stays null', () => {
    const doc = JSON.parse(renderDrift({ ...report([item(1), item(2)]), policy_commit: null }, { ...privacy, format: 'json' })) as { items: { subject: string }[]; pseudonymous: boolean; policy_commit: unknown };
    expect(doc.items).toHaveLength(2);
    expect(doc.items.every((i) => /^p-[0-9a-f]{10}$/.test(i.subject))).toBe(true);
    expect(doc.pseudonymous).toBe(true);
    expect(doc.policy_commit).toBeNull();
  });

  it('text: cuts a long category after --limit, with a count of the rest', () => {
    const items = Array.from({ length: 30 }, (_, i) => item(i));
    const text = renderDrift(report(items), { ...privacy, format: 'text', limit: 10 });
    expect(text.match(/^ {2}~ {2}sandbox p-/gm)).toHaveLength(10);
    expect(text).toMatch(/… and 20 more/);
    expect(text).toMatch(/Drift: 30 item\(s\) — 0 high, 0 medium, 30 low; 30 corrected by the next apply, 0 need a person; 0 allow-listed\./);
    const all = renderDrift(report(items), { ...privacy, format: 'text', limit: 0 });
    expect(all.match(/^ {2}~ {2}sandbox p-/gm)).toHaveLength(30);
  });

  it('markdown: stays under the cap with thousands of items and says what it left out', () => {
    const items = Array.from({ length: 3000 }, (_, i) => item(i));
    const md = renderDrift(report(items), { ...privacy, format: 'markdown', maxChars: 60_000 });
    expect(md.length).toBeLessThanOrEqual(60_000);
    expect(md).toMatch(/… \d+ more item\(s\) omitted/);
    expect(md).toMatch(/\| Attributes changed outside rollcall \(`attribute-changed`\) \| low \| 3000 \| 0 \|/);
  });

  it('HTML: escapes every value it shows', () => {
    const html = renderDrift(report([item(1, { path: 'Students/<script>alert(1)</script>', detail: '"quoted" & <b>' })]), { ...privacy, format: 'html' });
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('Students/&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;quoted&quot; &amp; &lt;b&gt;');
    expect(html).toMatch(/Content-Security-Policy" content="default-src 'none'/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });
});
