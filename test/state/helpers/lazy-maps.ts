import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';
import { InputError } from '../../../engine/model/errors.js';
import { setEntry } from '../../../engine/state/line-window.js';

/** Shared by the tests of deferred map sections (registry, last_applied) against the eager read. */

/** Writes state files into temporary directories; `cleanup` removes them all. */
export function stateFiles(prefix = 'rollcall-lazy-'): { fileWith(text: string): Promise<string>; cleanup(): Promise<void> } {
  const dirs: string[] = [];
  return {
    async fileWith(text: string): Promise<string> {
      const dir = await mkdtemp(join(tmpdir(), prefix));
      dirs.push(dir);
      const path = join(dir, 'state.json');
      await writeFile(path, text);
      return path;
    },
    async cleanup(): Promise<void> {
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}

// Some probes are absent keys whose characters' low bytes spell a present key ('\u0130\u0130\u0131' -> '001').
export const PROBES = ['stu-\u0130\u0130\u0131', '\u0137', 'constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'nope', 'stu-', 'stu-0000', 'stu-ü', 'stu-\u{1F600}', 'a"b', 'a\\b', '0', '', '~'];

/** The same answer for every lookup, before anything enumerates the lazy map. */
export function expectSameLookups(lazy: Record<string, unknown>, eager: Record<string, unknown>, probes: readonly string[]): void {
  for (const k of [...Object.keys(eager), ...probes]) {
    const e = eager[k];
    const l = lazy[k];
    if (e !== null && typeof e === 'object' && Object.getPrototypeOf(e) === Object.prototype) expect(l, k).toEqual(e);
    else expect(l, k).toBe(e);
    expect(k in lazy, k).toBe(k in eager);
    expect(Object.hasOwn(lazy, k), k).toBe(Object.hasOwn(eager, k));
  }
  expect(Object.getPrototypeOf(lazy)).toBe(Object.getPrototypeOf(eager));
}

export function expectSameWhole(lazy: Record<string, unknown>, eager: Record<string, unknown>): void {
  expect(Object.keys(lazy)).toEqual(Object.keys(eager));
  expect(JSON.stringify(lazy)).toBe(JSON.stringify(eager));
  expect(Object.entries(lazy)).toEqual(Object.entries(eager));
  const forIn: string[] = [];
  for (const k in lazy) forIn.push(k);
  expect(forIn).toEqual(Object.keys(eager));
  expect({ ...lazy }).toEqual({ ...eager });
}

/** The state file's text with one entry line replaced; returns that line's number (1-based). */
export function editLine(text: string, startsWith: string, edit: (line: string) => string): { text: string; line: number } {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.startsWith(startsWith));
  if (i === -1) throw new Error(`no line ${startsWith}`);
  lines[i] = edit(lines[i]!);
  return { text: lines.join('\n'), line: i + 1 };
}

/** Reading, testing or spreading entry `key` of a deferred map raises exactly the eager read's error. */
export async function expectTouchRaises(map: Readonly<Record<string, unknown>>, key: string, eager: InputError): Promise<void> {
  for (const touch of [() => map[key], () => Object.hasOwn(map, key), () => ({ ...map })]) {
    const err = await rejection(touch);
    expect(err.diagnostics).toEqual(eager.diagnostics);
    expect(err.message).toBe(eager.message);
  }
}

export async function rejection(p: Promise<unknown> | (() => unknown)): Promise<InputError> {
  try {
    if (typeof p === 'function') p();
    else await p;
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}

// Generators for the property tests: wild sections take any key and any text and mostly fall
// back to the eager parse; plain ones (printable ASCII keys, values without braces) read lazily.

/** Any key. */
export const wildKey = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.stringMatching(/^[ -~]{0,6}$/),
  fc.constantFrom('a"b', 'a\\b', 'x{y}', 'é'),
);

/** A key a deferred section can hold; `common` is the shape most keys of the map have. */
export function plainKey(common: RegExp): fc.Arbitrary<string> {
  return fc.oneof(
    fc.stringMatching(common),
    fc.stringMatching(/^[ !#-[\]-~]{0,6}$/),
    fc.nat({ max: 5000 }).map(String),
    fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '', '\u007f', '~~'),
  );
}

/** Any value text. */
export const wildText = fc.oneof(fc.string({ maxLength: 10 }), fc.string({ unit: 'grapheme', maxLength: 8 }), fc.constantFrom('{', '}', '},"x":{', '\\"', 'Núñez'));

/** Value text without braces. */
export const plainText = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 8 }), fc.constantFrom('\\"', 'Núñez', '"', '\\', ',"x":1')).filter((t) => !/[{}]/.test(t));

/** Set one entry and delete another (keys from `probes`) in both maps, then compare them whole. */
export function expectSameAfterEdits(lazy: Record<string, unknown>, eager: Record<string, unknown>, probes: readonly string[], value: unknown): void {
  const key = probes[0] ?? 'k';
  for (const x of [eager, lazy]) {
    setEntry(x, key, value);
    delete x[probes[1] ?? 'none'];
  }
  expectSameWhole(lazy, eager);
}
