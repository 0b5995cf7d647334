import { describe, expect, it } from 'vitest';
import type { RegistryEntry } from '../../engine/model/state.js';
import { AD_CONSTRAINTS, SANDBOX_CONSTRAINTS } from '../../engine/resolve/naming/constraints.js';
import { allocateUsernames, type UsernameRequest } from '../../engine/resolve/naming/usernames.js';
import type { TemplateValues } from '../../engine/resolve/naming/template.js';
import { rule, STUDENT_RULE } from './fixtures.js';

const student = (anchor: string, given: string, family: string, extra: Partial<Record<string, string>> = {}): UsernameRequest => ({
  anchor,
  rule: STUDENT_RULE,
  values: { given, family, preferredGiven: '', gradYear: '2030', identifier: anchor.replace(/\D/g, ''), ...extra } as TemplateValues,
});

const empty = {
  registry: {} as Record<string, RegistryEntry>,
  current: new Map<string, string>() as ReadonlyMap<string, string>,
  reserved: [] as string[],
  constraints: AD_CONSTRAINTS,
  taken: new Set<string>(),
};

const names = (r: ReturnType<typeof allocateUsernames>): Record<string, string> =>
  Object.fromEntries([...r.results.values()].map((v) => [v.anchor, v.username]));

describe('allocateUsernames: new people', () => {
  it('uses the first template, transliterated and lower-cased', () => {
    const r = allocateUsernames([student('p1', 'José', 'Nguyễn')], empty);
    expect(r.results.get('p1')).toEqual({ anchor: 'p1', username: 'jnguyen30', rule: 'students', newlyIssued: true });
    expect(r.diagnostics).toEqual([]);
  });

  it('prefers the preferred given name', () => {
    const r = allocateUsernames([student('p1', 'Robert', 'Smith', { preferredGiven: 'Bobbie' })], empty);
    expect(r.results.get('p1')?.username).toBe('bsmith30');
  });

  it('falls through the chain, then numbers the first base, in sorted anchor order', () => {
    const reqs = [student('p3', 'Josh', 'Smith'), student('p1', 'John', 'Smith'), student('p2', 'Joan', 'Smith')];
    const r = allocateUsernames(reqs, empty);
    // The identifier template is part of the chain: it is tried before any number.
    expect(names(r)).toEqual({ p1: 'jsmith30', p2: 'josmith30', p3: 's3' });
    expect([...r.results.keys()]).toEqual(['p1', 'p2', 'p3']);
    const noId = rule('students', ['{preferredGiven|first:1}{family}{gradYear|last:2}', '{preferredGiven|first:2}{family}{gradYear|last:2}']);
    const r2 = allocateUsernames(reqs.map((q) => ({ ...q, rule: noId })), empty);
    expect(names(r2)).toEqual({ p1: 'jsmith30', p2: 'josmith30', p3: 'jsmith302' });
  });

  it('respects minDigits and start', () => {
    const r2 = rule('r', ['{given}'], { minDigits: 3, start: 7 });
    const reqs = ['a', 'b', 'c'].map((a) => ({ anchor: a, rule: r2, values: { given: 'Kim' } }));
    expect(names(allocateUsernames(reqs, empty))).toEqual({ a: 'kim', b: 'kim007', c: 'kim008' });
  });

  it('cuts the base so base + number fits the limit', () => {
    const r2 = rule('r', ['{family}'], { maxLength: 20 });
    const family = 'Montgomery-Wolfeschlegel';
    const reqs = Array.from({ length: 12 }, (_, i) => ({ anchor: `a${String(i).padStart(2, '0')}`, rule: r2, values: { family } }));
    const got = names(allocateUsernames(reqs, empty));
    expect(got.a00).toBe('montgomery-wolfeschl');
    expect(got.a01).toBe('montgomery-wolfesch2');
    expect(got.a09).toBe('montgomery-wolfesc10');
    for (const u of Object.values(got)) expect(u.length).toBeLessThanOrEqual(20);
  });

  it('the rule maxLength can be stricter than the targets', () => {
    const r2 = rule('r', ['{family}'], { maxLength: 8 });
    expect(names(allocateUsernames([{ anchor: 'a', rule: r2, values: { family: 'Wolfeschlegel' } }], empty))).toEqual({ a: 'wolfesch' });
  });

  it('never issues reserved, registered, taken or Windows device names', () => {
    const r2 = rule('r', ['{given}']);
    const reqs = ['Admin', 'Old', 'Held', 'Con'].map((g, i) => ({ anchor: `a${i}`, rule: r2, values: { given: g } }));
    const r = allocateUsernames(reqs, {
      ...empty,
      reserved: ['ADMIN'],
      registry: { old: { anchor: 'gone', issued_at: '2020-01-01' } },
      taken: new Set(['Held']),
    });
    expect(names(r)).toEqual({ a0: 'admin2', a1: 'old2', a2: 'held2', a3: 'con2' });
  });

  it('skips outputs that are empty or too short, e.g. emoji-only names', () => {
    const reqs = [student('p10', '😀', '🙈'), student('p11', 'X', '')];
    const r = allocateUsernames(reqs, empty);
    expect(names(r)).toEqual({ p10: 's10', p11: 'x30' });
  });

  it('reports a person for whom no template yields a name, by anchor only', () => {
    const r2 = rule('staff', ['{given}{family}']);
    const r = allocateUsernames([{ anchor: 'u-77', rule: r2, values: { given: '😀', family: '' } }], empty);
    expect(r.results.size).toBe(0);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ severity: 'error', code: 'naming.no-username', source: { file: 'policy/naming.yaml', line: 7 } });
    expect(r.diagnostics[0]?.summary).toContain('u-77');
    expect(r.diagnostics[0]?.summary).toContain('staff');
  });

  it('does not treat object prototype keys as registered or current', () => {
    const r2 = rule('r', ['{given}']);
    const reqs = ['constructor', '__proto__', 'hasOwnProperty'].map((g) => ({ anchor: g, rule: r2, values: { given: g } }));
    const r = allocateUsernames(reqs, empty);
    expect(names(r)).toEqual({ constructor: 'constructor', ['__proto__']: '__proto__', hasOwnProperty: 'hasownproperty' });
    expect([...r.results.values()].every((v) => v.newlyIssued)).toBe(true);
  });

  it('flags a duplicate request and uses the first', () => {
    const r = allocateUsernames([student('p1', 'Ann', 'Lee'), student('p1', 'Bo', 'Lee')], empty);
    expect(names(r)).toEqual({ p1: 'alee30' });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['naming.duplicate-request']);
  });
});

describe('allocateUsernames: people who already have a username', () => {
  it('keep it, and newcomers never get a held name even if unregistered', () => {
    const r = allocateUsernames([student('p1', 'John', 'Smith'), student('p2', 'Jane', 'Smith')], {
      ...empty,
      current: new Map(Object.entries({ p2: 'jsmith30' })),
    });
    expect(r.results.get('p2')).toEqual({ anchor: 'p2', username: 'jsmith30', rule: 'students', newlyIssued: false });
    expect(r.results.get('p1')?.username).toBe('josmith30');
  });

  it('a numbered or fallback name that the rule could give is not a rename', () => {
    const cur = { p1: 'jsmith305', p2: 'josmith30', p3: 's3', p4: 'montgomery-wolfesch2' };
    const long = rule('r', ['{family}']);
    const r = allocateUsernames(
      [student('p1', 'John', 'Smith'), student('p2', 'Joan', 'Smith'), student('p3', '😀', ''), { anchor: 'p4', rule: long, values: { family: 'Montgomery-Wolfeschlegel' } }],
      { ...empty, current: new Map(Object.entries(cur)) },
    );
    for (const res of r.results.values()) {
      expect(res.newlyIssued).toBe(false);
      expect(res.pendingRename).toBeUndefined();
    }
  });

  it('a name change proposes a rename to a free name, after newcomers are served', () => {
    const r = allocateUsernames([student('p1', 'Jo', 'Doe'), student('p2', 'Jane', 'Doe')], {
      ...empty,
      current: new Map(Object.entries({ p1: 'jsmith30' })),
    });
    expect(r.results.get('p1')).toEqual({
      anchor: 'p1',
      username: 'jsmith30',
      rule: 'students',
      newlyIssued: false,
      pendingRename: { to: 'jodoe30', rule: 'students' },
    });
    // p2 sorts after p1 but is new, so gets the first choice jdoe30.
    expect(r.results.get('p2')?.username).toBe('jdoe30');
  });

  it('no rename when the rule gives the person nothing usable any more', () => {
    const r2 = rule('staff', ['{given}{family}']);
    const r = allocateUsernames([{ anchor: 'a', rule: r2, values: { given: '😀', family: '' } }], { ...empty, current: new Map(Object.entries({ a: 'oldname' })) });
    expect(r.results.get('a')).toEqual({ anchor: 'a', username: 'oldname', rule: 'staff', newlyIssued: false });
    expect(r.diagnostics).toEqual([]);
  });

  it('warns, without names, when a rename has no free target', () => {
    const r2 = rule('staff', ['{given}'], { maxLength: 2, minDigits: 2 });
    // 'li' is taken and a number cannot fit in two characters.
    const r = allocateUsernames([{ anchor: 'a', rule: r2, values: { given: 'Li' } }], { ...empty, current: new Map(Object.entries({ a: 'zz' })), taken: new Set(['li']) });
    expect(r.results.get('a')?.pendingRename).toBeUndefined();
    expect(r.diagnostics.map((d) => d.code)).toEqual(['naming.no-rename-target']);
    expect(r.diagnostics[0]?.summary).not.toMatch(/\bli\b|zz/);
  });

  it('under renames: keep, a name change proposes no rename and warns of none', () => {
    const changed = student('p1', 'Jo', 'Doe');
    const current = new Map(Object.entries({ p1: 'jsmith30' }));
    const kept = allocateUsernames([changed], { ...empty, current, renames: 'keep' });
    expect(kept.results.get('p1')).toEqual({ anchor: 'p1', username: 'jsmith30', rule: 'students', newlyIssued: false });
    // The same request under rename (and with the mode unset) gets its target.
    for (const renames of ['rename', undefined] as const) {
      const r = allocateUsernames([changed], { ...empty, current, renames });
      expect(r.results.get('p1')?.pendingRename?.to).toBe('jdoe30');
    }
    // Nor the warning that no target is free: under keep there is nothing to look for.
    const r2 = rule('staff', ['{given}'], { maxLength: 2, minDigits: 2 });
    const full = allocateUsernames([{ anchor: 'a', rule: r2, values: { given: 'Li' } }], { ...empty, current: new Map(Object.entries({ a: 'zz' })), taken: new Set(['li']), renames: 'keep' });
    expect(full.diagnostics).toEqual([]);
  });

  it('re-enrollment without state restores the registered name', () => {
    const r = allocateUsernames([student('p1', 'John', 'Smith')], {
      ...empty,
      registry: {
        jsmith29: { anchor: 'p1', issued_at: '2019-08-01T00:00:00Z' },
        jsmith30: { anchor: 'p1', issued_at: '2020-08-01T00:00:00Z' },
      },
    });
    expect(r.results.get('p1')).toEqual({ anchor: 'p1', username: 'jsmith30', rule: 'students', newlyIssued: false });
  });

  it('warns when two people hold the same username in state, without naming it', () => {
    const r = allocateUsernames([], { ...empty, current: new Map(Object.entries({ a: 'kim', b: 'KIM' })) });
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]?.code).toBe('naming.duplicate-username');
    expect(r.diagnostics[0]?.summary).not.toContain('kim');
  });
});

describe('allocateUsernames: scale', () => {
  it('20,000 people with the same name are numbered without retrying from the start', () => {
    const r2 = rule('r', ['{given}'], { maxLength: 64 });
    const reqs = Array.from({ length: 20_000 }, (_, i) => ({ anchor: `a${String(i).padStart(5, '0')}`, rule: r2, values: { given: 'Li' } }));
    const r = allocateUsernames(reqs, { ...empty, constraints: SANDBOX_CONSTRAINTS });
    expect(new Set([...r.results.values()].map((v) => v.username)).size).toBe(20_000);
    expect(r.results.get('a19999')?.username).toBe('li20000');
    // Retrying from 2 for each person would be 200 million checks; the per-base counter makes
    // it 20,000. Speed is the benchmarks' business (npm run bench), not a timed assertion here.
  });
});
