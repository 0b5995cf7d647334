import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { InputError } from '../../../engine/model/errors.js';

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
