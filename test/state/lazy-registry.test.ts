import { types } from 'node:util';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { AccountAttrs } from '../../engine/model/accounts.js';
import { InputError } from '../../engine/model/errors.js';
import { emptyState, type RegistryEntry, type StateDocument } from '../../engine/model/state.js';
import { mapView } from '../../engine/model/map-view.js';
import { setEntry } from '../../engine/state/line-window.js';
import { localStateBackend } from '../../engine/state/local.js';
import { type ParsedStateFile, readStateFile, stateFileText } from '../../engine/state/state-file.js';
import { editLine, expectSameAfterEdits, expectTouchRaises, expectSameLookups, expectSameWhole, plainKey, plainText, PROBES, rejection, stateFiles, wildKey, wildText } from './helpers/lazy-maps.js';

/**
 * A deferred read of the registry (readStateFile's deferMaps) against the eager read of the
 * same file, as lazy-last-applied.test.ts does for last_applied. The registry is the file's
 * first map and is cut out of the window on its own (LineWindow.section), so line numbers
 * and window boundaries after it are tested here too.
 */

const files = stateFiles('rollcall-lazy-registry-');
const fileWith = files.fileWith;
afterAll(files.cleanup);

const AT = '2026-01-05T00:00:00.000Z';
const issued = (anchor: string, at = AT): RegistryEntry => ({ anchor, issued_at: at });

const attrs: AccountAttrs = { username: 'jdoe', givenName: 'Jo', familyName: 'Doe', displayName: 'Jo Doe', email: 'jdoe@example.org', path: 'Students/MHS/2030', enabled: true };

function stateWith(registry: Record<string, RegistryEntry>): StateDocument {
  const s = emptyState('33333333-3333-3333-3333-333333333333');
  s.serial = 9;
  s.registry = {};
  for (const [k, v] of Object.entries(registry)) setEntry(s.registry, k, v);
  s.people = { 'stu-1': { username: 'jdoe', first_seen: AT }, 'stu-2': { username: 'kim', first_seen: AT } };
  s.last_applied = { sandbox: { 'stu-1': attrs, 'stu-2': { ...attrs, username: 'kim' } } };
  return s;
}

/** Usernames that are Object.prototype's names or array indexes, and anchors outside ASCII in values. */
function richRegistry(): Record<string, RegistryEntry> {
  const r: Record<string, RegistryEntry> = {};
  for (let i = 0; i < 40; i++) r[`stu-${String(i).padStart(3, '0')}`] = issued(`anchor-${i}`, i % 3 === 0 ? '2025-08-01T00:00:00.000Z' : AT);
  setEntry(r, '__proto__', issued('stu-proto'));
  r['constructor'] = issued('stu-ctor');
  r['toString'] = issued('stu-tostring');
  r['hasOwnProperty'] = issued('stu-hop');
  r['123'] = issued('stu-number');
  r['7'] = issued('stu-seven');
  r[''] = issued('stu-empty');
  r['jdoe'] = issued('stu-1');
  r['kim'] = issued('stu-2');
  r['a b~c/d'] = issued('stu-ü-Núñez');
  return r;
}

interface Both {
  eager: StateDocument;
  lazy: StateDocument;
}

async function readBoth(path: string, windowBytes?: number): Promise<Both> {
  const window = windowBytes === undefined ? {} : { windowBytes };
  const eager = (await readStateFile(path, { checkEntries: true, ...window }))!.doc as StateDocument;
  const lazy = (await readStateFile(path, { checkEntries: true, deferMaps: true, ...window }))!.doc as StateDocument;
  return { eager, lazy };
}

const WINDOWS = [64, 101, 333, undefined];
const windowOf = (windowBytes: number | undefined): { windowBytes?: number } => (windowBytes === undefined ? {} : { windowBytes });

/** The text with stu-2's last_applied entry made invalid JSON, and that entry's line. */
function breakLastApplied(text: string): { text: string; line: number } {
  const good = '"enabled":true,"familyName":"Doe","givenName":"Jo","path":"Students/MHS/2030","username":"kim"';
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.includes(good));
  if (i === -1) throw new Error('no last_applied entry for stu-2');
  lines[i] = lines[i]!.replace(good, good.replace('true,', 'true '));
  return { text: lines.join('\n'), line: i + 1 };
}

describe('deferred registry', () => {
  it('answers lookups, enumeration and mutation exactly as the eager read, whatever the window', async () => {
    const path = await fileWith(stateFileText(stateWith(richRegistry())));
    for (const windowBytes of WINDOWS) {
      const { eager, lazy } = await readBoth(path, windowBytes);
      expect(types.isProxy(lazy.registry)).toBe(true);
      expect(types.isProxy(eager.registry)).toBe(false);
      const e = eager.registry as Record<string, unknown>;
      const l = lazy.registry as Record<string, unknown>;
      expectSameLookups(l, e, [...PROBES, 'jdoe', 'kim', 'jdoe ', 'jdo', 'kimm']);
      // The sections after it read as before: people eagerly, last_applied deferred.
      expect(lazy.people).toEqual(eager.people);
      expect(types.isProxy(lazy.last_applied.sandbox)).toBe(true);
      expect(lazy.last_applied.sandbox!['stu-2']).toEqual(eager.last_applied.sandbox!['stu-2']);
      // A looked-up entry is the object the map holds, before and after it is enumerated.
      const first = l['constructor'];
      expectSameWhole(l, e);
      expect(l['constructor']).toBe(first);
      for (const m of [e, l]) {
        m['new-name'] = issued('stu-new');
        delete m['stu-003'];
        (m['stu-010'] as RegistryEntry).anchor = 'moved';
        setEntry(m, '__proto__', issued('again'));
      }
      expectSameWhole(l, e);
      expectSameLookups(l, e, PROBES);
      expect(JSON.stringify(lazy)).toBe(JSON.stringify(eager));
    }
  });

  it('an own-key check looks up, without parsing the map', async () => {
    // One broken entry: any walk of the map would raise it, a lookup of another name does not.
    const { text } = editLine(stateFileText(stateWith(richRegistry())), '"stu-020":', (l) => l.replace(`"issued_at":"${AT}"`, '"issued_at":5'));
    const lazy = await localStateBackend(await fileWith(text)).read({ deferMaps: true });
    for (const name of ['constructor', '__proto__', 'toString', 'jdoe', '7']) expect(Object.hasOwn(lazy.registry, name), name).toBe(true);
    for (const name of ['valueOf', 'isPrototypeOf', 'jdoe2', 'stu-0200']) expect(Object.hasOwn(lazy.registry, name), name).toBe(false);
    expect(lazy.registry['toString']).toEqual(issued('stu-tostring'));
    expect(lazy.registry['valueOf']).toBe(Object.prototype.valueOf);
    await rejection(() => Object.keys(lazy.registry));
  });

  it('has a view that answers existence and walks the entries from the bytes, until the map is parsed whole', async () => {
    const path = await fileWith(stateFileText(stateWith(richRegistry())));
    const { eager, lazy } = await readBoth(path);
    expect(mapView(eager.registry)).toBeUndefined();
    const view = mapView(lazy.registry)!;
    expect(view).toBeDefined();
    for (const k of [...Object.keys(eager.registry), ...PROBES, 'jdoe ', 'kimm']) expect(view.has(k), k).toBe(Object.hasOwn(eager.registry, k));
    // In file order (sorted by key), where Object.entries puts index-like keys ('7', '123') first.
    const byKey = (x: [string, unknown], y: [string, unknown]): number => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0);
    expect([...view.entries()]).toEqual(Object.entries(eager.registry).sort(byKey));
    // The walk kept nothing: the map is still lazy, with its view.
    expect(mapView(lazy.registry)).toBe(view);
    expectSameWhole(lazy.registry as Record<string, unknown>, eager.registry as Record<string, unknown>);
    expect(mapView(lazy.registry)).toBeUndefined();
  });

  it('a walk of the view reports a broken entry as a lookup of it would', async () => {
    const { text, line } = editLine(stateFileText(stateWith(richRegistry())), '"stu-020":', (l) => l.replace('"anchor":', '"anchor" '));
    const lazy = await localStateBackend(await fileWith(text)).read({ deferMaps: true });
    expect(mapView(lazy.registry)!.has('stu-020')).toBe(true);
    const err = await rejection(() => [...mapView(lazy.registry)!.entries()]);
    expect(err.diagnostics[0]!.source?.line).toBe(line);
  });

  it('is what the local backend gives when asked, and validates as a document', async () => {
    const doc = stateWith(richRegistry());
    const path = await fileWith(stateFileText(doc));
    const lazy = await localStateBackend(path).read({ deferMaps: true });
    expect(types.isProxy(lazy.registry)).toBe(true);
    expect(lazy.registry['stu-002']).toEqual(doc.registry['stu-002']);
    const eager = await localStateBackend(path).read();
    expect(types.isProxy(eager.registry)).toBe(false);
    expect(lazy).toEqual(eager);
  });

  it('an empty registry', async () => {
    const path = await fileWith(stateFileText(stateWith({})));
    for (const windowBytes of WINDOWS) {
      const { eager, lazy } = await readBoth(path, windowBytes);
      expect(lazy.registry).toEqual({});
      expect(JSON.stringify(lazy)).toBe(JSON.stringify(eager));
    }
  });
});

describe('a broken registry entry', () => {
  const registry = (): Record<string, RegistryEntry> => Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`user${String(i).padStart(2, '0')}`, issued(`stu-${i}`)]));

  for (const wholeFileLimit of [undefined, 0]) {
    it(`a syntax error is reported at its line and column when the entry is touched${wholeFileLimit === 0 ? ' (file too large to reparse whole)' : ''}`, async () => {
      const { text, line } = editLine(stateFileText(stateWith(registry())), '"user05":', (l) => l.replace('","issued_at"', '" "issued_at"'));
      const path = await fileWith(text);
      const opts = { checkEntries: true, ...(wholeFileLimit === undefined ? {} : { wholeFileLimit }) };
      const eager = await rejection(readStateFile(path, opts));
      const [diag] = eager.diagnostics;
      expect(diag).toMatchObject({ code: 'state.corrupt', source: { file: path, line } });
      expect(diag!.source!.column).toBeGreaterThan(15);

      for (const windowBytes of WINDOWS) {
        const lazy = (await readStateFile(path, { ...opts, deferMaps: true, ...windowOf(windowBytes) }))!.doc as StateDocument;
        const map = lazy.registry;
        // Untouched, the broken entry costs nothing: the others, and the sections after it, read.
        expect(map['user04']).toEqual(issued('stu-4'));
        expect(map['user06']).toEqual(issued('stu-6'));
        expect(lazy.last_applied.sandbox!['stu-1']).toEqual(attrs);
        for (const touch of [() => map['user05'], () => 'user05' in map, () => Object.hasOwn(map, 'user05'), () => Object.keys(map), () => JSON.stringify(map), () => { map.x = issued('x'); }]) {
          const err = await rejection(touch);
          expect(err.diagnostics).toHaveLength(1);
          expect(err.diagnostics[0]).toMatchObject({ code: 'state.corrupt', source: { file: path, line, column: diag!.source!.column } });
          expect(err.message).not.toContain('stu-5');
        }
        // A failed enumeration left the map as it was.
        expect(map['user04']).toEqual(issued('stu-4'));
      }
    });
  }

  it('a schema error is the eager read\'s error, raised when the entry is touched', async () => {
    const { text } = editLine(stateFileText(stateWith(registry())), '"user07":', (l) => l.replace(`"issued_at":"${AT}"`, '"issued_at":20260105'));
    const path = await fileWith(text);
    const eager = await rejection(localStateBackend(path).read());
    expect(eager.diagnostics[0]).toMatchObject({ code: 'state.schema' });
    const lazy = await localStateBackend(path).read({ deferMaps: true });
    const map = lazy.registry;
    expect(map['user08']).toEqual(issued('stu-8'));
    await expectTouchRaises(map, 'user07', eager);
  });

  it('several schema errors are reported together when the map is enumerated', async () => {
    let text = stateFileText(stateWith(registry()));
    text = editLine(text, '"user02":', (l) => l.replace('"anchor":"stu-2"', '"anchor":2')).text;
    text = editLine(text, '"user09":', (l) => l.replace('"anchor":', '"extra":1,"anchor":')).text;
    const path = await fileWith(text);
    const eager = await rejection(localStateBackend(path).read());
    expect(eager.diagnostics.length).toBe(2);
    const lazy = await localStateBackend(path).read({ deferMaps: true });
    const err = await rejection(() => Object.keys(lazy.registry));
    expect(err.diagnostics).toEqual(eager.diagnostics);
  });

  it('a broken last_applied entry after a deferred registry is reported at its line', async () => {
    const { text, line } = breakLastApplied(stateFileText(stateWith(registry())));
    const path = await fileWith(text);
    const eager = await rejection(readStateFile(path, { checkEntries: true, wholeFileLimit: 0 }));
    expect(eager.diagnostics[0]).toMatchObject({ code: 'state.corrupt', source: { line } });
    for (const windowBytes of WINDOWS) {
      const lazy = (await readStateFile(path, { checkEntries: true, deferMaps: true, ...windowOf(windowBytes) }))!.doc as StateDocument;
      expect(types.isProxy(lazy.registry)).toBe(true);
      const err = await rejection(() => lazy.last_applied.sandbox!['stu-2']);
      expect(err.diagnostics[0]!.source).toEqual(eager.diagnostics[0]!.source);
    }
  });
});

describe('a registry not in the writer\'s exact layout reads eagerly, with the same result', () => {
  const base = (): string => stateFileText(stateWith({ alee: issued('stu-a'), bkim: issued('stu-b'), cnguyen: issued('stu-c'), dsmith: issued('stu-d') }));
  const lineOf = (text: string, key: string): string => text.split('\n').find((l) => l.startsWith(`"${key}":`))!;
  const cases: Record<string, (text: string) => string> = {
    'keys out of order': (t) => {
      const b = lineOf(t, 'bkim');
      const c = lineOf(t, 'cnguyen');
      return t.replace(`${b}\n${c}`, `${c}\n${b}`);
    },
    'a key twice': (t) => t.replace(lineOf(t, 'cnguyen'), lineOf(t, 'bkim').replace('"stu-b"', '"stu-b2"')),
    'two entries on one line': (t) => t.replace(`${lineOf(t, 'bkim')}\n`, lineOf(t, 'bkim')),
    'an entry over two lines': (t) => t.replace(lineOf(t, 'bkim'), lineOf(t, 'bkim').replace(',"issued_at"', ',\n  "issued_at"')),
    'a brace in a value': (t) => t.replace(lineOf(t, 'bkim'), lineOf(t, 'bkim').replace('"stu-b"', '"stu-{b}"')),
    'an escaped key': (t) => t.replace('"dsmith":', '"dsmit\\u0068":'),
    'a key outside ASCII': (t) => t.replace('"dsmith":', '"dsmïth":'),
    'spaces around entries': (t) => t.replace(lineOf(t, 'bkim'), ` ${lineOf(t, 'bkim')}  `),
    'CRLF line ends': (t) => t.replace(/\n/g, '\r\n'),
  };
  for (const [name, edit] of Object.entries(cases)) {
    it(name, async () => {
      const text = edit(base());
      const path = await fileWith(text);
      // Small windows: the registry's bytes are gathered from several reads of the file.
      for (const windowBytes of WINDOWS) {
        const { eager, lazy } = await readBoth(path, windowBytes);
        expect(types.isProxy(lazy.registry)).toBe(false);
        expectSameLookups(lazy.registry, eager.registry, PROBES);
        expectSameWhole(lazy.registry, eager.registry);
        expect(JSON.stringify(lazy)).toBe(JSON.stringify(eager));
        // The lines of a registry that fell back are counted: a later error names its line.
        const brokenPath = await fileWith(breakLastApplied(text).text);
        const large = { checkEntries: true, wholeFileLimit: 0, ...windowOf(windowBytes) };
        const eagerErr = await rejection(readStateFile(brokenPath, large));
        const lazyDoc = await readStateFile(brokenPath, { ...large, deferMaps: true }).catch((e: unknown) => e);
        // Lines the line reader cannot follow at this window (an entry over two lines) fail both reads alike.
        if (lazyDoc instanceof InputError) expect(lazyDoc.diagnostics).toEqual(eagerErr.diagnostics);
        else {
          const sandbox = ((lazyDoc as ParsedStateFile).doc as StateDocument).last_applied.sandbox!;
          const err = await rejection(() => sandbox['stu-2']);
          expect(err.diagnostics[0]!.source).toEqual(eagerErr.diagnostics[0]!.source);
        }
      }
    });
  }

  const broken: Record<string, (text: string) => string> = {
    'a comma missing between entries': (t) => t.replace(lineOf(t, 'bkim'), lineOf(t, 'bkim').replace(/,$/, '')),
    'a comma after the last entry': (t) => t.replace(lineOf(t, 'dsmith'), `${lineOf(t, 'dsmith')},`),
    'an unterminated registry': (t) => t.slice(0, t.indexOf('},\n"people"')),
    'no line after the registry': (t) => t.slice(0, t.indexOf('\n"people"')),
    'the registry closed by the file\'s end': (t) => t.slice(0, t.indexOf('},\n"people"') + 1),
  };
  for (const [name, edit] of Object.entries(broken)) {
    it(`${name}: both reads fail alike`, async () => {
      const path = await fileWith(edit(base()));
      for (const windowBytes of WINDOWS) {
        const window = windowBytes === undefined ? {} : { windowBytes };
        const eager = await rejection(readStateFile(path, { checkEntries: true, ...window }));
        const lazy = await rejection(readStateFile(path, { checkEntries: true, deferMaps: true, ...window }));
        expect(lazy.diagnostics).toEqual(eager.diagnostics);
        const eagerLarge = await rejection(readStateFile(path, { checkEntries: true, wholeFileLimit: 0, ...window }));
        const lazyLarge = await rejection(readStateFile(path, { checkEntries: true, wholeFileLimit: 0, deferMaps: true, ...window }));
        // The same place; the wording may differ, as it does between window sizes of the eager read.
        expect(lazyLarge.diagnostics.map((d) => [d.code, d.source])).toEqual(eagerLarge.diagnostics.map((d) => [d.code, d.source]));
      }
    });
  }
});

describe('deferred and eager reads agree on any registry (property)', () => {
  const entryOf = (t: fc.Arbitrary<string>) => fc.record({ anchor: t, issued_at: t });
  const registry = fc.oneof(fc.array(fc.tuple(wildKey, entryOf(wildText)), { maxLength: 25 }), fc.array(fc.tuple(plainKey(/^[a-z0-9.-]{1,10}$/), entryOf(plainText)), { minLength: 1, maxLength: 25 }));

  it('on every lookup, enumeration and mutation', async () => {
    let deferred = 0;
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(registry, fc.array(wildKey, { maxLength: 6 }), fc.constantFrom(...WINDOWS), async (entries, probes, windowBytes) => {
        const r: Record<string, RegistryEntry> = {};
        for (const [k, v] of entries) setEntry(r, k, v);
        // Unchecked: generated text is no valid issued_at, and schema checks are not what is compared here.
        const path = await fileWith(stateFileText(stateWith(r)));
        const window = windowBytes === undefined ? {} : { windowBytes };
        const e = (await readStateFile(path, window))!.doc as StateDocument;
        const lazyDoc = (await readStateFile(path, { deferMaps: true, ...window }))!.doc as StateDocument;
        const l = lazyDoc.registry as Record<string, unknown>;
        const eager = e.registry as Record<string, unknown>;
        runs++;
        if (types.isProxy(l)) deferred++;
        expectSameLookups(l, eager, [...PROBES, ...probes]);
        expect(lazyDoc.people).toEqual(e.people);
        expectSameWhole(l, eager);
        expectSameAfterEdits(l, eager, probes, issued('set'));
        expect(JSON.stringify(lazyDoc)).toBe(JSON.stringify(e));
      }),
      { seed: 20261126, numRuns: 150 },
    );
    // The generators make both kinds: registries read lazily and registries that fall back.
    expect(deferred).toBeGreaterThan(runs / 4);
    expect(deferred).toBeLessThan(runs);
  });
});
