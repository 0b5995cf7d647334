import { describe, expect, it } from 'vitest';
import { emptyState } from '../../engine/model/state.js';
import { usernameStory } from '../../engine/explain/username.js';
import { usernameProblems } from '../../engine/drift/username-check.js';
import { AD_CONSTRAINTS } from '../../engine/resolve/naming/constraints.js';
import type { Policy } from '../../engine/model/policy.js';
import { rule } from '../naming/fixtures.js';

/**
 * Usernames are keys of the registry, a plain object: a name such as `constructor` must find
 * only an own entry, never Object.prototype's (which once threw in explain).
 */
describe('registry lookups by username', () => {
  const byFamily = rule('by-family', ['{family}']);

  it('explain tells a never-issued `constructor` from one issued to someone else', () => {
    const ctx = { anchor: 'stu-1', username: 'constructor', rule: byFamily, values: { family: 'Constructor' }, reserved: [], constraints: AD_CONSTRAINTS, others: new Map<string, string>(), unmanaged: [], renames: 'keep' };
    const fresh = usernameStory({ ...ctx, state: emptyState('l') });
    expect(fresh.how).toBe('issued');
    expect(fresh.templates[0]!.verdict).toBe('chosen');
    // Given another name: the template's `constructor` was simply not needed, not issued before.
    expect(usernameStory({ ...ctx, username: 'constructor2', state: emptyState('l') }).templates[0]!.verdict).toBe('not-needed');

    const state = emptyState('l');
    state.registry['constructor'] = { anchor: 'stu-2', issued_at: '2025-09-01T00:00:00.000Z' };
    const other = usernameStory({ ...ctx, username: 'constructor2', state });
    expect(other.templates[0]!.verdict).toBe('issued-before');
  });

  it('drift check: `constructor` is not a username rollcall issued unless the registry says so', () => {
    const policy = { naming: { reserved: [] } } as unknown as Policy;
    expect(usernameProblems('constructor', 'stu-1', emptyState('l'), policy, AD_CONSTRAINTS)).toEqual(['not a username rollcall issued']);
    const state = emptyState('l');
    state.registry['constructor'] = { anchor: 'stu-1', issued_at: '2025-09-01T00:00:00.000Z' };
    expect(usernameProblems('constructor', 'stu-1', state, policy, AD_CONSTRAINTS)).toEqual([]);
  });
});
