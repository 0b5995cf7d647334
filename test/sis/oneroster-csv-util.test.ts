import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import Papa from 'papaparse';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDate, parseDateTime } from '../../providers/sis/csv-util/dates.js';
import { detectEncoding, findInvalidUtf8 } from '../../providers/sis/csv-util/encoding.js';
import type { ExportFile } from '../../providers/sis/csv-util/file-set.js';
import { readCsv } from '../../providers/sis/csv-util/csv-stream.js';
import { normalizeGrade } from '../../providers/sis/csv-util/grades.js';
import { bindHeader } from '../../providers/sis/csv-util/header.js';
import { combineDigests } from '../../providers/sis/csv-util/digest.js';
import { sha256OfFile } from '../../providers/sis/csv-util/hash-file.js';

/** An in-memory file delivered in small chunks, so rows and characters straddle chunk edges. */
function memFile(name: string, bytes: Buffer, chunk = 7): ExportFile {
  return {
    name,
    size: bytes.length,
    open: () => Promise.resolve(Readable.from((function* () {
      for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
    })())),
  };
}

async function rowsOf(file: ExportFile, maxRowChars?: number) {
  const rows: [number, string[]][] = [];
  const res = await readCsv(file, { onHeader: (f, l) => (rows.push([l, f]), true), onRow: (f, l) => rows.push([l, [...f]]) }, maxRowChars ? { maxRowChars } : {});
  return { rows, res };
}

describe('readCsv', () => {
  it('gives each row its line number, counting newlines inside quoted fields, across chunk edges', async () => {
    const text = 'a,b\r\n1,"x\r\ny"\r\n2,"Zoë, ""Z"""\r\n3,Nguyễn';
    const { rows, res } = await rowsOf(memFile('t.csv', Buffer.from(text)));
    expect(rows).toEqual([
      [1, ['a', 'b']],
      [2, ['1', 'x\r\ny']],
      [4, ['2', 'Zoë, "Z"']],
      [5, ['3', 'Nguyễn']],
    ]);
    expect(res.rows).toBe(3);
    expect(res.diagnostics).toEqual([]);
  });

  it('rows and line numbers do not depend on where chunks split the bytes', async () => {
    const cell = fc.stringMatching(/^[a-zé,"\n ]{0,6}$/);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(cell, cell), { minLength: 1, maxLength: 8 }), fc.constantFrom('\n', '\r\n'), fc.integer({ min: 1, max: 9 }), async (rows, nl, chunk) => {
        const q = (v: string) => (/[",\n]/.test(v) || v === '' ? `"${v.replace(/"/g, '""')}"` : v);
        const text = ['a,b', ...rows.map(([x, y]) => `${q(x)},${q(y)}`)].join(nl);
        const whole = await rowsOf(memFile('t.csv', Buffer.from(text), 1 << 20));
        const split = await rowsOf(memFile('t.csv', Buffer.from(text), chunk));
        expect(split.rows).toEqual(whole.rows);
        expect(split.res.diagnostics).toEqual([]);
        expect(whole.rows.slice(1).map(([, f]) => f)).toEqual(rows.map(([x, y]) => [x, y]));
      }),
      { numRuns: 200 },
    );
  });

  it('stops on an unterminated quote instead of re-scanning the rest of the file', async () => {
    const body = 'a,b\n1,"open\n' + '2,x\n'.repeat(2000);
    const { res } = await rowsOf(memFile('t.csv', Buffer.from(body), 1024), 1000);
    expect(res.diagnostics).toEqual([expect.objectContaining({ code: 'csv.quoting', source: { file: 't.csv', line: 2, column: 3 } })]);
  });

  it('reports rows with the wrong number of fields at their line', async () => {
    const { rows, res } = await rowsOf(memFile('t.csv', Buffer.from('a,b,c\n1,2,3\n1,2\n1,2,3,4\n1,2,3,\n')));
    expect(res.diagnostics.map((d) => `${d.code}@${d.source?.line}`)).toEqual(['csv.field-count@3', 'csv.field-count@4']);
    expect(rows.map(([l]) => l)).toEqual([1, 2, 5]);
  });

  it('hashes the bytes as read', async () => {
    const a = await rowsOf(memFile('t.csv', Buffer.from('a\n1\n')));
    const b = await rowsOf(memFile('t.csv', Buffer.from('a\n2\n')));
    expect(a.res.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(a.res.sha256).not.toBe(b.res.sha256);
    expect(combineDigests([['x', a.res.sha256], ['y', b.res.sha256]])).toBe(combineDigests([['y', b.res.sha256], ['x', a.res.sha256]]));
  });

  it('hashes a file on disk (a big one on a worker thread), to the digest of its bytes; a zip entry (no path) here', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rollcall-hash-'));
    try {
      const bytes = Buffer.from('sourcedId\n' + 'x,'.repeat(300_000));
      const full = path.join(dir, 'e.csv');
      await writeFile(full, bytes);
      const want = createHash('sha256').update(bytes).digest('hex');
      expect(await sha256OfFile({ ...memFile('e.csv', bytes, 4096), path: full })).toBe(want);
      // Listed as 32 MiB: past the size hashed in the thread, so the worker reads it.
      expect(await sha256OfFile({ ...memFile('e.csv', bytes, 4096), path: full, size: 32 << 20 })).toBe(want);
      expect(await sha256OfFile({ ...memFile('e.csv', bytes, 4096), path: path.join(dir, 'missing.csv'), size: 32 << 20 })).toBe(want);
      expect(await sha256OfFile(memFile('e.csv', bytes, 4096))).toBe(want);
      // A path the worker cannot read: hashed here from the stream instead.
      expect(await sha256OfFile({ ...memFile('e.csv', bytes, 4096), path: path.join(dir, 'missing.csv') })).toBe(want);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('splits quote-free text exactly as papaparse does (newlines, blank lines, stray CRs, chunk edges)', async () => {
    const text = fc
      .tuple(fc.constantFrom('\n', '\r\n'), fc.array(fc.constantFrom('a', 'b', ',', '\n', '\r', '\r\n', ' ', 'é', ''), { minLength: 1, maxLength: 60 }))
      .map(([eol, parts]) => 'h1,h2,h3' + eol + parts.join(''));
    await fc.assert(
      fc.asyncProperty(text, fc.integer({ min: 1, max: 9 }), async (t, chunk) => {
        const nl = t.indexOf('\n');
        const newline = nl > 0 && t[nl - 1] === '\r' ? '\r\n' : '\n';
        const rows: string[][] = [];
        const res = await readCsv(memFile('t.csv', Buffer.from(t), chunk), { onHeader: (f) => (rows.push([...f]), true), onRow: (f) => rows.push([...f]) });
        // The model: papaparse on the whole text, with the reader's own shape rules applied.
        const model = (Papa.parse<string[]>(t, { delimiter: ',', newline, quoteChar: '"' }).data).map((r) => {
          const last = r[r.length - 1];
          return newline === '\n' && last !== undefined && last.endsWith('\r') ? [...r.slice(0, -1), last.slice(0, -1)] : r;
        });
        const kept = model.filter((r, i) => i === 0 || (!(r.length === 1 && r[0] === '') && r.length >= 3 && !r.slice(3).some((f) => f !== '')));
        expect(rows).toEqual(kept);
        expect(res.rows).toBe(kept.length - 1);
      }),
      { numRuns: 300 },
    );
  });

  it('detects a UTF-8 sequence split across chunks as valid, and a Latin-1 byte as not', async () => {
    const ok = await rowsOf(memFile('t.csv', Buffer.from('n\nZoë\n'), 2));
    expect(ok.res.diagnostics).toEqual([]);
    const bad = await rowsOf(memFile('t.csv', Buffer.from('n\nZo\xeb\n', 'latin1'), 2));
    expect(bad.res.diagnostics).toEqual([expect.objectContaining({ code: 'csv.encoding', source: { file: 't.csv', line: 2, column: 3 } })]);
  });
});

describe('encoding', () => {
  it('recognises BOMs and BOM-less UTF-16', () => {
    expect(detectEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x61]))).toEqual({ kind: 'utf-8', bomLength: 3 });
    expect(detectEncoding(Buffer.from('\ufeffab', 'utf16le')).kind).toBe('utf-16le');
    expect(detectEncoding(Buffer.from('sourcedId,status', 'utf16le'))).toEqual({ kind: 'utf-16le', bomLength: 0 });
    expect(detectEncoding(Buffer.from('sourcedId,status')).kind).toBe('utf-8');
  });
  it('finds the first invalid UTF-8 byte', () => {
    expect(findInvalidUtf8(Buffer.from('abc'))).toBe(-1);
    expect(findInvalidUtf8(Buffer.from('aé', 'latin1'))).toBe(1);
    expect(findInvalidUtf8(Buffer.from([0x61, 0xc3]), false)).toBe(-1);
    expect(findInvalidUtf8(Buffer.from([0x61, 0xc3]), true)).toBe(1);
    expect(findInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0); // a UTF-16 surrogate
  });
});

describe('bindHeader', () => {
  const spec = { columns: [{ name: 'sourcedId', required: true }, { name: 'status', required: 'delta' as const }, { name: 'givenName', required: true }], aliases: { firstname: 'givenName' } };
  it('binds by name in any order, with warnings for each quirk', () => {
    const b = bindHeader('u.csv', ['FirstName', 'ext_x', 'SOURCEDID', 'shoeSize'], 1, spec, 'bulk');
    expect(b.ok).toBe(true);
    expect(b.index).toEqual({ sourcedId: 2, status: -1, givenName: 0 });
    expect(b.diagnostics.map((d) => `${d.code}:${d.source?.column ?? ''}`)).toEqual([
      'csv.header-misspelt:1', 'csv.header-case:3', 'csv.header-unknown:4', 'csv.header-extension:', 'csv.missing-column:', 'csv.header-order:',
    ]);
  });
  it('fails on a missing required column and on a column bound twice', () => {
    expect(bindHeader('u.csv', ['sourcedId'], 1, spec, 'bulk').ok).toBe(false);
    expect(bindHeader('u.csv', ['sourcedId', 'givenName'], 1, spec, 'delta').diagnostics).toContainEqual(expect.objectContaining({ code: 'csv.missing-column', severity: 'error' }));
    expect(bindHeader('u.csv', ['sourcedId', 'givenName', 'firstName'], 1, spec, 'bulk').diagnostics).toContainEqual(
      expect.objectContaining({ code: 'csv.header-duplicate', source: { file: 'u.csv', line: 1, column: 3 } }),
    );
  });
});

describe('dates and grades', () => {
  it.each([
    ['2026-08-20', '2026-08-20'],
    ['2023-05-01T18:25:43.511Z', '2023-05-01'],
    ['2017-05-06 08:01:05', '2017-05-06'],
    ['2026/8/20', '2026-08-20'],
    ['20260820', '2026-08-20'],
    ['20.08.2026', '2026-08-20'],
    ['15/06/2023', '2023-06-15'],
    ['6/15/2023', '2023-06-15'],
  ])('%s -> %s', (raw, iso) => {
    expect(parseDate(raw)).toEqual({ ok: true, iso, ambiguous: false });
  });
  it('flags ambiguous slash dates and rejects impossible ones', () => {
    expect(parseDate('1/05/2023')).toEqual({ ok: true, iso: '2023-01-05', ambiguous: true });
    expect(parseDate('1/05/2023', 'day-first')).toEqual({ ok: true, iso: '2023-05-01', ambiguous: true });
    expect(parseDate('2023-02-30').ok).toBe(false);
    expect(parseDate('next tuesday').ok).toBe(false);
    expect(parseDateTime('2026-09-01T10:00:00+02:00')).toBe('2026-09-01T08:00:00.000Z');
    expect(parseDateTime('2026-09-01')).toBe('2026-09-01T00:00:00.000Z');
  });
  it.each([
    ['K', 'KG'], ['kg', 'KG'], ['Kindergarten', 'KG'], ['0', 'KG'], ['1', '01'], ['01', '01'], ['9th', '09'], ['Grade 3', '03'],
    ['12', '12'], ['13', '13'], ['Pre-K', 'PK'], ['PK', 'PK'], ['TK', 'TK'], ['UG', 'UG'], ['other', 'Other'],
  ])('grade %s -> %s', (raw, code) => {
    expect(normalizeGrade(raw)).toBe(code);
  });
  it('leaves unknown grades to the caller', () => {
    expect(normalizeGrade('Year 14')).toBeUndefined();
    expect(normalizeGrade('freshman')).toBeUndefined();
  });
});
