import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { personJson, PrintMemo } from '../../engine/impact/person-json.js';
import { printedJson } from '../../engine/impact/population.js';
import type { Person } from '../../engine/model/people.js';

/**
 * The population's fast writer gives the general path's text byte for byte, or gives way to it:
 * people drawn with strings JSON must escape (quotes, backslashes, controls, lone and paired
 * surrogates), optional fields absent or undefined, record ids present or not, and, now and
 * then, a field of another type or a key the writer does not know.
 */

const text = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.string({ unit: fc.constantFrom('a', 'é', '"', '\\', '\n', '\u0001', '\u007f', '\ud83d', '\ude00', '\ud83d\ude00', ' ', '名'), maxLength: 6 }),
);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const role = fc.record(
  { role: text, orgSourcedId: text, roleType: fc.constantFrom('primary', 'secondary'), beginDate: maybe(text), endDate: maybe(text), sourcedId: maybe(text) },
  { requiredKeys: ['role', 'orgSourcedId', 'roleType'] },
);
const enrollment = fc.record(
  { classSourcedId: text, role: text, primary: fc.boolean(), beginDate: maybe(text), endDate: maybe(text), sourcedId: maybe(text) },
  { requiredKeys: ['classSourcedId', 'role', 'primary'] },
);
const person = fc.record({
  sourcedId: text, enabledUser: fc.boolean(), sisUsername: text, identifier: text,
  userIds: fc.array(fc.record({ type: text, identifier: text }), { maxLength: 3 }),
  givenName: text, familyName: text, middleName: text, preferredGivenName: text, preferredFamilyName: text, preferredMiddleName: text,
  email: text, grades: fc.array(text, { maxLength: 3 }), roles: fc.array(role, { maxLength: 3 }), enrollments: fc.array(enrollment, { maxLength: 4 }),
  source: fc.record({ file: text, line: fc.nat() }),
}) as fc.Arbitrary<Person>;

/** A record the fast writer must not claim: one field of another type, or a key it does not know. */
const odd = fc.tuple(person, fc.nat(), fc.constantFrom<unknown>(null, 7, 'x', [], {}, true)).map(([p, pick, v]) => {
  const copy = structuredClone(p) as unknown as Record<string, unknown>;
  const where = pick % 4;
  if (where === 0) copy.extra = v;
  else if (where === 1) copy[Object.keys(copy)[pick % Object.keys(copy).length]!] = v;
  else if (where === 2 && p.enrollments.length > 0) (copy.enrollments as Record<string, unknown>[])[0]!.note = v;
  else if (p.roles.length > 0) (copy.roles as Record<string, unknown>[])[0]!.role = v;
  return copy as unknown as Person;
});

describe('personJson (the population\'s fast writer)', () => {
  it('writes the general path\'s text for every record of the readers\' shape', () => {
    fc.assert(
      fc.property(person, (p) => {
        expect(personJson(p)).toBe(printedJson(p));
      }),
      { numRuns: 1500 },
    );
  });

  it('writes the same text through a memo shared by a roster whose people share enrollment objects', () => {
    // Readers hand people enrolled alike the same enrollment objects; the memo writes each once.
    const roster = fc.tuple(fc.array(enrollment, { minLength: 1, maxLength: 5 }), fc.array(fc.tuple(person, fc.array(fc.nat(), { maxLength: 5 })), { minLength: 1, maxLength: 6 }))
      .map(([kinds, people]) => people.map(([p, picks]) => ({ ...p, enrollments: picks.map((k) => kinds[k % kinds.length]!) }) as Person));
    fc.assert(
      fc.property(roster, fc.boolean(), fc.constantFrom(undefined, 0, 1, 2), (people, twice, limit) => {
        // A low limit lets go of the kept texts partway through: the prints must not change.
        const memo = new PrintMemo(limit);
        for (const p of twice ? [...people, ...people] : people) expect(personJson(p, memo)).toBe(printedJson(p));
      }),
      { numRuns: 500 },
    );
  });

  it('gives way (undefined) or still agrees for a record of any other shape, so a print never differs', () => {
    let declined = 0;
    fc.assert(
      fc.property(odd, (p) => {
        const fast = personJson(p);
        if (fast === undefined) declined++;
        else expect(fast).toBe(printedJson(p));
        expect(personJson(p, new PrintMemo())).toBe(fast);
      }),
      { numRuns: 1000 },
    );
    expect(declined).toBeGreaterThan(300);
  });
});
