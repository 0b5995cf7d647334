import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RegistryEntry } from '../../engine/model/state.js';
import type { TargetConstraints } from '../../engine/model/provider.js';
import {
  AD_CONSTRAINTS,
  ENTRA_CONSTRAINTS,
  GOOGLE_CONSTRAINTS,
  mergeConstraints,
  normalizeUsername,
  SANDBOX_CONSTRAINTS,
} from '../../engine/resolve/naming/constraints.js';
import { allocateUsernames, type UsernameRequest, type UsernameResult } from '../../engine/resolve/naming/usernames.js';
import { HOSTILE, rule, SCRIPT_SAMPLES } from './fixtures.js';

/**
 * Properties over generated rosters (issue #3 acceptance): usernames are unique, fit every
 * target, do not depend on row order, survive re-runs unchanged, and are never re-issued
 * across years of enrollments, withdrawals and name changes.
 */

const TARGETS: readonly TargetConstraints[] = [AD_CONSTRAINTS, GOOGLE_CONSTRAINTS, ENTRA_CONSTRAINTS, SANDBOX_CONSTRAINTS];

// A small pool of common names so collisions are frequent, plus other scripts and hostile strings.
const COMMON = ['Smith', 'Lee', 'Li', 'Kim', 'Nguyễn', 'José', 'Jo', 'Ana', 'Zoë', "O'Brien", 'Łukasz', 'Straße', 'Þórður', 'Al', 'Mary Ann', 'Van Der Berg'];
const namePart = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...COMMON) },
  { weight: 2, arbitrary: fc.constantFrom(...SCRIPT_SAMPLES.map(([s]) => s)) },
  { weight: 1, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
);

interface GenPerson {
  anchor: string;
  given: string;
  family: string;
  preferredGiven: string;
  gradYear: string;
  identifier: string;
}

const personArb = (anchor: string): fc.Arbitrary<GenPerson> =>
  fc.record({
    given: namePart,
    family: namePart,
    preferredGiven: fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: namePart }),
    gradYear: fc.integer({ min: 2026, max: 2038 }).map(String),
  }).map((p) => ({ ...p, anchor, identifier: anchor.replace(/\D/g, '') }));

// Anchors are unique by construction (as the people model guarantees).
const rosterArb = (maxPeople: number): fc.Arbitrary<GenPerson[]> =>
  fc.uniqueArray(fc.integer({ min: 1, max: 5000 }), { maxLength: maxPeople }).chain((ids) =>
    ids.length === 0 ? fc.constant([]) : fc.tuple(...ids.map((i) => personArb(`p${i}`))),
  );

const settingsArb = fc.record({
  targets: fc.subarray([...TARGETS], { minLength: 1 }),
  maxLength: fc.integer({ min: 6, max: 24 }),
  minDigits: fc.integer({ min: 1, max: 3 }),
  start: fc.integer({ min: 0, max: 3 }),
  reserved: fc.subarray(['admin', 'root', 'jsmith30', 'lee', 'kim', 'support']),
});
type Settings = typeof settingsArb extends fc.Arbitrary<infer T> ? T : never;

function rulesFor(s: Settings) {
  const opts = { maxLength: s.maxLength, minDigits: s.minDigits, start: s.start };
  return {
    student: rule('students', ['{preferredGiven|first:1}{family}{gradYear|last:2}', '{preferredGiven|first:2}{family}{gradYear|last:2}', 's{identifier}'], opts),
    staff: rule('staff', ['{given|first:1}{family}', '{given}.{family}', 't{identifier}'], opts),
  };
}

function requestsFor(people: readonly GenPerson[], s: Settings): UsernameRequest[] {
  const r = rulesFor(s);
  return people.map((p) => ({
    anchor: p.anchor,
    // Odd ids are staff, so two rules with different templates share one namespace.
    rule: Number(p.identifier) % 2 === 1 ? r.staff : r.student,
    values: { given: p.given, family: p.family, preferredGiven: p.preferredGiven, gradYear: p.gradYear, identifier: p.identifier },
  }));
}

function ctxFor(s: Settings, extra: { registry?: Record<string, RegistryEntry>; current?: Record<string, string>; taken?: Set<string> } = {}) {
  return {
    registry: extra.registry ?? {},
    current: new Map(Object.entries(extra.current ?? {})),
    reserved: s.reserved,
    constraints: mergeConstraints(s.targets, 64),
    taken: extra.taken ?? new Set<string>(),
  };
}

/** Every name rollcall issues is safe and fits every target and the rule. */
function assertSafe(name: string, s: Settings): void {
  expect(name).toMatch(/^[a-z0-9._-]+$/);
  expect(name.length).toBeGreaterThanOrEqual(2);
  expect(name.length).toBeLessThanOrEqual(s.maxLength);
  expect(name).not.toMatch(/^[-.]|\.\.|\.$/);
  for (const t of s.targets) {
    expect(name.length).toBeLessThanOrEqual(t.maxUsernameLength);
    expect(new RegExp(`^[${t.usernameCharset}]+$`).test(name)).toBe(true);
    expect(normalizeUsername(name, t)).toBe(name);
  }
  expect(['con', 'nul', 'prn', 'aux', 'com1', 'lpt1']).not.toContain(name);
  expect(s.reserved).not.toContain(name);
}

const flat = (m: ReadonlyMap<string, UsernameResult>): [string, UsernameResult][] => [...m.entries()];

describe('username allocation properties', () => {
  it('unique, safe and within every target limit; failures are reported by anchor only', () => {
    fc.assert(
      fc.property(rosterArb(60), settingsArb, fc.subarray(['jsmith30', 'li', 'ana', 'kim30', 's12']), (people, s, takenList) => {
        const taken = new Set(takenList);
        const { results, diagnostics } = allocateUsernames(requestsFor(people, s), ctxFor(s, { taken }));
        const seen = new Set<string>();
        for (const [anchor, r] of results) {
          expect(r.anchor).toBe(anchor);
          expect(r.newlyIssued).toBe(true);
          expect(seen.has(r.username)).toBe(false);
          seen.add(r.username);
          expect(taken.has(r.username)).toBe(false);
          assertSafe(r.username, s);
        }
        // Everyone gets a name or an error naming their anchor; the chain ends on an identifier.
        const failed = people.filter((p) => !results.has(p.anchor));
        expect(diagnostics.filter((d) => d.code === 'naming.no-username').length).toBe(failed.length);
        for (const p of failed) expect(diagnostics.some((d) => d.summary.includes(`person ${p.anchor} `))).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it('the same roster in any order gives the same usernames', () => {
    fc.assert(
      fc.property(
        rosterArb(40).chain((people) => fc.tuple(fc.constant(people), fc.shuffledSubarray(people, { minLength: people.length, maxLength: people.length }))),
        settingsArb,
        ([people, shuffled], s) => {
          const a = allocateUsernames(requestsFor(people, s), ctxFor(s));
          const b = allocateUsernames(requestsFor(shuffled, s), ctxFor(s));
          expect(flat(b.results)).toEqual(flat(a.results));
          expect(b.diagnostics).toEqual(a.diagnostics);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('a second run with the names recorded changes nothing and proposes no rename', () => {
    fc.assert(
      fc.property(rosterArb(40), settingsArb, (people, s) => {
        const first = allocateUsernames(requestsFor(people, s), ctxFor(s));
        const registry: Record<string, RegistryEntry> = {};
        const current: Record<string, string> = {};
        for (const r of first.results.values()) {
          registry[r.username] = { anchor: r.anchor, issued_at: '2026-08-01' };
          current[r.anchor] = r.username;
        }
        const second = allocateUsernames(requestsFor(people, s), ctxFor(s, { registry, current }));
        expect(second.results.size).toBe(first.results.size);
        for (const [anchor, r] of second.results) {
          expect(r.username).toBe(current[anchor]);
          expect(r.newlyIssued).toBe(false);
          expect(r.pendingRename).toBeUndefined();
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('never re-issues a name across years of enrollments, withdrawals, re-enrollments and renames', () => {
    const yearArb = fc.record({
      newcomers: rosterArb(25),
      withdrawSeed: fc.array(fc.nat(), { maxLength: 10 }),
      returnSeed: fc.array(fc.nat(), { maxLength: 3 }),
      renameSeed: fc.array(fc.tuple(fc.nat(), namePart), { maxLength: 4 }),
      applyRenames: fc.boolean(),
    });
    fc.assert(
      fc.property(settingsArb, fc.array(yearArb, { minLength: 2, maxLength: 6 }), (s, years) => {
        const registry: Record<string, RegistryEntry> = {};
        const current: Record<string, string> = {};
        const active = new Map<string, GenPerson>();
        const withdrawn = new Map<string, GenPerson>();
        years.forEach((y, yi) => {
          // Withdrawals: the person leaves the roster and state forgets their current username.
          const act = [...active.keys()].sort();
          for (const n of y.withdrawSeed) {
            const a = act[n % Math.max(1, act.length)];
            if (a === undefined || !active.has(a)) continue;
            withdrawn.set(a, active.get(a) as GenPerson);
            active.delete(a);
            delete current[a];
          }
          // Some come back (re-enrollment): they must get their old name, not a new one.
          const gone = [...withdrawn.keys()].sort();
          const returning = new Set<string>();
          for (const n of y.returnSeed) {
            const a = gone[n % Math.max(1, gone.length)];
            if (a === undefined || !withdrawn.has(a)) continue;
            active.set(a, withdrawn.get(a) as GenPerson);
            withdrawn.delete(a);
            returning.add(a);
          }
          // Name changes for people who stay.
          const stay = [...active.keys()].sort();
          for (const [n, family] of y.renameSeed) {
            const a = stay[n % Math.max(1, stay.length)];
            const p = a === undefined ? undefined : active.get(a);
            if (p) active.set(p.anchor, { ...p, family });
          }
          for (const p of y.newcomers) if (!active.has(p.anchor) && !withdrawn.has(p.anchor) && !hasRegistered(registry, p.anchor)) active.set(p.anchor, p);

          const before = new Set(Object.keys(registry));
          const registeredAnchors = new Set(Object.values(registry).map((e) => e.anchor));
          const { results } = allocateUsernames(requestsFor([...active.values()], s), ctxFor(s, { registry, current }));
          const thisYear = new Set<string>();
          for (const [anchor, r] of results) {
            const held = current[anchor];
            if (held !== undefined) expect(r.username, 'keeps the current name').toBe(held);
            if (r.newlyIssued) {
              expect(before.has(r.username), 'new name not in registry').toBe(false);
              registry[r.username] = { anchor, issued_at: `${2026 + yi}-08-01` };
            } else {
              // Kept or restored: always a name this very person was issued.
              expect(registry[r.username]?.anchor, 'kept name belongs to this person').toBe(anchor);
            }
            if (returning.has(anchor) && registeredAnchors.has(anchor)) expect(r.newlyIssued, 'returning person restored').toBe(false);
            expect(thisYear.has(r.username), 'unique this year').toBe(false);
            thisYear.add(r.username);
            if (r.pendingRename) {
              expect(before.has(r.pendingRename.to), 'rename target not in registry').toBe(false);
              expect(thisYear.has(r.pendingRename.to), 'rename target unique').toBe(false);
              thisYear.add(r.pendingRename.to);
              if (y.applyRenames) {
                registry[r.pendingRename.to] = { anchor, issued_at: `${2026 + yi}-08-01` };
                current[anchor] = r.pendingRename.to;
                continue;
              }
            }
            current[anchor] = r.username;
          }
        });
      }),
      { numRuns: 400 },
    );
  });

  it('hostile names always produce a safe username or a clean error', () => {
    const hostileRoster = fc
      .uniqueArray(fc.integer({ min: 1, max: 999 }), { minLength: 1, maxLength: 30 })
      .chain((ids) =>
        fc.tuple(
          ...ids.map((i) =>
            fc.record({ given: fc.constantFrom(...HOSTILE), family: fc.constantFrom(...HOSTILE), preferredGiven: fc.constantFrom('', ...HOSTILE), gradYear: fc.constant('2031') })
              .map((p) => ({ ...p, anchor: `p${i}`, identifier: String(i) })),
          ),
        ),
      );
    fc.assert(
      fc.property(hostileRoster, settingsArb, (people, s) => {
        const { results, diagnostics } = allocateUsernames(requestsFor(people, s), ctxFor(s));
        // The chains end on an identifier, so everyone gets a name.
        expect(results.size).toBe(people.length);
        expect(diagnostics).toEqual([]);
        for (const r of results.values()) assertSafe(r.username, s);
      }),
      { numRuns: 500 },
    );
  });
});

function hasRegistered(registry: Record<string, RegistryEntry>, anchor: string): boolean {
  return Object.values(registry).some((e) => e.anchor === anchor);
}
