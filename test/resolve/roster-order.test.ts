import { beforeAll, describe, expect, it } from 'vitest';
import type { Roster } from '../../engine/model/people.js';
import type { Identity } from '../../engine/resolve/identities.js';
import type { LoadedPolicy } from '../../engine/run/inputs.js';
import { exampleDistrict, resolveExample } from '../helpers/resolve-example.js';

/**
 * Resolve merges the roster (normally sorted by sourcedId) with the anchors of state and of
 * accounts, checking the roster's order as it goes. Any other roster order, and a repeated
 * sourcedId (the later record wins), must resolve as the sorted roster does.
 */

let loaded: LoadedPolicy;
let roster: Roster;
beforeAll(async () => {
  ({ loaded, roster } = await exampleDistrict('rollcall-rosterorder-'));
});

function resolve(r: Roster): Identity[] {
  // An account anchored between two roster people, and one after them all.
  const observed = new Map([[`${roster.people[1]!.sourcedId}~`, { username: 'held1' }], ['\uffff-last', { username: 'held2' }]]);
  return resolveExample(loaded, r, observed).identities;
}

const summary = (ids: Identity[]): string[] => ids.map((i) => `${i.anchor} ${i.username} ${i.attrs?.displayName ?? ''}`);

describe('resolve and the roster order', () => {
  it('arrives sorted in the example district', () => {
    const ids = roster.people.map((p) => p.sourcedId);
    expect(ids).toEqual([...ids].sort());
  });

  it('gives the same identities for a reversed or shuffled roster', () => {
    const sorted = summary(resolve(roster));
    expect(sorted.length).toBeGreaterThan(10);
    expect(summary(resolve({ ...roster, people: [...roster.people].reverse() }))).toEqual(sorted);
    const swapped = [...roster.people];
    [swapped[3], swapped[4]] = [swapped[4]!, swapped[3]!];
    expect(summary(resolve({ ...roster, people: swapped }))).toEqual(sorted);
  });

  it('lets the later of two records with one sourcedId win', () => {
    const first = roster.people[2]!;
    const renamed = { ...first, givenName: 'Zebulon', preferredGivenName: '' };
    const ids = resolve({ ...roster, people: [...roster.people.slice(0, 3), renamed, ...roster.people.slice(3)] });
    expect(ids.filter((i) => i.anchor === first.sourcedId)).toHaveLength(1);
    expect(ids.find((i) => i.anchor === first.sourcedId)?.attrs?.givenName).toBe('Zebulon');
    expect(summary(ids).filter((l) => !l.startsWith(first.sourcedId + ' '))).toEqual(summary(resolve(roster)).filter((l) => !l.startsWith(first.sourcedId + ' ')));
  });
});
