import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BrokenJsonLine, JsonLinePieces } from '../../engine/run/json-line-pieces.js';

const dir = mkdtempSync(join(tmpdir(), 'rollcall-jsonl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every line of the file as [line number, unwrap kind, value], read with the given window. */
function readAll(text: string, windowBytes: number, unwrap: string[] = []): [number, number, unknown][] {
  const file = join(dir, 'f.jsonl');
  writeFileSync(file, text);
  const fd = openSync(file, 'r');
  try {
    const reader = new JsonLinePieces(fd, windowBytes);
    reader.unwrap = unwrap.map((p) => Buffer.from(p));
    const out: [number, number, unknown][] = [];
    for (const piece of reader.pieces()) piece.records.forEach((r, i) => out.push([piece.firstLine + i, piece.unwrapped[i]!, r]));
    return out;
  } finally {
    closeSync(fd);
  }
}

describe('JSON Lines read in pieces', () => {
  const values: unknown[] = [{ a: 'x' }, ['A', 't', { n: 'Zoë 하은 "q" \\ \n' }], 42, 'str', null, ['G', 't', { members: [1, 2] }], { long: 'y'.repeat(300) }];
  const text = values.map((v) => JSON.stringify(v)).join('\n') + '\n';

  it('hands out every line once, in order, at any window size (lines longer than the window too)', () => {
    for (const w of [1, 7, 64, 1 << 20]) {
      expect(readAll(text, w)).toEqual(values.map((v, i) => [i + 1, 0, v]));
    }
  });

  it('unwraps only lines that open with a prefix exactly and close with its bracket', () => {
    const lines = ['["A","t",{"id":1}]', '["A", "t",{"id":2}]', '["A","u",{"id":3}]', '["G","t",{"id":4}]', '["A","t",{"id":5}] ', '["A","t",7]', '["A","tt",{"id":6}]'];
    for (const w of [5, 1 << 20]) {
      expect(readAll(lines.join('\n'), w, ['["A","t",', '["G","t",'])).toEqual([
        [1, 1, { id: 1 }],
        [2, 0, ['A', 't', { id: 2 }]],
        [3, 0, ['A', 'u', { id: 3 }]],
        [4, 2, { id: 4 }],
        [5, 0, ['A', 't', { id: 5 }]],
        [6, 1, 7],
        [7, 0, ['A', 'tt', { id: 6 }]],
      ]);
    }
  });

  it('reads a piece with a blank line line by line, with the wrappers back on', () => {
    const lines = ['["A","t",{"id":1}]', '', '  ', '["A","t",{"id":2}]'];
    expect(readAll(lines.join('\n') + '\n', 1 << 20, ['["A","t",'])).toEqual([
      [1, 0, ['A', 't', { id: 1 }]],
      [2, 0, null],
      [3, 0, null],
      [4, 0, ['A', 't', { id: 2 }]],
    ]);
  });

  it('names a broken line by its number, in a later piece, wrapped or not', () => {
    const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify(['A', 't', { id: i }]));
    for (const broken of ['["A","t",{"id":1}', '["A","t",}]', '["A","t",]', '{"id":1} {"id":2}', '1,2']) {
      const copy = [...lines];
      copy[30] = broken;
      for (const w of [64, 1 << 20]) {
        const err = (() => {
          try {
            readAll(copy.join('\n'), w, ['["A","t",']);
          } catch (e) {
            return e;
          }
          return undefined;
        })();
        expect(err, broken).toBeInstanceOf(BrokenJsonLine);
        expect((err as BrokenJsonLine).line).toBe(31);
      }
    }
  });

  it('has no lines in an empty file or one holding a newline alone', () => {
    expect(readAll('', 64)).toEqual([]);
    expect(readAll('\n', 64)).toEqual([]);
    expect(readAll('1\n\n', 64)).toEqual([
      [1, 0, 1],
      [2, 0, null],
    ]);
  });
});
