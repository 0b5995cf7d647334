import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { types } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../engine/model/errors.js';
import { emptyState, type RegistryEntry } from '../../engine/model/state.js';
import { AD_CONSTRAINTS } from '../../engine/resolve/naming/constraints.js';
import { allocateUsernames, type AllocationContext } from '../../engine/resolve/naming/usernames.js';
import { localStateBackend } from '../../engine/state/local.js';
import { stateFileText } from '../../engine/state/state-file.js';
import { rule } from './fixtures.js';

/**
 * Allocation against a registry read deferred from a state file (a plan's read): names only
 * in the registry are still never re-issued, and asking about a candidate looks that one name
 * up instead of walking the registry.
 */

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const AT = '2024-08-01T00:00:00.000Z';

/** The registry as a plan reads it: from a state file, deferred. */
async function deferredRegistry(registry: Record<string, RegistryEntry>, edit: (text: string) => string = (t) => t): Promise<Record<string, RegistryEntry>> {
  const doc = emptyState('44444444-4444-4444-4444-444444444444');
  doc.registry = registry;
  const dir = await mkdtemp(join(tmpdir(), 'rollcall-naming-'));
  dirs.push(dir);
  const path = join(dir, 'state.json');
  await writeFile(path, edit(stateFileText(doc)));
  const state = await localStateBackend(path).read({ deferMaps: true });
  expect(types.isProxy(state.registry)).toBe(true);
  return state.registry;
}

const ctx = (registry: Record<string, RegistryEntry>, current: Record<string, string> = {}): AllocationContext => ({
  registry,
  current: new Map(Object.entries(current)),
  reserved: [],
  constraints: AD_CONSTRAINTS,
  taken: new Set<string>(),
});

const ONE = rule('r', ['{given|first:1}{family}']);
const values = (given: string, family: string) => ({ given, family });

describe('allocateUsernames with a deferred registry', () => {
  it('a newcomer whose name is only in the registry gets a numbered one, as with a plain registry', async () => {
    const plain: Record<string, RegistryEntry> = {
      jsmith: { anchor: 'left-2019', issued_at: AT },
      jsmith2: { anchor: 'left-2020', issued_at: AT },
      constructor: { anchor: 'left-2021', issued_at: AT },
    };
    const registry = await deferredRegistry(plain);
    const reqs = [
      { anchor: 'new-1', rule: ONE, values: values('John', 'Smith') },
      { anchor: 'new-2', rule: rule('g', ['{given}']), values: values('Constructor', '') },
      { anchor: 'new-3', rule: rule('g', ['{given}']), values: values('toString', '') },
    ];
    const got = allocateUsernames(reqs, ctx(registry));
    expect(Object.fromEntries([...got.results.values()].map((r) => [r.anchor, r.username]))).toEqual({ 'new-1': 'jsmith3', 'new-2': 'constructor2', 'new-3': 'tostring' });
    expect(got).toEqual(allocateUsernames(reqs, ctx(plain)));
  });

  it('a rename candidate is checked by looking it up: the rest of the registry is never parsed', async () => {
    // An entry no eager read would accept: touching it, or walking the map, raises it.
    const registry = await deferredRegistry(
      { jdoe: { anchor: 'left-2019', issued_at: AT }, zz: { anchor: 'broken', issued_at: AT } },
      (t) => t.replace('"zz":{"anchor":"broken"', '"zz":{"anchor":7'),
    );
    // A person who holds a name and whose rule now gives another: the only allocation that
    // asks the registry without restoring anyone (restoring a newcomer needs every entry).
    const got = allocateUsernames([{ anchor: 'p1', rule: ONE, values: values('Jo', 'Doe') }], ctx(registry, { p1: 'jsmith' }));
    expect(got.results.get('p1')).toEqual({ anchor: 'p1', username: 'jsmith', rule: 'r', newlyIssued: false, pendingRename: { to: 'jdoe2', rule: 'r' } });
    expect(got.diagnostics).toEqual([]);
    expect(() => Object.keys(registry)).toThrow(InputError);
  });
});
