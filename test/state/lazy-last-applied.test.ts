import { types } from 'node:util';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { AccountAttrs } from '../../engine/model/accounts.js';
import { emptyState, type StateDocument } from '../../engine/model/state.js';
import { setEntry } from '../../engine/state/line-window.js';
import { localStateBackend } from '../../engine/state/local.js';
import { readStateFile, stateFileText } from '../../engine/state/state-file.js';
import { editLine, expectSameAfterEdits, expectTouchRaises, expectSameLookups, expectSameWhole, plainKey, plainText, PROBES, rejection, stateFiles, wildKey, wildText } from './helpers/lazy-maps.js';

/**
 * A deferred read of last_applied (readStateFile's deferMaps) against the eager read
 * of the same file: every lookup, enumeration and mutation must see the same thing, and a
 * broken entry must raise the eager read's error once it is touched. The registry, deferred
 * by the same option, has its own tests (lazy-registry.test.ts).
 */

const files = stateFiles();
const fileWith = files.fileWith;
afterAll(files.cleanup);

const attrs = (name: string, extra: Partial<AccountAttrs> = {}): AccountAttrs => ({
  username: name.toLowerCase().replace(/[^a-z0-9]/g, '') || 'u',
  givenName: name,
  familyName: 'Núñez',
  displayName: `${name} Núñez`,
  email: `${name.length}@example.org`,
  path: 'Students/MHS/2030',
  enabled: true,
  ...extra,
});

type Maps = Record<string, Record<string, AccountAttrs>>;

function stateWith(maps: Maps): StateDocument {
  const s = emptyState('22222222-2222-2222-2222-222222222222');
  s.serial = 4;
  s.registry = { jdoe: { anchor: 'stu-1', issued_at: '2026-01-05T00:00:00.000Z' } };
  s.people = { 'stu-1': { username: 'jdoe', first_seen: '2026-01-05T00:00:00.000Z' } };
  s.last_applied = {};
  for (const [t, m] of Object.entries(maps)) {
    const into: Record<string, AccountAttrs> = {};
    for (const [k, v] of Object.entries(m)) setEntry(into, k, v);
    setEntry(s.last_applied, t, into);
  }
  return s;
}

/** Several targets, names outside ASCII in values, anchors that are Object.prototype's names or array indexes. */
function richMaps(): Maps {
  const sandbox: Record<string, AccountAttrs> = {};
  for (let i = 0; i < 30; i++) sandbox[`stu-${String(i).padStart(3, '0')}`] = attrs(`Zoë${i}`);
  setEntry(sandbox, '__proto__', attrs('Proto'));
  sandbox['constructor'] = attrs('Ctor', { enabled: false });
  sandbox['123'] = attrs('Number');
  sandbox['7'] = attrs('Seven');
  sandbox[''] = attrs('Empty');
  sandbox['a b~c/d'] = attrs('Punct', { path: 'Staff/ÉCOLE' });
  return {
    sandbox,
    google: { 'stu-001': attrs('Ana', { email: 'ana@example.org' }), toString: attrs('ToString') },
    // One anchor outside ASCII: this target's section is read eagerly, the others stay lazy.
    ldap: { 'stu-ü': attrs('Umlaut'), 'stu-1': attrs('Jo') },
    empty: {},
  };
}

async function readBoth(path: string, windowBytes?: number): Promise<{ eager: Record<string, unknown>; lazy: Record<string, unknown> }> {
  const window = windowBytes === undefined ? {} : { windowBytes };
  const eager = (await readStateFile(path, { checkEntries: true, ...window }))!.doc as StateDocument;
  const lazy = (await readStateFile(path, { checkEntries: true, deferMaps: true, ...window }))!.doc as StateDocument;
  return { eager: eager.last_applied, lazy: lazy.last_applied };
}

describe('deferred last_applied', () => {
  it('answers lookups, enumeration and mutation exactly as the eager read', async () => {
    const path = await fileWith(stateFileText(stateWith(richMaps())));
    const { eager, lazy } = await readBoth(path);
    expect(Object.keys(lazy)).toEqual(Object.keys(eager));
    expect(types.isProxy(lazy.sandbox)).toBe(true);
    expect(types.isProxy(lazy.google)).toBe(true);
    expect(types.isProxy(lazy.ldap)).toBe(false);
    expect(lazy.empty).toEqual({});
    for (const t of Object.keys(eager)) {
      const e = eager[t] as Record<string, unknown>;
      const l = lazy[t] as Record<string, unknown>;
      expectSameLookups(l, e, PROBES);
      // A looked-up entry is the object the map holds, before and after it is enumerated.
      const first = l['stu-001'];
      expectSameWhole(l, e);
      expect(l['stu-001']).toBe(first);
    }
    const e = eager.sandbox as Record<string, AccountAttrs>;
    const l = lazy.sandbox as Record<string, AccountAttrs>;
    for (const m of [e, l]) {
      m['stu-new'] = attrs('New');
      delete m['stu-003'];
      m['stu-010']!.enabled = false;
      m['00'] = attrs('Zero');
    }
    expectSameWhole(l, e);
    expectSameLookups(l, e, PROBES);
  });

  it('mutates first, then looks up, as the eager read', async () => {
    const path = await fileWith(stateFileText(stateWith(richMaps())));
    const { eager, lazy } = await readBoth(path);
    for (const m of [eager.google, lazy.google] as Record<string, unknown>[]) {
      delete m['stu-001'];
      Object.defineProperty(m, 'x', { value: 1, enumerable: false, configurable: true, writable: true });
    }
    expectSameLookups(lazy.google as Record<string, unknown>, eager.google as Record<string, unknown>, [...PROBES, 'x', 'stu-001']);
    expectSameWhole(lazy.google as Record<string, unknown>, eager.google as Record<string, unknown>);
    expect(Object.getOwnPropertyNames(lazy.google)).toEqual(Object.getOwnPropertyNames(eager.google));
  });

  it('is what the local backend gives when asked, and validates as a document', async () => {
    const doc = stateWith(richMaps());
    const path = await fileWith(stateFileText(doc));
    const lazy = await localStateBackend(path).read({ deferMaps: true });
    expect(types.isProxy(lazy.last_applied.sandbox)).toBe(true);
    expect(lazy.last_applied.sandbox!['stu-002']).toEqual(doc.last_applied.sandbox!['stu-002']);
    expect(lazy).toEqual(await localStateBackend(path).read());
  });
});

describe('a broken last_applied entry', () => {
  const maps = (): Maps => ({ google: { 'stu-1': attrs('Ana') }, sandbox: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`stu-${String(i).padStart(2, '0')}`, attrs(`Zoë${i}`)])) });

  for (const wholeFileLimit of [undefined, 0]) {
    it(`a syntax error is reported at its line and column when the entry is touched${wholeFileLimit === 0 ? ' (file too large to reparse whole)' : ''}`, async () => {
      const { text, line } = editLine(stateFileText(stateWith(maps())), '"stu-05":', (l) => l.replace('"enabled":true,', '"enabled":true '));
      const path = await fileWith(text);
      const opts = { checkEntries: true, ...(wholeFileLimit === undefined ? {} : { wholeFileLimit }) };
      const eager = await rejection(readStateFile(path, opts));
      const [diag] = eager.diagnostics;
      expect(diag).toMatchObject({ code: 'state.corrupt', source: { file: path, line } });
      expect(diag!.source!.column).toBeGreaterThan(30);

      const lazy = (await readStateFile(path, { ...opts, deferMaps: true }))!.doc as StateDocument;
      const map = lazy.last_applied.sandbox!;
      // Untouched, the broken entry costs nothing: the others read.
      expect(map['stu-04']).toEqual(attrs('Zoë4'));
      expect(map['stu-06']).toEqual(attrs('Zoë6'));
      expect(lazy.last_applied.google!['stu-1']).toEqual(attrs('Ana'));
      for (const touch of [() => map['stu-05'], () => 'stu-05' in map, () => Object.keys(map), () => JSON.stringify(map), () => { map.x = attrs('X'); }]) {
        const err = await rejection(touch);
        expect(err.diagnostics).toHaveLength(1);
        expect(err.diagnostics[0]).toMatchObject({ code: 'state.corrupt', source: { file: path, line, column: diag!.source!.column } });
        // No copy of the entry's text (names) in the message.
        expect(err.message).not.toContain('Zoë');
      }
      // A failed enumeration left the map as it was.
      expect(map['stu-04']).toEqual(attrs('Zoë4'));
    });
  }

  it('a schema error is the eager read\'s error, raised when the entry is touched', async () => {
    const { text } = editLine(stateFileText(stateWith(maps())), '"stu-07":', (l) => l.replace('"enabled":true', '"enabled":"yes"'));
    const path = await fileWith(text);
    const eager = await rejection(localStateBackend(path).read());
    const lazy = await localStateBackend(path).read({ deferMaps: true });
    const map = lazy.last_applied.sandbox!;
    expect(map['stu-08']).toEqual(attrs('Zoë8'));
    await expectTouchRaises(map, 'stu-07', eager);
  });

  it('several schema errors are reported together when the map is enumerated', async () => {
    let text = stateFileText(stateWith(maps()));
    text = editLine(text, '"stu-02":', (l) => l.replace('"enabled":true', '"enabled":1')).text;
    text = editLine(text, '"stu-09":', (l) => l.replace('"path":', '"bad":1,"path":')).text;
    const path = await fileWith(text);
    const eager = await rejection(localStateBackend(path).read());
    expect(eager.diagnostics.length).toBe(2);
    const lazy = await localStateBackend(path).read({ deferMaps: true });
    const err = await rejection(() => Object.keys(lazy.last_applied.sandbox!));
    expect(err.diagnostics).toEqual(eager.diagnostics);
  });
});

describe('sections not in the writer\'s exact layout read eagerly, with the same result', () => {
  const base = (): string => stateFileText(stateWith({ google: { 'stu-1': attrs('Ana') }, sandbox: { 'stu-a': attrs('A'), 'stu-b': attrs('B'), 'stu-c': attrs('C'), 'stu-d': attrs('D') } }));
  const lineOf = (text: string, key: string): string => text.split('\n').find((l) => l.startsWith(`"${key}":`))!;
  const cases: Record<string, (text: string) => string> = {
    'keys out of order': (t) => {
      const b = lineOf(t, 'stu-b');
      const c = lineOf(t, 'stu-c');
      return t.replace(`${b}\n${c}`, `${c}\n${b}`);
    },
    'a key twice': (t) => t.replace(lineOf(t, 'stu-c'), lineOf(t, 'stu-b').replace('"B"', '"B2"')),
    'two entries on one line': (t) => t.replace(`${lineOf(t, 'stu-b')}\n`, lineOf(t, 'stu-b')),
    'an entry over two lines': (t) => t.replace(lineOf(t, 'stu-b'), lineOf(t, 'stu-b').replace(',"email"', ',\n  "email"')),
    'a brace in a value': (t) => t.replace(lineOf(t, 'stu-b'), lineOf(t, 'stu-b').replace('"displayName":"B Núñez"', '"displayName":"B {x} Núñez"')),
    'an escaped key': (t) => t.replace('"stu-d":', '"stu-\\u0064":'),
    'spaces around entries': (t) => t.replace(lineOf(t, 'stu-b'), ` ${lineOf(t, 'stu-b')}  `),
    'CRLF line ends': (t) => t.replace(/\n/g, '\r\n'),
  };
  for (const [name, edit] of Object.entries(cases)) {
    it(name, async () => {
      const path = await fileWith(edit(base()));
      // Small windows: the fallback reads the kept bytes in pieces, as the file reader would.
      for (const windowBytes of [64, 333, undefined]) {
        const { eager, lazy } = await readBoth(path, windowBytes);
        expect(types.isProxy(lazy.sandbox)).toBe(false);
        expectSameLookups(lazy.sandbox as Record<string, unknown>, eager.sandbox as Record<string, unknown>, PROBES);
        expectSameWhole(lazy.sandbox as Record<string, unknown>, eager.sandbox as Record<string, unknown>);
        expect(JSON.stringify(lazy)).toBe(JSON.stringify(eager));
      }
    });
  }

  const broken: Record<string, (text: string) => string> = {
    'a comma missing between entries': (t) => t.replace(lineOf(t, 'stu-b'), lineOf(t, 'stu-b').replace(/,$/, '')),
    'a comma after the last entry': (t) => t.replace(lineOf(t, 'stu-d'), `${lineOf(t, 'stu-d')},`),
    'an unterminated section': (t) => t.replace(/\}\n\}\n\}\n$/, ''),
  };
  for (const [name, edit] of Object.entries(broken)) {
    it(`${name}: both reads fail alike`, async () => {
      const path = await fileWith(edit(base()));
      const eager = await rejection(readStateFile(path, { checkEntries: true }));
      const lazy = await rejection(readStateFile(path, { checkEntries: true, deferMaps: true }));
      expect(lazy.diagnostics).toEqual(eager.diagnostics);
      const eagerLarge = await rejection(readStateFile(path, { checkEntries: true, wholeFileLimit: 0 }));
      const lazyLarge = await rejection(readStateFile(path, { checkEntries: true, wholeFileLimit: 0, deferMaps: true }));
      expect(lazyLarge.diagnostics).toEqual(eagerLarge.diagnostics);
    });
  }

  it('a section left lazy still reads after a section that fell back', async () => {
    const zz = '"k":{"displayName":"D","email":"e","enabled":true,"familyName":"F","givenName":"G","path":"P","username":"u"}';
    const path = await fileWith(cases['two entries on one line']!(base()).replace(/\}\n\}\n\}\n$/, `},\n"zz":{\n${zz}\n}\n}\n}\n`));
    const { eager, lazy } = await readBoth(path);
    expect(Object.keys(lazy)).toEqual(['google', 'sandbox', 'zz']);
    expect(types.isProxy(lazy.google)).toBe(true);
    expect(types.isProxy(lazy.sandbox)).toBe(false);
    expect(types.isProxy(lazy.zz)).toBe(true);
    expect((lazy.zz as Record<string, unknown>).k).toEqual((eager.zz as Record<string, unknown>).k);
    expect(JSON.stringify(lazy)).toBe(JSON.stringify(eager));
  });

  it('counts the lines of a section that fell back, for errors in a lazy one after it', async () => {
    const zz = `"k":{"displayName":"D","email":"e","enabled":true "familyName":"F","givenName":"G","path":"P","username":"u"}`;
    const text = cases['two entries on one line']!(base()).replace(/\}\n\}\n\}\n$/, `},\n"zz":{\n${zz}\n}\n}\n}\n`);
    const path = await fileWith(text);
    const line = text.split('\n').indexOf(zz) + 1;
    for (const windowBytes of [64, undefined]) {
      const window = windowBytes === undefined ? {} : { windowBytes };
      const eager = await rejection(readStateFile(path, { checkEntries: true, wholeFileLimit: 0, ...window }));
      expect(eager.diagnostics[0]).toMatchObject({ code: 'state.corrupt', source: { line } });
      const lazy = (await readStateFile(path, { checkEntries: true, deferMaps: true, ...window }))!.doc as StateDocument;
      const err = await rejection(() => lazy.last_applied.zz!.k);
      expect(err.diagnostics[0]!.source).toEqual(eager.diagnostics[0]!.source);
    }
  });
});

describe('deferred and eager reads agree on any last_applied (property)', () => {
  const entryOf = (t: fc.Arbitrary<string>) => fc.record({ username: t, givenName: t, familyName: t, displayName: t, email: t, path: t, enabled: fc.boolean() });
  const section = fc.oneof(fc.array(fc.tuple(wildKey, entryOf(wildText)), { maxLength: 25 }), fc.array(fc.tuple(plainKey(/^[a-z0-9-]{1,10}$/), entryOf(plainText)), { minLength: 1, maxLength: 25 }));
  const maps = fc.array(fc.tuple(fc.stringMatching(/^[a-z"é]{1,6}$/), section), { minLength: 1, maxLength: 3 });

  it('on every lookup, enumeration and mutation', async () => {
    let deferred = 0;
    let sections = 0;
    await fc.assert(
      fc.asyncProperty(maps, fc.array(wildKey, { maxLength: 6 }), async (targets, probes) => {
        const m: Maps = {};
        for (const [t, entries] of targets) {
          const into: Record<string, AccountAttrs> = {};
          for (const [k, v] of entries) setEntry(into, k, v);
          setEntry(m, t, into);
        }
        const path = await fileWith(stateFileText(stateWith(m)));
        const { eager, lazy } = await readBoth(path);
        expect(Object.keys(lazy)).toEqual(Object.keys(eager));
        for (const t of Object.keys(eager)) {
          const e = eager[t] as Record<string, unknown>;
          const l = lazy[t] as Record<string, unknown>;
          sections++;
          if (types.isProxy(l)) deferred++;
          expectSameLookups(l, e, [...PROBES, ...probes]);
          expectSameWhole(l, e);
          expectSameAfterEdits(l, e, probes, attrs('Set'));
        }
      }),
      { seed: 20261001, numRuns: 150 },
    );
    // The generators make both kinds: sections read lazily and sections that fall back.
    expect(deferred).toBeGreaterThan(sections / 4);
    expect(deferred).toBeLessThan(sections);
  });
});
