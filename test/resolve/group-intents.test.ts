import { beforeAll, describe, expect, it } from 'vitest';
import type { Enrollment, Roster } from '../../engine/model/people.js';
import type { LoadedPolicy } from '../../engine/run/inputs.js';
import { exampleDistrict, resolveExample } from '../helpers/resolve-example.js';

/**
 * Class-section group intents are cached per enrollment object (readers share one object among
 * enrollments alike). The groups a person gets must not depend on that sharing: a roster whose
 * every enrollment is its own object (as a reader keeping enrollment ids makes it) resolves to
 * the same groups, and an enrollment in a class the roster lacks gives no group, however many
 * people share that enrollment object.
 */

let loaded: LoadedPolicy;
let roster: Roster;
beforeAll(async () => {
  ({ loaded, roster } = await exampleDistrict('rollcall-groupintents-'));
});

function groupsByAnchor(r: Roster): Map<string, string[]> {
  return new Map(resolveExample(loaded, r).identities.map((i) => [i.anchor, i.groups.map((g) => `${g.rule}:${g.name}`)]));
}

function withEnrollments(r: Roster, change: (list: Enrollment[], index: number) => Enrollment[]): Roster {
  return { ...r, people: r.people.map((p, i) => ({ ...p, enrollments: change(p.enrollments, i) })) };
}

describe('class-section group intents', () => {
  it('are the same whether enrollments alike share one object or not', () => {
    const shared = groupsByAnchor(roster);
    const sectionGroups = [...shared.values()].flat().filter((g) => g.startsWith('class-sections:'));
    expect(sectionGroups.length).toBeGreaterThan(0);
    const distinct = groupsByAnchor(withEnrollments(roster, (list) => list.map((e) => ({ ...e }))));
    expect(distinct).toEqual(shared);
  });

  it('skip a class the roster lacks for everyone sharing the enrollment', () => {
    const before = groupsByAnchor(roster);
    const ghost: Enrollment = { classSourcedId: 'no-such-class', role: 'student', primary: false };
    // Before and after each person's own enrollments, so the ghost is met both first and late.
    const after = groupsByAnchor(withEnrollments(roster, (list, i) => (i % 2 === 0 ? [ghost, ...list] : [...list, ghost])));
    expect(after).toEqual(before);
  });
});
