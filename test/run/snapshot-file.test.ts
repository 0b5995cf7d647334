import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TargetSnapshot } from '../../engine/model/accounts.js';
import { InputError } from '../../engine/model/errors.js';
import { readSnapshotFile, writeSnapshotFile } from '../../engine/run/snapshot-file.js';
import { memberPositions, type MemberPositions } from '../../engine/model/member-positions.js';
import { snapshotFacts } from '../../engine/model/snapshot-facts.js';
import { snapshotDigest } from '../../engine/plan/snapshot-digest.js';

const dir = mkdtempSync(join(tmpdir(), 'rollcall-snapshot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function snapshots(accounts: number): TargetSnapshot[] {
  const acc = (t: string, i: number) => ({
    id: `${t}-${i}`, anchor: i % 7 === 0 ? null : `stu-${i}`, username: `u${i}`, givenName: 'G', familyName: 'F\n"q"', displayName: 'G F',
    email: `u${i}@example.org`, path: 'Students', enabled: i % 3 !== 0, aliases: i % 5 === 0 ? [`old${i}`] : [],
  });
  return [
    { target: 'sandbox', containers: ['Staff', 'Students'], accounts: Array.from({ length: accounts }, (_, i) => acc('s', i)), groups: [{ id: 'g1', name: 'all', description: 'd', members: ['s-1', 's-2'], managed: true }] },
    { target: 'google', containers: [], cursor: 'c-42', accounts: [acc('g', 1)], groups: [] },
  ];
}

describe('refresh snapshot file', () => {
  it('round-trips targets, accounts, groups and cursors, at any size', async () => {
    for (const n of [0, 3, 20_000]) {
      const file = join(dir, `snap-${n}.jsonl`);
      const snaps = snapshots(n);
      await writeSnapshotFile(file, snaps, '2026-10-01T12:00:00.000Z');
      const back = await readSnapshotFile(file);
      expect(back.takenAt).toBe('2026-10-01T12:00:00.000Z');
      expect(back.snapshots).toEqual(snaps);
    }
  });

  it('writes version 2: a header line, then one record per line, members of groups by account position', async () => {
    const file = join(dir, 'format.jsonl');
    await writeSnapshotFile(file, snapshots(2), '2026-10-01T12:00:00.000Z');
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    const sum = crc32(readFileSync(file).subarray(lines[0]!.length + 1)).toString(16).padStart(8, '0');
    expect(lines[0]).toBe(`{"format":"rollcall-snapshot","version":2,"taken_at":"2026-10-01T12:00:00.000Z","lines_crc32":"${sum}"}`);
    const digest = snapshotDigest(snapshots(2)[0]!);
    expect(lines[1]).toBe(`["T","sandbox",["Staff","Students"],null,{"digest":"${digest}","digest_scheme":"sha256-1","unique_ids":true}]`);
    expect(JSON.parse(lines[2]!)).toEqual(['A', 'sandbox', snapshots(2)[0]!.accounts[0]]);
    // s-1 is the sandbox's second account; s-2 is not an account of it, so it stays an id.
    expect(JSON.parse(lines[4]!)).toEqual(['G', 'sandbox', { id: 'g1', name: 'all', description: 'd', members: [1, 's-2'], managed: true }]);
    expect(lines.at(-1)).toBe('');
  });

  it('tells the diff where the members it read as positions are (the others by id: -1)', async () => {
    const file = join(dir, 'positions.jsonl');
    await writeSnapshotFile(file, snapshots(3), '2026-10-01T12:00:00.000Z');
    const [sandbox] = (await readSnapshotFile(file)).snapshots;
    const group = sandbox!.groups[0]!;
    expect(group.members).toEqual(['s-1', 's-2']);
    // s-1 and s-2 are both sandbox accounts at 3 accounts: positions 1 and 2.
    const at = (p: MemberPositions): number[] => [...p.chunks[p.chunk[0]!]!.subarray(p.start[0], p.start[0]! + p.count[0]!)];
    expect(at(memberPositions(sandbox!)!)).toEqual([1, 2]);
    // At 2 accounts, s-2 is no sandbox account: written and read by id.
    await writeSnapshotFile(file, snapshots(2), '2026-10-01T12:00:00.000Z');
    const [fewer] = (await readSnapshotFile(file)).snapshots;
    expect(at(memberPositions(fewer!)!)).toEqual([1, -1]);
    // The google target has no groups: nothing recorded, nothing to use.
    expect(memberPositions((await readSnapshotFile(file)).snapshots[1]!)).toBeUndefined();
  });

  it('still reads version 1 files, whose members are all ids', async () => {
    const file = join(dir, 'v1.jsonl');
    const snaps = snapshots(3);
    const v1 = [
      JSON.stringify({ format: 'rollcall-snapshot', version: 1, taken_at: '2026-10-01T12:00:00.000Z' }),
      ...snaps.flatMap((s) => [JSON.stringify(['T', s.target, s.containers, s.cursor ?? null]), ...s.accounts.map((a) => JSON.stringify(['A', s.target, a])), ...s.groups.map((g) => JSON.stringify(['G', s.target, g]))]),
      '',
    ].join('\n');
    writeFileSync(file, v1);
    expect((await readSnapshotFile(file)).snapshots).toEqual(snaps);
  });

  it('refuses a member position the file does not have, and a version it does not know', async () => {
    const file = join(dir, 'bad-position.jsonl');
    await writeSnapshotFile(file, snapshots(3), '2026-10-01T12:00:00.000Z');
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines[5]).toContain('"members":[1,2]');
    lines[5] = lines[5]!.replace('"members":[1,', '"members":[7,');
    writeFileSync(file, lines.join('\n'));
    const err = await readSnapshotFile(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).diagnostics[0]).toMatchObject({ summary: expect.stringMatching(/position 7/), source: { file, line: 6 } });
    lines[0] = lines[0]!.replace('"version":2', '"version":9');
    writeFileSync(file, lines.join('\n'));
    await expect(readSnapshotFile(file)).rejects.toThrow(/version 9/);
  });

  it('tolerates blank lines and reports a broken line by its number', async () => {
    const file = join(dir, 'broken.jsonl');
    await writeSnapshotFile(file, snapshots(50), '2026-10-01T12:00:00.000Z');
    const lines = readFileSync(file, 'utf8').split('\n');
    writeFileSync(file, [...lines.slice(0, 5), '', ...lines.slice(5)].join('\n'));
    expect((await readSnapshotFile(file)).snapshots).toEqual(snapshots(50));
    lines[30] = lines[30]!.slice(0, -3);
    writeFileSync(file, lines.join('\n'));
    const err = await readSnapshotFile(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).diagnostics[0]?.source).toEqual({ file, line: 31 });
  });

  it('hands a plan the digest and id uniqueness refresh worked out, when the checksum holds, in pieces of any size', async () => {
    const file = join(dir, 'facts.jsonl');
    const snaps = snapshots(400);
    const dup = { ...snaps[1]!.accounts[0]!, anchor: 'stu-dup', username: 'dup' };
    snaps[1] = { ...snaps[1]!, accounts: [...snaps[1]!.accounts, dup] }; // google: one id twice
    await writeSnapshotFile(file, snaps, '2026-10-01T12:00:00.000Z');
    for (const w of [64, 1000, 4 << 20]) {
      const back = (await readSnapshotFile(file, w)).snapshots;
      expect(back).toEqual(snaps);
      expect(snapshotFacts(back[0]!), `window ${w}`).toEqual({ digest: snapshotDigest(snaps[0]!), uniqueIds: true });
      expect(snapshotFacts(back[1]!), `window ${w}`).toEqual({ digest: snapshotDigest(snaps[1]!), uniqueIds: false });
      // Filtered or grown since the read: the facts no longer speak for it.
      expect(snapshotFacts({ ...back[0]!, accounts: back[0]!.accounts.slice(1) })).toBeUndefined();
      back[0]!.accounts.push(dup);
      expect(snapshotFacts(back[0]!)).toBeUndefined();
    }
  });

  it('works the facts out afresh from a file edited after refresh wrote it, or written before they were', async () => {
    const file = join(dir, 'edited.jsonl');
    await writeSnapshotFile(file, snapshots(5), '2026-10-01T12:00:00.000Z');
    const text = readFileSync(file, 'utf8');
    // One account's username changed by hand, same length: the file still parses.
    writeFileSync(file, text.replace('"username":"u3"', '"username":"x3"'));
    const [edited] = (await readSnapshotFile(file)).snapshots;
    expect(edited!.accounts[3]!.username).toBe('x3');
    expect(snapshotFacts(edited!)).toBeUndefined();
    expect(snapshotDigest(edited!)).not.toBe(snapshotDigest(snapshots(5)[0]!));
    // A checksum that is not hex, and a file from before the facts: nothing recorded, all read.
    const lines = text.split('\n');
    writeFileSync(file, [lines[0]!.replace(/"lines_crc32":"[0-9a-f]{8}"/, '"lines_crc32":"not-a-sum"'), ...lines.slice(1)].join('\n'));
    expect(snapshotFacts((await readSnapshotFile(file)).snapshots[0]!)).toBeUndefined();
    // A digest worked out another way (another rollcall's scheme), under a checksum that holds.
    const otherScheme = lines.slice(1).join('\n').replace('"digest_scheme":"sha256-1"', '"digest_scheme":"sha256-0"');
    writeFileSync(file, `${lines[0]!.replace(/"lines_crc32":"[0-9a-f]{8}"/, `"lines_crc32":"${crc32(otherScheme).toString(16).padStart(8, '0')}"`)}\n${otherScheme}`);
    const [other] = (await readSnapshotFile(file)).snapshots;
    expect(other).toEqual(snapshots(5)[0]);
    expect(snapshotFacts(other!)).toBeUndefined();
    const old = [JSON.parse(lines[0]!) as Record<string, unknown>].map(({ lines_crc32: _, ...h }) => JSON.stringify(h));
    writeFileSync(file, [...old, ...lines.slice(1).map((l) => l.replace(/,\{"digest":"[0-9a-f]+","digest_scheme":"sha256-1","unique_ids":true\}\]$/, ']'))].join('\n'));
    const [before] = (await readSnapshotFile(file)).snapshots;
    expect(before).toEqual(snapshots(5)[0]);
    expect(snapshotFacts(before!)).toBeUndefined();
  });

  it('refuses a file that is not a snapshot, or missing, or empty', async () => {
    const file = join(dir, 'other.jsonl');
    writeFileSync(file, '{"format":"something-else"}\n');
    await expect(readSnapshotFile(file)).rejects.toThrow(/not a rollcall snapshot/);
    writeFileSync(file, '');
    await expect(readSnapshotFile(file)).rejects.toThrow(/not a rollcall snapshot/);
    await expect(readSnapshotFile(join(dir, 'missing.jsonl'))).rejects.toThrow(/rollcall refresh/);
  });
});
