import { describe, expect, it } from 'vitest';
import type { ObservedAccount, TargetSnapshot } from '../../engine/model/accounts.js';
import { mergeAccounts, mergeSnapshot } from './incremental-merge.js';

const acc = (id: string, username: string, over: Partial<ObservedAccount> = {}): ObservedAccount => ({
  id, anchor: `a-${id}`, username, givenName: 'G', familyName: 'F', displayName: 'G F', email: `${username}@x.test`, path: 'Students/MHS/2030', enabled: true, aliases: [], ...over,
});

describe('merging an incremental LDAP read into a snapshot', () => {
  const previous = [acc('3', 'cyd'), acc('1', 'amy'), acc('2', 'bo')];

  it('replaces changed accounts, adds new ones, drops removed ones, and sorts like a full read', () => {
    const out = mergeAccounts(previous, { changed: [acc('2', 'bo', { enabled: false }), acc('4', 'aa')], removed: ['3'] });
    expect(out.map((a) => [a.id, a.username, a.enabled])).toEqual([['4', 'aa', true], ['1', 'amy', true], ['2', 'bo', false]]);
  });

  it('a renamed account moves to its new sorted place; ties on username sort by id', () => {
    const out = mergeAccounts(previous, { changed: [acc('1', 'zed'), acc('5', 'bo')], removed: [] });
    expect(out.map((a) => a.id)).toEqual(['2', '5', '3', '1']);
  });

  it('takes the new cursor and the freshly read groups and containers', () => {
    const snap: TargetSnapshot = { target: 'ad', accounts: previous, groups: [], containers: ['Old'], cursor: 'ad-usn:old' };
    const g = [{ id: 'g', name: 'g', description: '', members: ['1'], managed: true }];
    const out = mergeSnapshot(snap, { cursor: 'ad-usn:new', changed: [], removed: [], groupsChanged: false }, { groups: g, containers: ['New'] });
    expect(out).toMatchObject({ target: 'ad', cursor: 'ad-usn:new', groups: g, containers: ['New'] });
    expect(out.accounts.map((a) => a.id)).toEqual(['1', '2', '3']);
    // The input snapshot is left as it was.
    expect(snap.accounts.map((a) => a.id)).toEqual(['3', '1', '2']);
  });
});
