import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../engine/model/errors.js';
import type { StateDocument } from '../../engine/model/state.js';
import { stringifyLine, stringifyState } from '../../engine/state/canonical-json.js';
import { localStateBackend } from '../../engine/state/local.js';
import { readStateFile, stateFileText } from '../../engine/state/state-file.js';
import { sampleState } from './helpers/fixtures.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function freshPath(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rollcall-state-file-'));
  dirs.push(dir);
  return join(dir, 'state.json');
}

/** A document with every kind of entry, several targets and awkward keys. */
function richState(people = 40): StateDocument {
  const s = sampleState(3, '11111111-1111-1111-1111-111111111111', people);
  s.journal_seq = 17;
  s.people['stu-1'] = { ...s.people['stu-1']!, missing_since: '2026-02-01T00:00:00.000Z', last_role: 'student', last_grade: '09' };
  s.people['odd "key"/\\ü'] = { username: 'odd', first_seen: '2026-01-05T00:00:00.000Z' };
  s.registry['üñí'] = { anchor: 'odd "key"/\\ü', issued_at: '2026-01-05T00:00:00.000Z' };
  s.last_applied.google = {};
  s.last_applied['a"target'] = { 'stu-1': { ...s.last_applied.sandbox!['stu-1']!, enabled: false } };
  for (let i = 0; i < people; i++) {
    s.registry[`x${i}`] = { anchor: `stu-x${i}`, issued_at: '2026-01-05T00:00:00.000Z' };
    s.last_applied.sandbox![`stu-x${i}`] = { username: `x${i}`, givenName: 'G', familyName: 'F', displayName: 'G F', email: `x${i}@example.org`, path: 'Students', enabled: true };
  }
  return s;
}

async function written(doc: StateDocument): Promise<string> {
  const path = await freshPath();
  const be = localStateBackend(path);
  const lock = await be.lock('apply', 0);
  await be.write(doc, 0, lock);
  await lock.release();
  return path;
}

describe('local state file, format 2', () => {
  it('is one JSON document, one map entry per line, starting with version, lineage and serial', async () => {
    const doc = richState(3);
    const path = await written(doc);
    const text = await readFile(path, 'utf8');
    expect(text.startsWith('{"format_version":2,"lineage":"11111111-1111-1111-1111-111111111111","serial":3,"journal_seq":17,')).toBe(true);
    expect(text.split('\n')).toContain('"jdoe":{"anchor":"stu-1","issued_at":"2026-01-05T00:00:00.000Z"},');
    const parsed = JSON.parse(text) as StateDocument;
    expect({ ...parsed, format_version: 1 }).toEqual(doc);
    // Every entry line is canonical: keys sorted, as format 1 had them.
    const entries = text.split('\n').filter((l) => /^"(?:[^"\\]|\\.)*":\{".*\},?$/.test(l));
    expect(entries.length).toBeGreaterThan(10);
    for (const l of entries) {
      const value = l.slice(l.indexOf(':{') + 1).replace(/,$/, '');
      expect(value).toBe(stringifyLine(JSON.parse(value) as object));
    }
  });

  it('reads back exactly what was written, in canonical order, across read windows of any size', async () => {
    const doc = richState(60);
    const path = await written(doc);
    const back = await localStateBackend(path).read();
    expect(back).toEqual(doc);
    expect(Object.keys(back)).toEqual(['format_version', 'lineage', 'serial', 'sis', 'registry', 'people', 'last_applied', 'journal_seq']);
    expect(Object.keys(back.people)).toEqual(Object.keys(doc.people).sort());
    expect(Object.keys(back.last_applied)).toEqual(Object.keys(doc.last_applied).sort());
    for (const windowBytes of [64, 100, 333, 1024, 1 << 20]) {
      expect((await readStateFile(path, { windowBytes, wholeFileLimit: 0 }))?.doc).toEqual({ ...doc, format_version: 2 });
    }
  });

  it('writes the same bytes whatever order the maps were filled in', async () => {
    const doc = richState(10);
    const reversed: StateDocument = { ...doc, people: Object.fromEntries(Object.entries(doc.people).reverse()), registry: Object.fromEntries(Object.entries(doc.registry).reverse()) };
    expect(stateFileText(reversed)).toBe(stateFileText(doc));
  });

  it('handles empty maps and no targets', async () => {
    const doc = sampleState(1, '22222222-2222-2222-2222-222222222222');
    doc.registry = {};
    doc.people = {};
    doc.last_applied = {};
    doc.sis = null;
    const path = await written(doc);
    expect((await readStateFile(path, { windowBytes: 64, wholeFileLimit: 0 }))?.doc).toEqual({ ...doc, format_version: 2 });
    expect(await localStateBackend(path).read()).toEqual(doc);
  });

  it('keeps a "__proto__" key as an entry, not a prototype', async () => {
    const doc = richState(30);
    Object.defineProperty(doc.people, '__proto__', { value: { username: 'p', first_seen: '2026-01-05T00:00:00.000Z' }, enumerable: true, writable: true, configurable: true });
    const path = await written(doc);
    const back = (await readStateFile(path, { windowBytes: 64, wholeFileLimit: 0 }))?.doc as StateDocument;
    expect(Object.getPrototypeOf(back.people)).toBe(Object.prototype);
    expect(Object.keys(back.people)).toContain('__proto__');
  });
});

describe('local state file: reading format 1 (migration)', () => {
  it('reads a format 1 (pretty-printed) file, and the next write stores format 2', async () => {
    const doc = richState(5);
    const path = await freshPath();
    await writeFile(path, stringifyState(doc));
    const be = localStateBackend(path);
    expect(await be.read()).toEqual(doc);
    const lock = await be.lock('apply', 0);
    // The serial check reads format 1's header too.
    await expect(be.write({ ...doc, serial: 4 }, 2, lock)).rejects.toThrow(/serial/);
    await be.write({ ...doc, serial: 4 }, 3, lock);
    await lock.release();
    expect((await readFile(path, 'utf8')).startsWith('{"format_version":2,')).toBe(true);
    expect(await be.read()).toEqual({ ...doc, serial: 4 });
  });

  it('reads a format 2 file an operator reformatted (valid JSON, other layout)', async () => {
    const doc = richState(5);
    const path = await freshPath();
    await writeFile(path, JSON.stringify({ ...doc, format_version: 2 }, null, 4));
    expect(await localStateBackend(path).read()).toEqual(doc);
  });
});

describe('local state file: never one string for the whole file', () => {
  it('reads a file larger than the whole-file limit through small windows', async () => {
    const doc = richState(500);
    const path = await written(doc);
    const size = (await readFile(path)).length;
    expect(size).toBeGreaterThan(50_000);
    // wholeFileLimit 0 stands for a file beyond V8's string limit: only the windowed reader may run.
    expect((await readStateFile(path, { windowBytes: 256, wholeFileLimit: 0 }))?.doc).toEqual({ ...doc, format_version: 2 });
  });

  it('reports a broken entry of a too-large file at its line and column', async () => {
    const doc = richState(200);
    const path = await written(doc);
    const lines = (await readFile(path, 'utf8')).split('\n');
    const n = lines.findIndex((l) => l.startsWith('"stu-x150":{'));
    lines[n] = lines[n]!.replace('"first_seen":', '"first_seen" ');
    await writeFile(path, lines.join('\n'));
    const err = await readStateFile(path, { windowBytes: 256, wholeFileLimit: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    const src = (err as InputError).diagnostics[0]?.source;
    expect(src?.file).toBe(path);
    expect(src?.line).toBe(n + 1);
    expect(src?.column).toBe(lines[n]!.indexOf('"first_seen" ') + '"first_seen" '.length + 1);
    // Small enough to read whole: the whole-text parser gives the same place.
    const whole = await localStateBackend(path).read().catch((e: unknown) => e);
    expect((whole as InputError).diagnostics[0]?.source?.line).toBe(n + 1);
  });

  it('refuses a too-large file whose sections are not one entry per line, at the place the layout breaks', async () => {
    const doc = richState(50);
    const path = await written(doc);
    const text = await readFile(path, 'utf8');
    // Still valid JSON, but one entry split over two lines.
    const broken = text.replace('"jdoe":{"anchor":"stu-1","issued_at":"2026-01-05T00:00:00.000Z"}', '"jdoe":{"anchor":"stu-1","issued_at":"2026-01-05T00:00:00.000Z"\n}');
    expect(broken).not.toBe(text);
    await writeFile(path, broken);
    const err = await readStateFile(path, { windowBytes: 128, wholeFileLimit: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).diagnostics[0]?.source?.line).toBeGreaterThan(1);
    // Within the whole-file limit the same file reads fine.
    expect((await readStateFile(path))?.doc).toEqual({ ...doc, format_version: 2 });
  });

  it('detects a missing comma between entries that fall in different windows', async () => {
    const doc = richState(200);
    const path = await written(doc);
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace(/(\n"x150":\{[^\n]*\}),\n/, '$1\n'));
    await expect(readStateFile(path, { windowBytes: 256, wholeFileLimit: 0 })).rejects.toBeInstanceOf(InputError);
  });

  it('checks every entry while reading in pieces, wherever the piece boundaries fall', async () => {
    const doc = richState(300);
    const path = await written(doc);
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace('"issued_at":"2026-01-05T00:00:00.000Z"},\n"x201"', '"issued_at":5},\n"x201"'));
    for (const windowBytes of [64, 256, 1 << 20]) {
      const parsed = await readStateFile(path, { windowBytes, wholeFileLimit: 0, checkEntries: true });
      expect(parsed?.checks?.errors.map((e) => e.instancePath)).toEqual(['/registry/x200/issued_at']);
    }
  });

  it('stops a run on an invalid entry deep in a big map, naming its path', async () => {
    const doc = richState(300);
    const path = await written(doc);
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace('"username":"x250"}', '"username":250}'));
    const err = await localStateBackend(path).read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    const paths = (err as InputError).diagnostics.map((d) => d.path);
    expect(paths.some((p) => p === '/people/stu-x250/username' || p === '/last_applied/sandbox/stu-x250/username')).toBe(true);
  });
});
