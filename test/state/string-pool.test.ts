import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StateDocument } from '../../engine/model/state.js';
import { localStateBackend } from '../../engine/state/local.js';
import { readStateFile } from '../../engine/state/state-file.js';
import { POOL_SECTION, StringPool } from '../../engine/state/string-pool.js';
import { sampleState } from './helpers/fixtures.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('StringPool', () => {
  it('returns an equal string, never another value', () => {
    const pool = new StringPool();
    const values = ['2026-01-05T00:00:00.000Z', '2026-01-05T00:00:00.001Z', 'Students/E0001/2039', 'Students/E0001/2038', 'short'];
    for (let r = 0; r < 3; r++) for (const v of values) expect(pool.get(`${v}`)).toBe(v);
  });

  it('stops growing at its limit and still passes every value through unchanged', () => {
    const pool = new StringPool(2);
    for (let i = 0; i < 10; i++) expect(pool.get(`value-number-${i}`)).toBe(`value-number-${i}`);
  });

  it('pools the repeated field of a section in place and leaves anything else for the schema check', () => {
    const pool = new StringPool();
    const seen = pool.get(['2026-01-05T00:00:00', '.000Z'].join(''));
    const entry: Record<string, unknown> = { first_seen: '2026-01-05T00:00:00.000Z', deleted_at: 5, username: 'a-long-username-here' };
    POOL_SECTION.people(entry, pool);
    expect(entry.first_seen).toBe(seen);
    expect(entry).toEqual({ first_seen: '2026-01-05T00:00:00.000Z', deleted_at: 5, username: 'a-long-username-here' });
    expect(Object.keys(entry)).toEqual(['first_seen', 'deleted_at', 'username']);
    const odd: Record<string, unknown> = { first_seen: 7, issued_at: null, path: ['x'] };
    for (const f of Object.values(POOL_SECTION)) f(odd, pool);
    expect(odd).toEqual({ first_seen: 7, issued_at: null, path: ['x'] });
    for (const v of [null, 7, 'text', ['first_seen']]) for (const f of Object.values(POOL_SECTION)) expect(() => f(v, pool)).not.toThrow();
  });
});

describe('reading a state file with pooled values', () => {
  it('keeps values that differ in one character apart, and awkward keys as entries', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rollcall-string-pool-'));
    dirs.push(dir);
    const path = join(dir, 'state.json');
    const doc: StateDocument = sampleState(2, '33333333-3333-3333-3333-333333333333', 5);
    for (let i = 0; i < 200; i++) {
      const at = `2026-01-05T00:00:00.${String(i % 7).padStart(3, '0')}Z`;
      doc.registry[`u${i}`] = { anchor: `p${i}`, issued_at: at };
      doc.people[`p${i}`] = { username: `u${i}`, first_seen: at, last_school: `school-with-a-long-id-${i % 3}`, last_role: 'student', ...(i % 5 === 0 ? { missing_since: at } : {}) };
    }
    for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      Object.defineProperty(doc.people, key, { value: { username: key, first_seen: '2026-01-05T00:00:00.000Z', last_school: 'Students/E0001' }, enumerable: true, writable: true, configurable: true });
      Object.defineProperty(doc.registry, key, { value: { anchor: key, issued_at: '2026-01-05T00:00:00.000Z' }, enumerable: true, writable: true, configurable: true });
    }
    const be = localStateBackend(path);
    const lock = await be.lock('apply', 0);
    await be.write(doc, 0, lock);
    await lock.release();
    const back = await be.read();
    expect(back).toEqual(doc);
    expect(Object.getPrototypeOf(back.people)).toBe(Object.prototype);
    expect(Object.keys(back.people)).toContain('__proto__');
    expect(back.people.p8?.first_seen).toBe('2026-01-05T00:00:00.001Z');
    expect(back.people.p9?.first_seen).toBe('2026-01-05T00:00:00.002Z');
    for (const windowBytes of [64, 1 << 20]) expect((await readStateFile(path, { windowBytes, wholeFileLimit: 0 }))?.doc).toEqual({ ...doc, format_version: 2 });
  });
});
