import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersonCapsule, BuiltBase } from '../../engine/incremental/base.js';
import { buildBase } from '../../engine/incremental/base.js';
import type { Person } from '../../engine/model/people.js';
import type { Change, PlanDocument } from '../../engine/model/plan.js';
import { computePlan, type PlanInput } from '../../engine/plan/build-plan.js';
import { loadPolicyInput, openState, readSis, readTargets, targetConstraints } from '../../engine/run/inputs.js';
import { openPlanBase, PlanBaseUnreadable, removePlanBase, writePlanBase } from '../../engine/run/plan-base-file.js';
import { lineHashes } from '../../providers/sis/oneroster-csv/line-hashes.js';
import { scratchDistrict } from '../helpers/district.js';

const root = mkdtempSync(join(tmpdir(), 'rollcall-plan-base-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dirs = 0;
/** A fresh policy folder (only its .rollcall/ is used). */
const policyDir = (): string => {
  const d = join(root, `p${++dirs}`);
  mkdirSync(d);
  return d;
};
const planDir = (dir: string): string => join(dir, '.rollcall', 'cache', 'plan');

/** Through JSON, as the base file stores them. */
const stored = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

function person(id: string, line: number | undefined, extra: Partial<Person> = {}): Person {
  return {
    sourcedId: id, enabledUser: true, sisUsername: '', identifier: `n-${id}`, userIds: [], givenName: 'Zoë', familyName: 'O"Brien\n', middleName: '',
    preferredGivenName: '', preferredFamilyName: '', preferredMiddleName: '', email: '', grades: ['09'],
    roles: [{ role: 'student', orgSourcedId: 'mhs', roleType: 'primary', beginDate: undefined }], enrollments: [],
    source: line === undefined ? { file: 'users.csv' } : { file: 'users.csv', line }, ...extra,
  };
}

function capsule(id: string, line: number | undefined): PersonCapsule {
  const attrs = { username: `u-${id}`, givenName: 'Zoë', familyName: 'O"Brien', displayName: 'Zoë O"Brien', email: `u-${id}@example.org`, path: 'Students/MHS', enabled: true };
  return {
    anchor: id,
    person: person(id, line),
    state: { username: `u-${id}`, first_seen: '2026-09-01T00:00:00.000Z', previous_usernames: ['old'] },
    lastApplied: { sandbox: attrs },
    registry: { [`u-${id}`]: { anchor: id, issued_at: '2026-09-01T00:00:00.000Z' }, ['__proto__']: { anchor: id, issued_at: 'x' } },
    accounts: { sandbox: [{ ...attrs, id: `acc-${id}`, anchor: id, aliases: [] }] },
    memberOf: { sandbox: [0, 3, 0] },
  };
}

function change(i: number): Change {
  return { id: `sandbox:account:stu-${i}:create`, target: 'sandbox', kind: 'account', action: 'create', anchor: `stu-${i}`, key: `stu-${i}`, after: { username: `u${i}`, enabled: true }, reason: { cause: 'sis', detail: `new in users.csv:${i + 2}` } };
}

function plan(changes: number): PlanDocument {
  return {
    format_version: 1,
    created_at: '2026-10-01T12:00:00.000Z',
    inputs: {
      now: '2026-10-01T12:00:00.000Z', policy_digest: 'p', policy_commit: null, sis_digest: 's', sis_people: 4, sis_eligible: 4,
      sis_changes: { added: 1, gone: 0, changed: 0 }, state_lineage: 'l', state_serial: 3, targets: { sandbox: { digest: 'd', accounts: 4, groups: 1 } },
    },
    summary: { total: changes, by_action: { create: changes }, by_target: { sandbox: { create: changes } }, by_cause: { sis: changes } },
    changes: Array.from({ length: changes }, (_, i) => change(i)),
    state_updates: [{ anchor: 'stu-1', field: 'missing_since', value: null, reason: { cause: 'lifecycle', detail: 'back' } }],
    decisions: [],
    safety: { ok: true, halted: false, violations: [] },
    warnings: [],
    correlation: undefined,
    digest: 'abc',
  };
}

function built(capsules: PersonCapsule[], changes = 3): BuiltBase {
  return {
    base: {
      plan: plan(changes),
      shared: {
        roster: { sourceFormat: 'oneroster-1.2-csv', mode: 'bulk', orgs: [{ sourcedId: 'mhs', name: 'Maple High', type: 'school', identifier: 'MHS' }], classes: [], academicSessions: [] },
        state: { format_version: 1, lineage: 'l', serial: 3, sis: null },
        targets: [{ target: 'sandbox', groups: [{ id: 'g1', name: 'all', description: 'd', managed: true }], containers: ['Students'] }],
        managed: { sandbox: 4 },
        desired: { sandbox: [{ name: 'all', description: 'd', membership: 'authoritative', rule: 'groups[0]', members: 4 }] },
        removeOrder: { 'sandbox:membership:all:remove': [0, 3] },
      },
    },
    capsules,
  };
}

const hashes = (lines: number): Int32Array => Int32Array.from({ length: 2 * lines }, (_, i) => (i * 2654435761) | 0);
const VALIDITY = { sis_digest: 's', policy_digest: 'p', nested: { a: [1, 2] } };

describe('plan base file', () => {
  it('round-trips the plan, the shared inputs, validity and line hashes; capsules by users.csv line', async () => {
    const dir = policyDir();
    const caps = [capsule('stu-1', 2), capsule('stu-2', 3), capsule('stu-3', 5), capsule('stu-4', 4)];
    const b = built(caps);
    await writePlanBase(dir, b, VALIDITY, hashes(6));
    const s = await openPlanBase(dir);
    expect(s).not.toBeNull();
    expect(s!.validity).toEqual(VALIDITY);
    expect(await s!.usersLineHashes()).toEqual(hashes(6));
    const base = await s!.base();
    // Byte for byte, key order included: the incremental plan splices into it.
    expect(JSON.stringify(base)).toBe(JSON.stringify(b.base));
    expect(base).toEqual(stored(b.base));
    const got = await s!.capsulesAtLines([5, 2, 1, 4, 99, 0, -3, 2.5, 3, 6, 5]);
    expect(got).toEqual([caps[2], caps[0], undefined, caps[3], undefined, undefined, undefined, undefined, caps[1], undefined, caps[2]].map((c) => (c ? stored(c) : undefined)));
    expect(Object.hasOwn(got[0]!.registry, '__proto__')).toBe(true);
    expect(await s!.capsulesAtLines([])).toEqual([]);
  });

  it('indexes no capsule for a line two capsules claim, or for a capsule without a line', async () => {
    const dir = policyDir();
    const caps = [capsule('a', 2), capsule('b', 3), capsule('c', 3), capsule('d', undefined), capsule('e', 4)];
    await writePlanBase(dir, built(caps), VALIDITY, hashes(5));
    const s = (await openPlanBase(dir))!;
    expect(await s.capsulesAtLines([2, 3, 4])).toEqual([stored(caps[0]), undefined, stored(caps[4])]);
    const header = JSON.parse(readFileSync(join(planDir(dir), 'header.json'), 'utf8').split('\n')[0]!) as { people: number; indexed: number };
    expect(header).toMatchObject({ people: 5, indexed: 2 });
  });

  it('reads a plan larger than one read window back whole', async () => {
    const dir = policyDir();
    const b = built([capsule('a', 2)], 40_000);
    await writePlanBase(dir, b, VALIDITY, new Int32Array(0));
    expect(statSync(join(planDir(dir), 'base.jsonl')).size).toBeGreaterThan(4 * 2 ** 20);
    const base = await (await openPlanBase(dir))!.base();
    expect(base.plan.changes).toHaveLength(40_000);
    expect(JSON.stringify(base)).toBe(JSON.stringify(b.base));
  });

  it('reads back a capsule larger than a write batch, in multi-byte text, between small ones', async () => {
    const dir = policyDir();
    const big = capsule('big', 3);
    big.person.familyName = 'é'.repeat(1_500_000) + '😀';
    const caps = [capsule('a', 2), big, capsule('c', 4)];
    await writePlanBase(dir, built(caps), VALIDITY, hashes(4));
    expect(await (await openPlanBase(dir))!.capsulesAtLines([4, 3, 2])).toEqual([stored(caps[2]), stored(big), stored(caps[0])]);
  });

  it('writes the folder 0700 and its files 0600', async () => {
    const dir = policyDir();
    await writePlanBase(dir, built([capsule('a', 2)]), VALIDITY, hashes(2));
    expect(statSync(planDir(dir)).mode & 0o777).toBe(0o700);
    const files = readdirSync(planDir(dir)).sort();
    expect(files).toEqual(['base.jsonl', 'capsules.idx', 'capsules.jsonl', 'header.json', 'users-lines.bin']);
    for (const f of files) expect(statSync(join(planDir(dir), f)).mode & 0o777).toBe(0o600);
  });

  it('replaces an existing base, leaving nothing beside it, and clears what crashed writers left', async () => {
    const dir = policyDir();
    await writePlanBase(dir, built([capsule('a', 2), capsule('b', 3)]), { v: 1 }, hashes(3));
    const cache = join(dir, '.rollcall', 'cache');
    mkdirSync(join(cache, '.plan.tmp-999999999-abc'));
    mkdirSync(join(cache, '.plan.old-1-def'));
    const before = (await openPlanBase(dir))!;
    await writePlanBase(dir, built([capsule('z', 3)], 7), { v: 2 }, hashes(4));
    expect(readdirSync(cache)).toEqual(['plan']);
    const s = (await openPlanBase(dir))!;
    expect(s.validity).toEqual({ v: 2 });
    expect(await s.capsulesAtLines([2, 3])).toEqual([undefined, stored(capsule('z', 3))]);
    expect((await s.base()).plan.changes).toHaveLength(7);
    expect(await s.usersLineHashes()).toEqual(hashes(4));
    // A base opened before the replacement does not read the new one's files as its own.
    await expect(before.base()).rejects.toBeInstanceOf(PlanBaseUnreadable);
    await expect(before.capsulesAtLines([2])).rejects.toBeInstanceOf(PlanBaseUnreadable);
  });

  it('is null when there is none, and after removePlanBase', async () => {
    const dir = policyDir();
    expect(await openPlanBase(dir)).toBeNull();
    await removePlanBase(dir);
    await writePlanBase(dir, built([capsule('a', 2)]), VALIDITY, hashes(2));
    expect(await openPlanBase(dir)).not.toBeNull();
    await removePlanBase(dir);
    expect(existsSync(planDir(dir))).toBe(false);
    expect(await openPlanBase(dir)).toBeNull();
  });

  describe('damaged bases', () => {
    const caps = [capsule('a', 2), capsule('b', 3), capsule('c', 4)];
    let dir: string;
    beforeAll(() => {
      dir = policyDir();
    });
    const fresh = async (): Promise<string> => {
      await writePlanBase(dir, built(caps, 50), VALIDITY, hashes(4));
      return planDir(dir);
    };
    /** Flip one byte of a file in place, keeping its size. */
    const flip = (file: string, at: number): void => {
      const buf = readFileSync(file);
      buf[at] = buf[at]! ^ 0x01;
      writeFileSync(file, buf);
    };

    it.each(['header.json', 'base.jsonl', 'capsules.jsonl', 'capsules.idx', 'users-lines.bin'])('is null when %s is truncated or missing', async (name) => {
      const p = await fresh();
      truncateSync(join(p, name), statSync(join(p, name)).size - 1);
      expect(await openPlanBase(dir)).toBeNull();
      rmSync(join(p, name));
      expect(await openPlanBase(dir)).toBeNull();
    });

    it('is null for a damaged header, another format version, or another byte order', async () => {
      const p = await fresh();
      flip(join(p, 'header.json'), 5);
      expect(await openPlanBase(dir)).toBeNull();
      for (const edit of [{ version: 2 }, { endian: 'XX' }, { format: 'other' }]) {
        await fresh();
        const json = readFileSync(join(p, 'header.json'), 'utf8').split('\n')[0]!;
        const edited = JSON.stringify({ ...(JSON.parse(json) as object), ...edit });
        writeFileSync(join(p, 'header.json'), `${edited}\n${crc32(edited).toString(16).padStart(8, '0')}\n`);
        expect(await openPlanBase(dir)).toBeNull();
      }
      writeFileSync(join(p, 'header.json'), 'not json');
      expect(await openPlanBase(dir)).toBeNull();
    });

    it('refuses a base plan, index, line hashes or capsule whose bytes changed', async () => {
      let p = await fresh();
      flip(join(p, 'base.jsonl'), 300);
      await expect((await openPlanBase(dir))!.base()).rejects.toBeInstanceOf(PlanBaseUnreadable);

      p = await fresh();
      flip(join(p, 'users-lines.bin'), 3);
      await expect((await openPlanBase(dir))!.usersLineHashes()).rejects.toBeInstanceOf(PlanBaseUnreadable);

      p = await fresh();
      flip(join(p, 'capsules.idx'), 0);
      await expect((await openPlanBase(dir))!.capsulesAtLines([2])).rejects.toBeInstanceOf(PlanBaseUnreadable);

      p = await fresh();
      const text = readFileSync(join(p, 'capsules.jsonl'), 'utf8');
      flip(join(p, 'capsules.jsonl'), text.indexOf('\n') + 20); // inside b's capsule
      const s = (await openPlanBase(dir))!;
      expect(await s.capsulesAtLines([2, 4])).toEqual([stored(caps[0]), stored(caps[2])]);
      await expect(s.capsulesAtLines([3])).rejects.toBeInstanceOf(PlanBaseUnreadable);
    });
  });

  it('round-trips the base of the example district\'s first plan', async () => {
    const dir = scratchDistrict('rollcall-plan-base-example-');
    try {
      const opts = { dir, now: '2026-10-01T12:00:00.000Z' };
      const loaded = await loadPolicyInput(opts);
      const backend = openState(loaded, opts);
      const state = await backend.read();
      await backend.close();
      const read = await readSis(loaded, opts);
      const input: PlanInput = {
        policy: loaded.policy, policyDigest: loaded.digest, policyCommit: null, roster: read.roster, sisDigest: read.digest, sisWarnings: read.warnings,
        state, snapshots: await readTargets(loaded, opts), constraints: targetConstraints(loaded.policy, loaded.allTargets), now: opts.now,
      };
      const b = buildBase(input, computePlan({ ...input, reportDesired: true }));
      const users = lineHashes(readFileSync(join(dir, 'sis', 'users.csv')));
      await writePlanBase(dir, b, VALIDITY, users);
      const s = (await openPlanBase(dir))!;
      expect(JSON.stringify(await s.base())).toBe(JSON.stringify(b.base));
      expect(await s.usersLineHashes()).toEqual(users);
      const lines = b.capsules.map((c) => c.person.source.line!);
      expect(new Set(lines).size).toBe(b.capsules.length);
      const back = await s.capsulesAtLines(lines);
      expect(back.map((c) => JSON.stringify(c))).toEqual(b.capsules.map((c) => JSON.stringify(c)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
